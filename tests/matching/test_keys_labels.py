"""Reference keys: a year, a date, a customer or order number give no invoice-number key."""

from __future__ import annotations

import pandas as pd
import pytest

from rapprochement.matching.keys import invoice_keys, text_key_frame, text_keys


def _tails(text: str) -> set[str]:
    return {k for k in text_keys(text) if k.startswith("L:")}


@pytest.mark.parametrize(
    ("text", "tails"),
    [
        ("PAIEMENT FA-2026-000123", {"L:123"}),  # not L:2026 (the year)
        ("F2026/000123", {"L:123"}),
        ("Fact. 2026/123", {"L:123"}),
        ("Règlement fact. FA-2026-000123 du 12/03/2026", {"L:123"}),  # the date is no number
        ("FT 123 DEL 12.03.2026", {"L:123"}),
        ("LOYER 03/2026", set()),
        ("VIR FA-2026-000123 CLIENT 000247", {"L:123"}),  # the customer number is no invoice's
        ("RE 4711 KD 000815", {"L:4711"}),
        ("Kd-Nr. 12345 RE 4711", {"L:4711"}),
        ("N° client : 000247 facture 000555", {"L:555"}),
        ("FA-2026-000123 PO 4512345678", {"L:123"}),  # nor the payer's order number
        ("BC 2025-0042 FA-2026-000123", {"L:123"}),
        ("CDE12345 INV0012345", {"L:12345"}),
        ("FA-2026-002026", {"L:2026"}),  # a sequence number that looks like a year stays
        ("20250000173/20250000174", {"L:20250000173", "L:20250000174"}),
        # an order number labels itself only, not the invoice numbers listed after it
        ("FACT 20260001142, CDE47788, 20260001144", {"L:20260001142", "L:20260001144"}),
        ("CDE34495/20250001027/20250001028", {"L:20250001027", "L:20250001028"}),
        ("BC 2025-4730", set()),  # the year is part of the order number
        ("BESTELLUNG 2026/00123", set()),
    ],
)
def test_tail_keys(text: str, tails: set[str]) -> None:
    assert _tails(text) == tails


def test_year_is_not_an_invoice_number() -> None:
    # the text names FA-2026-000123: invoice FA-2026-002026 shares no key with it
    inv = set(invoice_keys(["FA-2026-002026", ""]))
    assert not inv & set(text_keys("VIREMENT FA-2026-000123"))


def test_customer_number_names_no_invoice() -> None:
    inv = set(invoice_keys(["INV0000247", ""]))
    assert not inv & set(text_keys("REGLEMENT FOURNISSEUR CLIENT 000247"))
    assert inv & set(text_keys("REGLEMENT FACTURE 000247"))


def test_vectorized_keys_agree() -> None:
    texts = ["VIR FA-2026-000123 CLIENT 000247", "LOYER 03/2026", "Kd-Nr. 12345 RE 4711", ""]
    frame = text_key_frame(texts)
    for row, text in enumerate(texts):
        part = frame[frame["row"] == row]
        assert dict(zip(part["key"], part["lvl"], strict=True)) == text_keys(text)
    assert isinstance(frame, pd.DataFrame)
