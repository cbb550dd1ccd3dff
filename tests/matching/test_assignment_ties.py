"""Large conflict components are solved best first; among equal scores the earlier payment
takes the invoice (as the optimal path does: a duplicate comes later), whatever the ids."""

from __future__ import annotations

import pandas as pd

from rapprochement.matching.assignment import _greedy


def test_greedy_gives_an_invoice_to_the_earlier_of_two_equal_payments() -> None:
    # payment 0 sorts first by position but was booked a day after payment 1
    s = pd.DataFrame(
        {"tx": [0, 1], "inv": [7, 7], "logit": [0.16, 0.16], "p": [0.97, 0.97], "day": [21, 20]}
    )
    assert _greedy(s) == [1]
    # a better score still wins over an earlier date
    s.loc[0, "logit"] = 0.2
    assert _greedy(s) == [0]
