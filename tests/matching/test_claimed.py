"""The group search's window without items settled outright (:mod:`.claimed`), and no group
short by a guessed fee where one of the payer's items is the payment to the cent."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd

from rapprochement import MatchConfig
from rapprochement.matching import engine
from rapprochement.matching.claimed import ClaimedElsewhere

_INVOICES = """invoice_id,customer_id,customer_name,amount,currency,issue_date,due_date,open_amount,reference,customer_iban
106773,C1,The Walsh Group,3200.00,USD,2026-01-18,2026-02-17,,,
106774,C1,The Walsh Group,3200.00,USD,2026-01-25,2026-02-24,,,
107259,C1,The Walsh Group,1482.35,USD,2026-04-22,2026-05-22,,,
108911,C1,The Walsh Group,1732.65,USD,2026-04-25,2026-05-25,,,
200001,C2,Ridge Foods LLC,3980.40,USD,2026-04-10,2026-05-10,,,
"""  # noqa: E501
_TX = """transaction_id,booking_date,amount,currency,counterparty_name,counterparty_iban,remittance_info,structured_reference,end_to_end_id
T1,2026-05-25,3200.00,USD,THE WALSH GROUP,,ORIG CO NAME:THE WALSH GROUP SEC:CCD IND ID:554411,,
"""  # noqa: E501


def _csv(text: str) -> pd.DataFrame:
    return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)


def test_no_group_short_by_a_fee_beside_an_item_of_the_exact_amount() -> None:
    # two items add up to the payment plus 15.00 (a fee the bank took), two others are it
    # to the cent: the payment reads as one of those, never as a group short by a fee
    tx, inv, rem = engine.prepare(_csv(_TX), _csv(_INVOICES), None)
    for part in engine.partitions(tx, inv, rem):
        _, groups = engine.hypotheses(part, None, MatchConfig())
        assert groups.empty, groups


def test_claimed_elsewhere_is_what_other_payments_settle() -> None:
    claims = {3: "T1", 5: "T2"}
    seen = ClaimedElsewhere(claims, "T1")
    assert 5 in seen
    assert np.int64(5) in seen
    assert 3 not in seen  # its own claim
    assert 4 not in seen
    assert "5" not in seen
    assert list(seen) == [5]
    assert len(seen) == 1
