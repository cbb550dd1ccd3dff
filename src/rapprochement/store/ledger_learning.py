"""The :class:`~rapprochement.store.Ledger` methods that show, refit and reset what the ledger
learned from its decisions (a mixin; see :mod:`rapprochement.store.learned_weights`)."""

from __future__ import annotations

from typing import Any

from rapprochement.matching.scoring import Weights, load_weights
from rapprochement.store import learned_weights as _learned
from rapprochement.store.ledger_base import LedgerPlumbing

__all__ = ["LearningMethods", "base_weights"]


def base_weights(config: Any = None) -> Weights:
    """The shipped scores (or those of ``config.weights_path``) learning starts from."""
    return load_weights(getattr(config, "weights_path", None))


class LearningMethods(LedgerPlumbing):
    """What the ledger learned from accepted, rejected and undone allocations."""

    def learning(self) -> dict[str, Any]:
        """What the ledger learned: ``state`` (``shipped``: nothing yet, ``learned``,
        ``reset``), how many decisions the last fit used and when, the decisions since it
        (``new_decisions``), and its adjustments (``largest``: the biggest, as text)."""
        with self._read("read what the ledger learned") as conn:
            return _learned.learning_status(conn)

    def learn(self, config: Any = None) -> Weights | None:
        """Refit now from the decisions since the last reset (reconcile does it by itself);
        returns the weights the next reconcile will use, None when there is nothing to learn
        from. ``config``: a :class:`~rapprochement.matching.config.MatchConfig` whose
        ``weights_path`` names other base scores."""
        with self._write("learn from decisions") as conn:
            return _learned.refresh(conn, base_weights(config), by=self.user)

    def reset_learning(self) -> int:
        """Go back to the shipped scores: the decisions so far are not learned from again
        (later ones are). Returns how many decisions the forgotten fit used."""
        with self._write("reset learning") as conn:
            return _learned.reset(conn, by=self.user)
