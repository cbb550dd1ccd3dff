"""Statutory penalties against hand computations, to the cent (arithmetic in the comments)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rapprochement.dunning import (
    RatePeriod,
    RateTable,
    compute_penalties,
    default_rate_tables,
)
from rapprochement.dunning.rates import half_year_bounds
from rapprochement.errors import AmountError, ConfigError, DunningError, RateTableError

D = Decimal


def test_fr_interest_is_split_at_1_july_with_each_half_years_ecb_rate() -> None:
    # 1000.00 due 2025-05-31, as of 2025-08-15: 76 days.
    # 2025-H1 (Jun 1-30, 30 days) ECB 3.15 + 10 = 13.15 %: 1000 x 0.1315 x 30/365
    #   = 3945/365 = 10.8082 -> 10.81
    # 2025-H2 (Jul 1 - Aug 15, 46 days) ECB 2.15 + 10 = 12.15 %: 121.5 x 46/365
    #   = 5589/365 = 15.3123 -> 15.31
    r = compute_penalties(D("1000.00"), dt.date(2025, 5, 31), dt.date(2025, 8, 15))
    assert r.days_late == 76
    assert [(s.period, s.days, s.rate, s.interest) for s in r.segments] == [
        ("2025-H1", 30, D("13.15"), D("10.81")),
        ("2025-H2", 46, D("12.15"), D("15.31")),
    ]
    assert (r.interest, r.indemnity, r.total) == (D("26.12"), D("40.00"), D("66.12"))


def test_parts_paid_late_bear_interest_until_their_payment_date() -> None:
    # 1000 due 2025-05-31; 400 paid 2025-07-10, 600 still open on 2025-08-15.
    # open 600: H1 30 days 600 x 13.15 % x 30/365 = 2367/365 = 6.4849 -> 6.48
    #           H2 46 days 600 x 12.15 % x 46/365 = 3353.4/365 = 9.1874 -> 9.19
    # paid 400: H1 30 days 400 x 13.15 % x 30/365 = 1578/365 = 4.3233 -> 4.32
    #           H2 Jul 1-10, 10 days: 400 x 12.15 % x 10/365 = 486/365 = 1.3315 -> 1.33
    # interest 21.32; a payment on or before the due date bears none.
    r = compute_penalties(
        D("600.00"), dt.date(2025, 5, 31), dt.date(2025, 8, 15),
        paid_late=[(dt.date(2025, 7, 10), D("400.00")), (dt.date(2025, 5, 20), D("50.00"))],
    )  # fmt: skip
    assert [(s.principal, s.days, s.interest) for s in r.segments] == [
        (D("600.00"), 30, D("6.48")),
        (D("600.00"), 46, D("9.19")),
        (D("400.00"), 30, D("4.32")),
        (D("400.00"), 10, D("1.33")),
    ]
    assert (r.interest, r.total) == (D("21.32"), D("61.32"))


def test_fr_rate_hike_during_a_half_year_waits_for_the_next_one() -> None:
    # ECB raised the MRO rate on 27 July 2022, but 2022-H2 keeps the 1 July rate (0.00).
    # 2500.00 due 2022-11-30 as of 2023-02-15.
    # 2022-H2 Dec 1-31 = 31 days at 0 + 10 = 10 %: 250 x 31/365 = 7750/365 = 21.2329 -> 21.23
    # 2023-H1 Jan 1 - Feb 15 = 46 days at 2.50 + 10 = 12.5 %: 312.5 x 46/365
    #   = 14375/365 = 39.3836 -> 39.38
    r = compute_penalties(D("2500.00"), dt.date(2022, 11, 30), dt.date(2023, 2, 15))
    assert [s.interest for s in r.segments] == [D("21.23"), D("39.38")]
    assert r.total == D("100.61")


def test_actual_365_even_in_a_leap_year() -> None:
    # 2024-H1 has 182 days (29 February); still divided by 365.
    # 1000 x (4.50 + 10) % x 182/365 = 145 x 182/365 = 26390/365 = 72.3014 -> 72.30
    r = compute_penalties(D("1000.00"), dt.date(2023, 12, 31), dt.date(2024, 6, 30))
    assert r.segments[0].days == 182
    assert r.interest == D("72.30")


def test_fr_contractual_rate_is_raised_to_three_times_the_legal_rate() -> None:
    # 2024-H1 legal rate (autres cas) 5.07 %: floor 15.21 %. Contract says 5 %.
    # Feb 1 - Mar 1 2024 = 30 days: 1000 x 0.1521 x 30/365 = 4563/365 = 12.5014 -> 12.50
    r = compute_penalties(
        D("1000.00"), dt.date(2024, 1, 31), dt.date(2024, 3, 1), contractual_rate=D("5")
    )
    assert r.segments[0].rate == D("15.21")
    assert r.segments[0].floor_applied
    assert r.interest == D("12.50")
    # A contract above the floor applies as agreed: 1000 x 0.20 x 30/365 = 6000/365 -> 16.44
    r = compute_penalties(
        D("1000.00"), dt.date(2024, 1, 31), dt.date(2024, 3, 1), contractual_rate=D("20")
    )
    assert (r.segments[0].floor_applied, r.interest) == (False, D("16.44"))


def test_eu_reference_plus_8_points_and_40_euros() -> None:
    # 2024-H2 ECB 4.25 + 8 = 12.25 %; Jul 1-30 = 30 days: 122.5 x 30/365 = 3675/365
    #   = 10.0685 -> 10.07
    r = compute_penalties(
        D("1000.00"), dt.date(2024, 6, 30), dt.date(2024, 7, 30), jurisdiction="EU"
    )
    assert (r.interest, r.indemnity, r.total) == (D("10.07"), D("40.00"), D("50.07"))


def test_germany_base_rate_plus_9_b2b_and_plus_5_for_consumers() -> None:
    # 10000.00 due 2023-06-15 as of 2023-07-15.
    # B2B 2023-H1 Jun 16-30 = 15 days, 1.62 + 9 = 10.62 %: 1062 x 15/365 = 15930/365
    #   = 43.6438 -> 43.64; 2023-H2 Jul 1-15 = 15 days, 3.12 + 9 = 12.12 %: 1212 x 15/365
    #   = 18180/365 = 49.8082 -> 49.81; + 40 Pauschale
    due, as_of = dt.date(2023, 6, 15), dt.date(2023, 7, 15)
    r = compute_penalties(D("10000.00"), due, as_of, jurisdiction="DE")
    assert [s.interest for s in r.segments] == [D("43.64"), D("49.81")]
    assert r.total == D("133.45")
    # Consumer: 6.62 % -> 662 x 15/365 = 9930/365 = 27.2055 -> 27.21;
    #           8.12 % -> 812 x 15/365 = 12180/365 = 33.3699 -> 33.37; no Pauschale
    r = compute_penalties(D("10000.00"), due, as_of, jurisdiction="DE", b2b=False)
    assert (r.interest, r.indemnity, r.total) == (D("60.58"), D("0.00"), D("60.58"))


def test_negative_base_rate_is_used_as_published() -> None:
    # Basiszinssatz 2020-H1 = -0.88 %: B2B 8.12 %; Jan 1-31 = 31 days:
    # 1000 x 0.0812 x 31/365 = 2517.2/365 = 6.8964 -> 6.90
    r = compute_penalties(
        D("1000.00"), dt.date(2019, 12, 31), dt.date(2020, 1, 31), jurisdiction="DE"
    )
    assert r.segments[0].rate == D("8.12")
    assert r.interest == D("6.90")


def test_nothing_is_owed_on_or_before_the_due_date() -> None:
    r = compute_penalties(D("1000.00"), dt.date(2025, 3, 31), dt.date(2025, 3, 31))
    assert (r.days_late, r.total, r.segments) == (0, D("0.00"), ())


def test_a_missing_half_year_is_a_finding_naming_it() -> None:
    r = compute_penalties(D("100.00"), dt.date(2014, 12, 1), dt.date(2015, 1, 10))
    assert "2014-H2" in r.findings[0].message
    with pytest.raises(RateTableError, match="2014-H2"):
        default_rate_tables().ecb_mro.period_for(dt.date(2014, 12, 2))


def test_the_user_can_pass_their_own_table() -> None:
    mine = default_rate_tables().model_copy(
        update={
            "ecb_mro": RateTable(name="mine", periods=(RatePeriod(period="2030-H1", rate=D("1")),))
        }
    )
    # 1000 x 11 % x 10/365 = 1100/365 = 3.0137 -> 3.01
    r = compute_penalties(D("1000.00"), dt.date(2030, 1, 5), dt.date(2030, 1, 15), rates=mine)
    assert r.interest == D("3.01")
    r = compute_penalties(D("1000.00"), dt.date(2030, 6, 5), dt.date(2030, 7, 15), rates=mine)
    assert [f.code for f in r.findings] == ["rate-missing"]
    assert "no mine rate for 2030-H2" in r.findings[0].message


def test_bad_inputs_are_typed_errors() -> None:
    due, as_of = dt.date(2025, 1, 31), dt.date(2025, 3, 1)
    with pytest.raises(DunningError, match="unknown jurisdiction 'US'"):
        compute_penalties(D("1.00"), due, as_of, jurisdiction="US")
    with pytest.raises(AmountError, match="Decimal"):
        compute_penalties(100.0, due, as_of)  # type: ignore[arg-type]
    with pytest.raises(AmountError, match="negative"):
        compute_penalties(D("-1.00"), due, as_of)
    with pytest.raises(DunningError, match="between professionals"):
        compute_penalties(D("1.00"), due, as_of, b2b=False)


def test_low_confidence_rates_are_reported_as_warnings() -> None:
    low = RateTable(
        name="ecb_mro",
        periods=(RatePeriod(period="2026-H1", rate=D("2"), confidence="low", note="unchecked"),),
    )
    mine = default_rate_tables().model_copy(update={"ecb_mro": low})
    r = compute_penalties(D("100.00"), dt.date(2025, 12, 31), dt.date(2026, 1, 31), rates=mine)
    assert r.warnings == ("ecb_mro 2026-H1: unchecked",)
    assert r.findings[0].code == "rate-low-confidence"


@pytest.mark.parametrize("name", ["ecb_mro", "fr_legal", "de_base"])
def test_shipped_tables_are_contiguous_from_2015_and_round_trip_through_json(name: str) -> None:
    table = getattr(default_rate_tables(), name)
    assert RateTable.model_validate_json(table.model_dump_json()) == table
    assert table.periods[0].period == "2015-H1"
    for a, b in zip(table.periods, table.periods[1:], strict=False):
        assert half_year_bounds(b.period)[0] - half_year_bounds(a.period)[1] == dt.timedelta(1)
    assert table.periods[-1].period >= "2025-H2"


@given(
    st.integers(min_value=1, max_value=10**8),
    st.dates(dt.date(2015, 1, 1), dt.date(2025, 12, 31)),
    st.integers(min_value=0, max_value=600),
    st.integers(min_value=0, max_value=200),
)
def test_interest_grows_with_time_and_segments_cover_every_late_day(
    cents: int, due: dt.date, late: int, more: int
) -> None:
    amount = D(cents).scaleb(-2)
    a = min(due + dt.timedelta(days=late), dt.date(2025, 12, 31))
    b = min(a + dt.timedelta(days=more), dt.date(2025, 12, 31))
    ra, rb = compute_penalties(amount, due, a), compute_penalties(amount, due, b)
    assert sum(s.days for s in ra.segments) == ra.days_late == max(0, (a - due).days)
    assert rb.interest >= ra.interest >= 0


def test_a_rate_table_file_can_be_loaded_and_bad_files_are_config_errors(tmp_path: Path) -> None:
    good = tmp_path / "ecb.json"
    good.write_text(
        '{"name": "ecb_mro", "periods": [{"period": "2031-H1", "rate": "1.50"}]}', encoding="utf-8"
    )
    assert RateTable.load(good).rate_for(dt.date(2031, 3, 1)) == D("1.50")
    bad = tmp_path / "bad.json"
    bad.write_text(
        '{"name": "x", "periods": [{"period": "2031-Q1", "rate": "1"}]}', encoding="utf-8"
    )
    with pytest.raises(ConfigError, match=r"(?s)bad\.json.*2031-Q1"):
        RateTable.load(bad)
