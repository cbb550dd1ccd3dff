"""Chance hits of a payer's other open items (:mod:`rapprochement.matching.coincidence`)."""

from __future__ import annotations

from rapprochement.matching.coincidence import CHANCE_HITS_MAX, chance_completion, expected_hits

# a payer's other open items, in cents: invoices and three credit notes
ITEMS = [47880, 86223, 50520, 17157, 131240, 224015, 9360, -69895, -26054, -117485]


def test_credit_notes_among_many_items_hit_a_small_sum_by_chance() -> None:
    # 30.00 paid on an invoice of 146.54: the rest (-116.54) is hit by 7 of the items
    assert expected_hits(ITEMS, 3000 - 14654, 7) >= CHANCE_HITS_MAX
    extra = [47880, 86223, 50520, 17157, -69895, -26054, -117485]
    assert chance_completion(14654, extra, ITEMS, 3000)


def test_one_credit_note_netted_is_no_coincidence() -> None:
    # the invoice less its one credit note: no other item lies near the difference
    assert expected_hits(ITEMS, -26054, 1) == 0.0
    assert not chance_completion(100000, [-26054], ITEMS, 100000 - 26054)


def test_invoices_alone_are_not_questioned() -> None:
    assert not chance_completion(14654, [47880, 86223], ITEMS, 14654 + 47880 + 86223)
