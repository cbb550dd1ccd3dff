"""How likely a payer's other open items hit a sum by coincidence.

A payment that names one invoice and pays a different amount may be a part payment of that
invoice, or the invoice with the payer's other open items netted (a credit note deducted, a
second invoice added). The group search finds the second reading when some of the payer's
other items add up exactly to the difference. That is evidence only when such a hit is
unlikely by chance: with credit notes (negative amounts) among many items, the subset sums of
a few items cover every small amount densely, and some subset hits any difference to the cent.

:func:`expected_hits` estimates the number of subsets of the other items (as many items as the
group adds, or fewer) that would sum to the difference by chance: the local density of their
subset sums, counted exactly (:func:`.mitm.ranked_subsets`) in a window around the difference
and divided by its width in minor units. A group found where this number is not small
(:data:`CHANCE_HITS_MAX`) counts as an unlisted rival (never automatic) and is never preferred
over the named reading (:func:`.group_assignment.exact_supersets`).
"""

from __future__ import annotations

from collections.abc import Sequence

from rapprochement.matching.mitm import ranked_subsets

__all__ = ["CHANCE_HITS_MAX", "chance_completion", "expected_hits"]

#: expected chance hits from which an exact completion is no evidence: 1 in 1000, the error
#: rate allowed to automatic allocations
CHANCE_HITS_MAX = 0.001
_WINDOW_SHARE = 10  # window half-width: the mean item amount / this
_MAX_PAIRS = 200_000  # half-pairs counted at most (beyond, the count is a lower bound)


def expected_hits(values: Sequence[int], target: int, max_size: int) -> float:
    """Expected number of subsets of ``values`` (1 to ``max_size`` items, minor units, any
    sign) whose sum equals ``target`` by chance: the subsets summing within a window around
    ``target`` (half-width a tenth of the mean absolute amount) per minor unit of the window,
    the one that hits it exactly left out."""
    if not values or max_size < 1:
        return 0.0
    half = max(1, sum(abs(v) for v in values) // (len(values) * _WINDOW_SHARE))
    s, count = ranked_subsets(
        values,
        target - half,
        target + half,
        [0] * len(values),
        min_size=1,
        max_size=max_size,
        limit=1,
        max_pairs=_MAX_PAIRS,
    )
    hit = 1 if s.solutions else 0
    return max(count - hit, 0) / (2 * half + 1)


def chance_completion(
    named_total: int, extra: Sequence[int], pool: Sequence[int], amount: int
) -> bool:
    """True when items ``extra`` (amounts signed as the payment), a credit note among them,
    add up to what the payment ``amount`` leaves after the named items (``named_total``) no
    more surely than a chance subset of ``pool`` (the payer's items the payment does not name)
    would: :func:`expected_hits` at least :data:`CHANCE_HITS_MAX`. Invoices alone (the run a
    text cut short goes on with) are not questioned: their positive sums are sparse, and a
    run's numbering is evidence of its own."""
    if not any(v < 0 for v in extra):
        return False
    return expected_hits(pool, amount - named_total, len(extra)) >= CHANCE_HITS_MAX
