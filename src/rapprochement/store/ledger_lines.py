"""The :class:`~rapprochement.store.Ledger` methods for line rules, returns and undo (a mixin,
kept apart from the import / reconcile / review core)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from rapprochement.rules.load import RuleSource, load_rules
from rapprochement.rules.match import CompiledRule
from rapprochement.rules.model import RuleSet
from rapprochement.store import line_views as _views
from rapprochement.store import lines as _lines
from rapprochement.store import returns as _returns
from rapprochement.store import undo as _undo
from rapprochement.store.ledger_base import LedgerPlumbing

__all__ = ["LineMethods", "RulesUpdate"]


@dataclass(frozen=True)
class RulesUpdate:
    """Outcome of :meth:`LineMethods.set_rules`.

    Attributes:
        version: the rule set version now in force.
        rules: how many rules it holds.
        matching_nothing: ids of the rules that match no booked line of the ledger (a typo in
            a pattern, a code the bank does not send): kept, but worth a look.
        applied: what applying the new set changed (as ``ImportSummary.line_rules``).
    """

    version: int
    rules: int
    matching_nothing: list[str]
    applied: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict."""
        return dataclasses.asdict(self)


class LineMethods(LedgerPlumbing):
    """Line rules, categories, returns and undo on the ledger."""

    def rules(self) -> tuple[int, RuleSet]:
        """(version, rule set) in force; version 0 is the starter set of a new ledger."""
        with self._read("rules") as conn:
            return _lines.current_rules(conn)

    def set_rules(self, rules: RuleSource, *, replace: bool = False, note: str = "") -> RulesUpdate:
        """Save a new rule set version and apply it to the open lines.

        Args:
            rules: a RuleSet, a ``.json`` / ``.toml`` file, or rule data (see
                :func:`~rapprochement.rules.load_rules`).
            replace: replace the rules in force (an empty set turns categorization off);
                by default the rules are added to them (a rule of the same id replaces one).
            note: why, kept with the version.

        Raises:
            ConfigError: a malformed rule, named with its field; nothing is saved.
        """
        new = load_rules(rules)
        with self._write("set rules") as conn:
            _, current = _lines.current_rules(conn)
            merged = new if replace else current.merged(new)
            version = _lines.save_rules(conn, merged, by=self.user, note=note)
            facts = _lines.open_line_facts(conn, open_only=False)
            own = frozenset(_lines.own_ibans(conn))
            idle = [
                r.id
                for r in new.rules
                if not any(CompiledRule(r).why(f, own) is not None for f in facts)
            ]
            applied = _lines.apply_line_rules(conn, by=self.user)
        return RulesUpdate(version, len(merged), idle, dataclasses.asdict(applied))

    def line_categories(self) -> pd.DataFrame:
        """Categorized lines with their category, account code, rule and reason."""
        with self._read("line categories") as conn:
            return _views.categories_frame(conn)

    def returns(self) -> pd.DataFrame:
        """Returns, rejects and reversals: the payment each returns, the reason, the evidence
        of the link, and the invoices reopened."""
        with self._read("returns") as conn:
            return _returns.returns_frame(conn)

    def unallocate(self, allocation_ids: int | Iterable[int], *, reason: str = "") -> list[str]:
        """Undo allocations (each with the rest of its grouped payment and its write-off) in
        one transaction; returns the invoices reopened. The pairs are not proposed again
        until new evidence appears.

        Raises:
            NotFoundError: no such allocation (or already undone); nothing is undone.
        """
        ids = [allocation_ids] if isinstance(allocation_ids, int) else list(allocation_ids)
        with self._write("unallocate") as conn:
            return _undo.undo_allocations(conn, ids, by=self.user, reason=reason)

    def undo_run(
        self, run_id: int, *, reason: str = "", reject: bool = False
    ) -> tuple[int, list[str]]:
        """Undo every automatic allocation of one reconcile run; returns (rows, invoices
        reopened). A rollback by default: the next reconcile may make the same allocations
        and nothing is learned. ``reject=True``: each allocation was wrong (its pair is not
        proposed again without new evidence, and automatic scores learn from it)."""
        with self._write("undo run") as conn:
            return _undo.undo_run(conn, run_id, by=self.user, reason=reason, reject=reject)

    def undone_allocations(self) -> pd.DataFrame:
        """The audit trail of undone and return-reversed allocations."""
        with self._read("undone allocations") as conn:
            return _views.undone_frame(conn)
