"""Line rules in the ledger: lines that are not customer payments are categorized at import and
at reconcile, never offered to invoices, counted apart in status; rules versioned, malformed
rules refused, rules matching nothing reported, conflicts resolved by priority."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from demo.writers import Line, camt053

from rapprochement.errors import ConfigError
from rapprochement.rules import RuleSet
from rapprochement.store import Ledger
from tests.store.fake_matcher import fake_matcher
from tests.store.helpers import ACCOUNT, write_camt, write_invoices

OTHER_ACCOUNT = "FR7610107001011234567890129"
INVOICES = """\
invoice_id,customer_id,customer_name,amount,currency,issue_date,due_date,reference,customer_iban
FA-100,C1,Acme SA,1200.00,EUR,2026-02-01,2026-03-03,FA-100,
FA-101,C2,Beta SARL,3000.00,EUR,2026-02-01,2026-03-03,FA-101,
FA-102,C3,Gamma SAS,450.00,EUR,2026-02-01,2026-03-03,FA-102,
"""


def _l(day: int, amount: str, name: str, iban: str, text: str, ref: str, **kw: str) -> Line:
    return Line(dt.date(2026, 3, day), Decimal(amount), name, iban, text, ref, **kw)  # type: ignore[arg-type]


NON_CUSTOMER = [
    _l(3, "1200.00", "DGFIP", "FR7630001007941234567890185", "REMBOURSEMENT CREDIT TVA", "T1"),
    _l(4, "3000.00", "BPI FRANCE", "FR7612739000701234567890155", "VERSEMENT PRET 12345", "T2"),
    _l(5, "-812.00", "URSSAF ILE DE FRANCE", "FR7630001007941234567890186", "COTISATIONS", "T3"),
    _l(6, "-12.50", "BANQUE", "", "COMMISSION INTERVENTION", "T4", code="PMNT/MDOP/CHRG"),
    _l(7, "450.00", "GAMMA SAS", "BE68539007547034", "Facture FA-102", "T5"),
]


def test_tax_refund_and_loan_drawdown_are_categorized_never_matched(
    ledger_url: str, tmp_path: Path
) -> None:
    """Equal amounts and no reference: the engine alone matched them to unrelated customers."""
    engine = pytest.importorskip("rapprochement.matching.engine")
    with Ledger(ledger_url) as ledger:
        imported = ledger.import_statements(write_camt(tmp_path / "a.xml", NON_CUSTOMER))
        assert imported.line_rules["categorized"] == {
            "fees": 1, "loan": 1, "social_charges": 1, "tax": 1
        }  # fmt: skip
        ledger.import_invoices(write_invoices(tmp_path / "i.csv", INVOICES))
        run = ledger.reconcile(matcher=engine.reconcile)
        assert run.transactions == 1  # only the customer payment went to the matcher
        touched = set(ledger.allocations()["invoice_id"]) | set(
            ledger.suggestions(state=None)["invoice_id"]
        )
        assert touched == {"FA-102"}
        cats = ledger.line_categories().set_index("category")
        assert cats.loc["tax", "rule_id"] == "fr-dgfip"
        assert "DGFIP" in cats.loc["tax", "reason"]
        assert cats.loc["fees", "account_code"] == "627"
        st = ledger.status()
        assert (st["customer_payments"], st["customer_payments_matched"]) == (1, 1)
        assert st["match_rate"] == 1.0
        assert st["categories"]["tax"] == {"lines": 1, "amount": {"EUR": "1200.00"}}
        assert st["categorized_lines"] == 4


def test_rules_are_idempotent_and_applied_again_at_reconcile(
    ledger_url: str, tmp_path: Path
) -> None:
    with Ledger(ledger_url) as ledger:
        ledger.import_statements(write_camt(tmp_path / "a.xml", NON_CUSTOMER))
        before = ledger.line_categories()
        ledger.import_statements(write_camt(tmp_path / "a.xml", NON_CUSTOMER))
        run = ledger.reconcile(matcher=fake_matcher)
        after = ledger.line_categories()
        assert before.drop(columns="reason").equals(after.drop(columns="reason"))
        assert list(before["reason"]) == list(after["reason"])
        assert run.line_rules["categorized"] == {
            "fees": 1, "loan": 1, "social_charges": 1, "tax": 1
        }  # fmt: skip


def test_internal_transfer_between_two_accounts_of_the_ledger(
    ledger_url: str, tmp_path: Path
) -> None:
    """The first account's line is categorized once the second account is known."""
    out = [_l(10, "-1000.00", "MA SOCIETE", OTHER_ACCOUNT, "ALIMENTATION COMPTE", "I1")]
    inn = [_l(10, "1000.00", "MA SOCIETE", ACCOUNT, "ALIMENTATION COMPTE", "I2")]
    (tmp_path / "b.xml").write_text(camt053(OTHER_ACCOUNT, "B1", Decimal(0), inn))
    with Ledger(ledger_url) as ledger:
        first = ledger.import_statements(write_camt(tmp_path / "a.xml", out))
        assert first.line_rules["categorized"] == {}
        second = ledger.import_statements(tmp_path / "b.xml")
        assert second.line_rules["categorized"] == {"internal_transfer": 2}
        cats = ledger.line_categories()
        assert set(cats["rule_id"]) == {"own-account-transfer"}
        assert all("an account of the ledger" in r for r in cats["reason"])
        assert ledger.status()["customer_payments"] == 0


