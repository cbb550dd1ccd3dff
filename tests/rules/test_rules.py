"""Rules as data: loading (JSON, TOML), validation errors naming rule and field, matching
(accents, codes by scheme, priority), return signals and links (order independent)."""

from __future__ import annotations

import datetime as dt
import json
import random
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rapprochement.errors import ConfigError
from rapprochement.rules import LineFacts, RuleSet, categorize, load_rules, return_signal
from rapprochement.rules.links import LinkLine, link_returns

D = Decimal


def _f(tid: str, amount: str, name: str = "", text: str = "", **kw: object) -> LineFacts:
    return LineFacts(tid, D(amount), "EUR", name, "", text, **kw)  # type: ignore[arg-type]


def test_toml_and_json_files_give_the_same_rules(tmp_path: Path) -> None:
    (tmp_path / "r.toml").write_text(
        '[[rule]]\nid = "rent"\ncategory = "supplier_payment"\ntext = "LOYER"\n'
        'direction = "out"\naccount_code = "613"\n',
        encoding="utf-8",
    )
    data = {"rules": [{"id": "rent", "category": "supplier_payment", "text": "LOYER",
                       "direction": "out", "account_code": "613"}]}  # fmt: skip
    (tmp_path / "r.json").write_text(json.dumps(data), encoding="utf-8")
    assert load_rules(tmp_path / "r.toml") == load_rules(tmp_path / "r.json")
    assert load_rules(str(tmp_path / "r.toml")).rules[0].account_code == "613"


def test_errors_name_the_file_the_rule_and_the_field(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text('[[rule]]\nid = "x"\ncategory = "fees"\namount_min = -1\n', encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_rules(path)
    assert str(path) in str(err.value)
    assert "rule 'x', field amount_min" in str(err.value)
    with pytest.raises(ConfigError, match="rule #1, field id"):
        load_rules([{"category": "fees", "text": "X"}])
    with pytest.raises(ConfigError, match="two rules are named 'a'"):
        load_rules([{"id": "a", "category": "fees", "text": "X"}] * 2)
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_rules("[[rule]\nid=", name="t")
    with pytest.raises(ConfigError, match="cannot read"):
        load_rules(tmp_path / "missing.json")


def test_text_and_names_match_without_accents_or_case() -> None:
    rules = load_rules([{"id": "r", "category": "tax", "text": "crédit de TVA"}])
    cats = categorize([_f("a", "10", text="REMBOURSEMENT CREDIT DE TVA")], rules)
    assert cats["a"].reason == "rule 'r' (priority 100): text 'CREDIT DE TVA'"


def test_bank_codes_match_by_scheme_with_wildcards() -> None:
    rules = load_rules(
        [{"id": "fees", "category": "fees", "bank_codes": ["camt:PMNT/*/CHRG", "gvc:805"]}]
    )
    lines = [
        _f("camt", "-1", codes={"camt": "PMNT/ICDT/CHRG"}),
        _f("gvc", "-1", codes={"gvc": "805", "mt940": "NMSC"}),
        _f("other-scheme", "-1", codes={"mt940": "805"}),
        _f("other-code", "-1", codes={"camt": "PMNT/ICDT/ESCT"}),
    ]
    assert sorted(categorize(lines, rules)) == ["camt", "gvc"]


def test_priority_decides_and_ties_go_to_the_first_declared() -> None:
    rules = load_rules(
        [
            {"id": "low", "category": "fees", "text": "FRAIS", "priority": 10},
            {"id": "first", "category": "ignore", "text": "FRAIS", "priority": 50},
            {"id": "second", "category": "tax", "text": "FRAIS", "priority": 50},
        ]
    )
    cat = categorize([_f("a", "-3", text="FRAIS")], rules)["a"]
    assert (cat.rule_id, cat.category) == ("first", "ignore")
    assert cat.overruled == ("second", "low")
    assert "won over 'second' (tax, priority 50), 'low' (fees, priority 10)" in cat.reason


def test_direction_and_amount_bounds() -> None:
    rules = load_rules(
        [{"id": "small-out", "category": "fees", "direction": "out", "amount_max": "20"}]
    )
    lines = [_f("in", "5"), _f("big", "-50"), _f("ok", "-20")]
    assert list(categorize(lines, rules)) == ["ok"]


def test_merged_rules_replace_by_id() -> None:
    a = load_rules([{"id": "x", "category": "fees", "text": "A"}])
    b = load_rules(
        [{"id": "x", "category": "tax", "text": "B"}, {"id": "y", "category": "loan", "text": "C"}]
    )
    merged = a.merged(b)
    assert [(r.id, r.category) for r in merged.rules] == [("x", "tax"), ("y", "loan")]
    assert RuleSet.model_validate_json(merged.model_dump_json()) == merged


def test_return_signals() -> None:
    strong = return_signal(_f("a", "-5", return_reason="MD06"))
    assert strong is not None
    assert strong.strong
    assert strong.reason_code == "MD06"
    assert "refund requested by the debtor" in strong.describe()
    weak = return_signal(_f("b", "-5", text="REJET PRLV AC04 FA-1"))
    assert weak is not None
    assert not weak.strong
    assert weak.reason_code == "AC04"
    coded = return_signal(_f("c", "-5", codes={"gvc": "109"}))
    assert coded is not None
    assert coded.strong
    assert return_signal(_f("d", "5", text="Facture FA-1")) is None


def _line(i: int, amount: int, day: int, e2e: str = "", iban: str = "") -> LinkLine:
    return LinkLine(f"L{i:03d}", D(amount), "EUR", dt.date(2026, 3, day), e2e, iban)


def test_links_prefer_the_end_to_end_id_then_the_latest_payment() -> None:
    lines = [
        _line(1, 100, 1, e2e="E1", iban="X"),
        _line(2, 100, 5, iban="X"),
        _line(3, 100, 3, e2e="E3", iban="X"),
    ]
    by_e2e = link_returns([_line(9, -100, 9, e2e="E1", iban="X")], lines)
    assert [(k.original_id, k.evidence) for k in by_e2e] == [("L001", "same end-to-end id E1")]
    # by IBAN alone, the payer paid 100 three times: ambiguous, left to a person
    assert link_returns([_line(9, -100, 9, iban="X")], lines) == []
    later = link_returns([_line(9, -100, 2, iban="X")], lines)  # only L001 is before it
    assert [(k.original_id, k.evidence) for k in later] == [("L001", "same IBAN X and amount")]


@settings(max_examples=60, deadline=None)
@given(
    st.integers(0, 10_000), st.lists(st.tuples(st.integers(1, 3), st.integers(1, 20)), max_size=12)
)
def test_links_do_not_depend_on_input_order(seed: int, spec: list[tuple[int, int]]) -> None:
    lines = [_line(i, a * 10, d, iban="X") for i, (a, d) in enumerate(spec)]
    returns = [_line(100 + i, -a * 10, 21, iban="X") for i, (a, _) in enumerate(spec[:4])]
    expected = link_returns(returns, lines)
    rng = random.Random(seed)
    shuffled_l, shuffled_r = lines[:], returns[:]
    rng.shuffle(shuffled_l)
    rng.shuffle(shuffled_r)
    assert link_returns(shuffled_r, shuffled_l) == expected
    assert len({k.original_id for k in expected}) == len(expected)  # each original once
