"""Rates that stay current: 2026 penalties, findings instead of crashes, where rates come from."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest

from rapprochement.cli import EXIT_INPUT, EXIT_OK, main
from rapprochement.dunning import compute_penalties, default_rate_tables
from rapprochement.dunning.rate_store import load_rates

D = Decimal


def test_penalties_for_a_2026_invoice_compute_with_the_shipped_2026_rates() -> None:
    # 1000 due 2026-01-31, as of 2026-03-02: 30 days in 2026-H1, ECB 2.15 + 10 = 12.15 %
    # 1000 x 0.1215 x 30/365 = 3645/365 = 9.9863 -> 9.99
    r = compute_penalties(D("1000.00"), dt.date(2026, 1, 31), dt.date(2026, 3, 2))
    assert (r.interest, r.total, r.complete, r.findings) == (D("9.99"), D("49.99"), True, ())


def test_a_contractual_rate_in_2026_h1_gets_its_floor_from_the_2026_legal_rate() -> None:
    # 2026-H1 taux légal (autres cas) 2.62 % -> floor 7.86 %; contract 5 % raised to it.
    # 1000 x 0.0786 x 30/365 = 786 x 30 / 365 ... = 2358/365 = 6.4603 -> 6.46
    r = compute_penalties(
        D("1000.00"), dt.date(2026, 1, 31), dt.date(2026, 3, 2), contractual_rate=D("5")
    )
    assert (r.segments[0].rate, r.segments[0].floor_applied, r.interest) == (
        D("7.86"), True, D("6.46"),
    )  # fmt: skip


def test_a_half_year_past_the_table_is_a_finding_and_its_interest_is_left_out() -> None:
    # the shipped tables end at 2026-H1: 2026-H2 is a rate-missing finding, never a crash
    r = compute_penalties(D("1000.00"), dt.date(2026, 5, 31), dt.date(2026, 8, 15))
    assert [s.period for s in r.segments] == ["2026-H1"]
    assert not r.complete
    assert [(f.code, f.severity) for f in r.findings] == [("rate-missing", "warning")]
    assert "2026-H2" in r.findings[0].message
    assert "rates update" in r.findings[0].message
    assert r.indemnity == D("40.00")


def test_a_contractual_rate_is_applied_with_floor_not_verified_when_the_legal_rate_is_unknown() -> (
    None
):
    # 2026-H2: no taux légal yet; contract 12 % applied as agreed, 46 days:
    # 1000 x 0.12 x 46/365 = 5520/365 = 15.1233 -> 15.12
    r = compute_penalties(
        D("1000.00"), dt.date(2026, 6, 30), dt.date(2026, 8, 15), contractual_rate=D("12")
    )
    assert [(s.period, s.rate, s.floor_applied, s.reference_rate) for s in r.segments] == [
        ("2026-H2", D("12"), False, None)
    ]
    assert r.interest == D("15.12")
    assert r.complete
    assert [f.code for f in r.findings] == ["floor-not-verified"]


def test_a_date_before_the_tables_is_a_finding_too() -> None:
    r = compute_penalties(D("100.00"), dt.date(2014, 12, 1), dt.date(2015, 1, 10))
    assert [s.period for s in r.segments] == ["2015-H1"]
    assert "2014-H2" in r.findings[0].message


def test_the_shipped_2026_rows_name_their_source() -> None:
    tables = default_rate_tables()
    for name in ("ecb_mro", "fr_legal", "de_base"):
        row = getattr(tables, name).find(dt.date(2026, 3, 1))
        assert row is not None
        assert row.confidence == "high"
        assert row.note
    assert tables.fr_legal.find(dt.date(2026, 3, 1)).rate == D("2.62")  # type: ignore[union-attr]


def test_a_rates_file_replaces_whole_tables_and_rates_show_names_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mine = tmp_path / "rates.json"
    mine.write_text(
        json.dumps({"fr_legal": {"periods": [{"period": "2026-H2", "rate": "3.00"}]}}), "utf-8"
    )
    loaded = load_rates(mine)
    assert [p.period for p in loaded.tables.fr_legal.periods] == ["2026-H2"]
    assert loaded.tables.ecb_mro.find(dt.date(2026, 3, 1)) is not None
    args = ["rates", "show", "--rates", str(mine), "--since", "2026-01-01", "--json"]
    assert main(args) == EXIT_OK
    rows = json.loads(capsys.readouterr().out)
    origin = {(r["table"], r["period"]): (r["origin"], r["file"]) for r in rows}
    assert origin[("fr_legal", "2026-H2")] == ("file", str(mine))
    assert origin[("ecb_mro", "2026-H1")][0] == "shipped"


def test_a_bad_rates_file_is_an_input_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "rates.json"
    bad.write_text('{"usury": {"periods": []}}', "utf-8")
    assert main(["rates", "show", "--rates", str(bad)]) == EXIT_INPUT
    assert "unknown rate table(s) usury" in capsys.readouterr().err
    assert main(["dunning", "--rates", str(tmp_path / "none.json"), "plan"]) == EXIT_INPUT