def test_user_rules_are_versioned_and_priority_decides(ledger_url: str, tmp_path: Path) -> None:
    mine = """
    [[rule]]
    id = "gamma-is-a-supplier-refund"
    category = "supplier_payment"
    account_code = "401"
    name = "GAMMA"
    direction = "in"
    priority = 500
    """
    with Ledger(ledger_url) as ledger:
        ledger.import_statements(write_camt(tmp_path / "a.xml", NON_CUSTOMER))
        assert ledger.rules()[0] == 0
        update = ledger.set_rules(mine, note="Gamma refunds us")
        assert (update.version, update.matching_nothing) == (1, [])
        assert update.applied["categorized"]["supplier_payment"] == 1
        version, rules = ledger.rules()
        assert version == 1
        assert "fr-dgfip" in {r.id for r in rules.rules}
        cats = ledger.line_categories().set_index("rule_id")
        assert cats.loc["gamma-is-a-supplier-refund", "rule_set_version"] == 1
        # a higher-priority rule on the tax refund: the result says which rule won
        update = ledger.set_rules(
            [{"id": "refunds", "category": "ignore", "text": "REMBOURSEMENT", "priority": 900}]
        )
        reason = ledger.line_categories().set_index("rule_id").loc["refunds", "reason"]
        assert "won over 'fr-dgfip'" in reason
        # replace with an empty set: categorization off, lines offered to invoices again
        ledger.set_rules(RuleSet(), replace=True)
        assert ledger.line_categories().empty
        assert ledger.reconcile(matcher=fake_matcher).transactions == 5


def test_a_rule_matching_nothing_is_reported_when_added(ledger_url: str, tmp_path: Path) -> None:
    with Ledger(ledger_url) as ledger:
        ledger.import_statements(write_camt(tmp_path / "a.xml", NON_CUSTOMER))
        update = ledger.set_rules(
            [{"id": "typo", "category": "payroll", "text": "SALIARE"}], note="payroll"
        )
        assert update.matching_nothing == ["typo"]


@pytest.mark.parametrize(
    ("rule", "field"),
    [
        ({"id": "r1", "category": "fees", "text": "("}, "field text"),
        ({"id": "r2", "category": "rent", "text": "LOYER"}, "field category"),
        ({"id": "r3", "category": "fees"}, "field (the rule itself)"),
        ({"id": "r4", "category": "fees", "bank_codes": ["swift:NCHG"]}, "field bank_codes"),
        ({"id": "r5", "category": "fees", "amount_min": "10", "amount_max": "1"}, "(the rule"),
        ({"id": "r6", "category": "fees", "text": "X", "colour": "red"}, "field colour"),
    ],
)
def test_a_malformed_rule_is_refused_naming_rule_and_field(
    ledger_url: str, rule: dict[str, object], field: str
) -> None:
    with Ledger(ledger_url) as ledger:
        with pytest.raises(ConfigError) as err:
            ledger.set_rules([rule])
        assert f"rule {rule['id']!r}" in str(err.value)
        assert field in str(err.value)
        assert ledger.rules()[0] == 0  # nothing saved
