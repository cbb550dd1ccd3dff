"""The one reader of written dates: forms, and the day/month order decided per column."""

from __future__ import annotations

import datetime as dt

import pytest

from rapprochement.dates import (
    AmbiguousDateOrderError,
    DateOrder,
    MixedDateOrderError,
    column_order,
    date_format,
    date_kind,
    parse_date,
)


@pytest.mark.parametrize(
    ("text", "order", "expected"),
    [
        ("2026-04-03", "dmy", dt.date(2026, 4, 3)),
        ("2026/4/3", "mdy", dt.date(2026, 4, 3)),
        ("20260403", "dmy", dt.date(2026, 4, 3)),
        ("2026-04-03T23:30:00+02:00", "ymd", dt.date(2026, 4, 3)),  # the date as written
        ("03/04/2026", "dmy", dt.date(2026, 4, 3)),
        ("03/04/2026", "mdy", dt.date(2026, 3, 4)),
        ("3.4.26", "dmy", dt.date(2026, 4, 3)),
        ("31-12-2026 10:00", "dmy", dt.date(2026, 12, 31)),
        ("  ", "dmy", None),
    ],
)
def test_parse_date_reads_each_form(text: str, order: DateOrder, expected: dt.date | None) -> None:
    assert parse_date(text, order) == expected


@pytest.mark.parametrize(
    "text", ["30/02/2026", "2026-13-01", "13/13/2026", "2026043", "3/4/2026x", "abc", "1e5"]
)
def test_parse_date_refuses_impossible_dates_and_other_text(text: str) -> None:
    with pytest.raises(ValueError, match="date"):
        parse_date(text, "dmy")


def test_date_kind_tells_which_orders_a_text_fits() -> None:
    assert date_kind("2026-04-13") == "iso"
    assert date_kind("13/04/2026") == "dmy"
    assert date_kind("04/13/2026") == "mdy"
    assert date_kind("03/04/2026") == "either"
    assert date_kind("13/13/2026") == "neither"
    assert date_kind("tomorrow") is None


def test_column_order_is_decided_once_from_every_value() -> None:
    assert column_order(["either", "dmy", "iso"]) == "dmy"
    assert column_order(["either", "mdy"]) == "mdy"
    assert column_order(["iso", None]) == "ymd"
    with pytest.raises(AmbiguousDateOrderError):
        column_order(["either", "iso"])
    with pytest.raises(MixedDateOrderError):
        column_order(["dmy", "mdy"])
    assert column_order(["either", "mdy"], dayfirst=True) == "dmy"  # the caller decides
    assert column_order(["either"], dayfirst=False) == "mdy"


def test_bank_files_that_never_tell_are_day_first() -> None:
    assert date_format(["03/04/2026", "05/06/2026"]).order == "dmy"
    assert date_format(["04/13/2026", "03/04/2026"]).order == "mdy"
    assert date_format(["2026-04-03"]).order == "ymd"
