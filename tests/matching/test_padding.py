"""Invoice numbers written without the zero padding after a glued year (matching/padding.py)."""

from __future__ import annotations

import pandas as pd

from rapprochement.matching.keys import invoice_key_rows, invoice_keys, text_keys
from rapprochement.matching.padding import unpadded, unpadded_digits


def test_unpadded_drops_the_zeros_after_a_leading_year() -> None:
    assert unpadded("20260000123") == "2026123"
    assert unpadded("19990004200") == "19994200"
    assert unpadded("000123") == "123"  # no year: leading zeros only
    assert unpadded("2026123") == "2026123"  # nothing padded
    assert unpadded("2026") == "2026"


def test_unpadded_digits_only_for_a_padded_group() -> None:
    assert unpadded_digits(["20260000123"]) == "2026123"
    assert unpadded_digits(["2026", "000123"]) is None  # separate groups: the Z: key has it
    assert unpadded_digits(["20261000123"]) is None  # no padding after the year


def test_the_text_meets_the_invoice_at_the_digits_level() -> None:
    inv = invoice_keys(["20260000123", ""])
    txt = text_keys("REGLEMENT FACTURE 2026123")
    shared = set(inv) & set(txt)
    assert shared == {"Z:2026123"}
    assert inv["Z:2026123"] == 3  # ``digits``: weaker than an exact or normalized reference


def test_vectorized_invoice_keys_agree() -> None:
    rows = invoice_key_rows(pd.Series(["20260000123", "FA-2026-000123"]), pd.Series(["", ""]))
    pad = rows[rows["key"] == "Z:2026123"]
    assert sorted(pad["inv"].tolist()) == [0, 1]
    assert set(pad["lvl"].tolist()) == {3}
