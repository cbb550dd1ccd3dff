"""The gates' predicates, case by case."""

from __future__ import annotations

import pytest

from rapprochement.matching.gates import identified, paid_for_many, transposed


@pytest.mark.parametrize(
    ("paid", "due", "expected"),
    [
        (481730, 418730, True),  # 4 817.30 for 4 187.30
        (418730, 481730, True),  # the other way round
        (418703, 418730, True),  # the cents swapped
        (418730, 418730, False),  # equal: no error
        (481370, 418730, False),  # two swaps
        (471830, 418730, False),  # digits two places apart
        (41873, 418730, False),  # a digit lost, not swapped
        (418830, 418730, False),  # one digit wrong
    ],
)
def test_transposed_reads_one_adjacent_swap(paid: int, due: int, expected: bool) -> None:
    assert transposed(paid, due) is expected


@pytest.mark.parametrize(
    ("hyp", "expected"),
    [
        ({"reference": "none", "iban": "unknown", "name": "low"}, False),
        ({"reference": "tail", "iban": "unknown", "name": "low"}, True),
        ({"reference": "remittance", "iban": "unknown", "name": "low"}, True),
        ({"reference": "none", "iban": "known", "name": "low"}, True),
        ({"reference": "none", "iban": "other", "name": "high"}, True),
        ({"reference": "none", "iban": "other", "name": "medium"}, False),
    ],
)
def test_identified_needs_more_than_the_amount(hyp: dict[str, str], expected: bool) -> None:
    assert identified(hyp) is expected


def test_a_name_near_two_customers_holds_the_one_it_reads() -> None:
    """An approximate name, no IBAN, no reference: a look-alike customer's item of the same
    amount level holds the allocation (the spelling picked the customer, not the evidence)."""
    from types import SimpleNamespace

    import pandas as pd

    from rapprochement.matching.gates import look_alike

    singles = pd.DataFrame(
        {
            "tx": [0, 0, 1, 1],
            "inv": [0, 1, 2, 3],
            "customer_id": ["C1", "C2", "C3", "C4"],
            "amount": ["exact", "exact", "exact", "partial"],
            "reference": ["none"] * 4,
            "name": ["high", "medium", "high", "medium"],
        }
    )
    hyp = {"name": "high", "iban": "unknown", "reference": "none"}
    allocs = [SimpleNamespace(tx=0, inv=0, group=None, hyp=hyp)]
    allocs.append(SimpleNamespace(tx=1, inv=2, group=None, hyp=hyp))
    assert look_alike(singles, allocs) == {0}  # payment 1's look-alike fits another amount
    known = [SimpleNamespace(tx=0, inv=0, group=None, hyp={**hyp, "iban": "known"})]
    assert look_alike(singles, known) == set()


def test_a_number_naming_another_customers_item_against_the_payer_holds_it() -> None:
    """The payer's own account and name, a number naming another customer's item, the
    payer's own item of the same amount level open: not automatic. A checksummed reference,
    or a payer with no item of that amount, is not held."""
    from types import SimpleNamespace

    import pandas as pd

    from rapprochement.matching.gates import payer_disagrees

    singles = pd.DataFrame(
        {
            "tx": [0, 0],
            "inv": [0, 1],
            "customer_id": ["C1", "C2"],
            "amount": ["exact", "exact"],
            "reference": ["exact", "none"],
            "iban": ["other", "known"],
            "name": ["low", "exact"],
        }
    )
    hyp = {"reference": "exact", "iban": "other", "name": "low"}
    assert payer_disagrees(singles, [SimpleNamespace(tx=0, inv=0, group=None, hyp=hyp)]) == {0}
    checksum = {**hyp, "reference": "checksum"}
    assert not payer_disagrees(singles, [SimpleNamespace(tx=0, inv=0, group=None, hyp=checksum)])
    other = singles.assign(amount=["exact", "partial"])
    assert not payer_disagrees(other, [SimpleNamespace(tx=0, inv=0, group=None, hyp=hyp)])


@pytest.mark.parametrize(
    ("hyp", "expected"),
    [
        ({"iban": "known", "iban_customers": 3, "reference": "none", "name": "low"}, True),
        ({"iban": "known", "iban_customers": 1, "reference": "none", "name": "low"}, False),
        ({"iban": "known", "iban_customers": 3, "reference": "exact", "name": "low"}, False),
        ({"iban": "known", "iban_customers": 3, "reference": "none", "name": "exact"}, False),
        ({"iban": "known", "reference": "none", "name": "low"}, False),  # a group: no count
    ],
)
def test_an_iban_paying_for_many_is_not_alone_a_payer(
    hyp: dict[str, object], expected: bool
) -> None:
    assert paid_for_many(hyp) is expected
