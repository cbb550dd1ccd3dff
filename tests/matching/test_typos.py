"""A reference to another customer's invoice that does not fit is read as a typo."""

from __future__ import annotations

import pandas as pd

from rapprochement.matching.typos import drop_typo_readings, one_edit


def test_one_edit() -> None:
    assert one_edit("F0106", "F0107")  # a character changed
    assert one_edit("F0106", "F01060")  # one added
    assert one_edit("F01060", "F0160")  # one dropped
    assert one_edit("F0106", "F0160")  # two neighbours swapped
    assert not one_edit("F0106", "F0106")
    assert not one_edit("F0106", "F0170")  # two changes
    assert not one_edit("106", "107")  # too short to say


def _singles(**over: list[str]) -> pd.DataFrame:
    base = {
        "tx": [0, 0],
        "inv": [0, 1],
        "customer_id": ["C1", "C2"],
        "reference": ["exact", "none"],
        "amount": ["partial", "exact"],
        "iban": ["unknown", "unknown"],
        "name": ["low", "low"],
    }
    base.update(over)
    return pd.DataFrame(base)


INV = pd.DataFrame({"invoice_id": ["F-0106", "F-0107"], "reference": ["F-0106", ""]})


def test_the_named_invoice_that_does_not_fit_is_dropped_for_the_one_that_does() -> None:
    out = drop_typo_readings(_singles(), INV)
    assert list(out["inv"]) == [1]


def test_the_named_invoice_stays_when_the_payer_is_its_customer_or_the_numbers_differ() -> None:
    assert len(drop_typo_readings(_singles(iban=["known", "unknown"]), INV)) == 2
    assert len(drop_typo_readings(_singles(customer_id=["C1", "C1"]), INV)) == 2
    far = pd.DataFrame({"invoice_id": ["F-0106", "F-0291"], "reference": ["", ""]})
    assert len(drop_typo_readings(_singles(), far)) == 2
    assert len(drop_typo_readings(_singles(reference=["checksum", "none"]), INV)) == 2
