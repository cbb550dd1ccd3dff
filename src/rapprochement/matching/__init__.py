"""Payment-to-invoice matching: blocking → features → learned scores → global assignment.

>>> import rapprochement
>>> result = rapprochement.reconcile(transactions, invoices)      # doctest: +SKIP
>>> result.allocations.head()                                     # doctest: +SKIP
>>> print(result.explain("TX0000001"))                            # doctest: +SKIP

Modules, in the order data flows: :mod:`.config` (``MatchConfig``), :mod:`.frames` (input
validation, ``transactions_frame``), :mod:`.keys` and :mod:`.candidates` (blocking),
:mod:`.features`, :mod:`.groups` and :mod:`.subsetsum` (grouped payments), :mod:`.scoring`
(learned log-likelihood ratios, ``weights.json``), :mod:`.assignment`, :mod:`.result`,
:mod:`.engine` (``reconcile``). See ``docs/matching.md``.
"""

from __future__ import annotations

from rapprochement.matching.config import MatchConfig
from rapprochement.matching.engine import count_candidates, reconcile
from rapprochement.matching.frames import transactions_frame
from rapprochement.matching.result import ReconciliationResult, explanation_of
from rapprochement.matching.scoring import Contribution

__all__ = [
    "Contribution",
    "MatchConfig",
    "ReconciliationResult",
    "count_candidates",
    "explanation_of",
    "reconcile",
    "transactions_frame",
]
