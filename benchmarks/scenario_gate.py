"""The scenario gate: a weights file is not shipped if it makes a hand-made scenario wrong.

The scenarios under ``tests/scenarios/<name>/`` are the classes of issue 12 written by hand
(an exact reference beside an equal amount elsewhere, a reference to another customer's
invoice that is a typo, an amount alone...). A fit on generated books can learn that such a
reading is fine when its books never hold the class; the gate runs every scenario with the
fitted file (``MatchConfig(weights_path=...)``) and lists

* ``wrong_auto``: scenarios in which an automatic allocation is not one the scenario expects
  automatic (the worst outcome: a wrong balance on a customer's account);
* ``failed``: scenarios whose allocations are not exactly the expected ones (a held
  suggestion, a missed match: worse, but not wrong).

:func:`benchmarks.train.main` refuses to write the shipped file when ``wrong_auto`` is not
empty, and prints both lists.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import pandas as pd

from rapprochement.matching.config import MatchConfig
from rapprochement.matching.engine import reconcile

__all__ = ["SCENARIOS", "GateResult", "check", "compare"]

SCENARIOS = Path(__file__).resolve().parent.parent / "tests" / "scenarios"

Row = tuple[str, str, Decimal, str, str]


@dataclass
class GateResult:
    """Names of the scenarios a weights file gets wrong."""

    wrong_auto: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    checked: int = 0

    @property
    def safe(self) -> bool:
        """No scenario has a wrong automatic allocation."""
        return not self.wrong_auto

    def summary(self) -> str:
        """One line per list, for the training log."""
        return (
            f"scenario gate: {self.checked} scenarios, "
            f"{len(self.wrong_auto)} with a wrong automatic allocation"
            f"{': ' + ', '.join(self.wrong_auto) if self.wrong_auto else ''}; "
            f"{len(self.failed)} not as expected"
            f"{': ' + ', '.join(self.failed) if self.failed else ''}"
        )


def _csv(path: Path) -> pd.DataFrame | None:
    if not path.is_file():
        return None
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def _fits(got: Row, exp: Row) -> bool:
    return (
        got[0] == exp[0]
        and exp[1] in ("*", got[1])
        and got[2] == exp[2]
        and exp[3] in ("*", got[3])
        and got[4] == exp[4]
    )


def compare(got: pd.DataFrame, expected: pd.DataFrame) -> tuple[bool, bool]:
    """``(exact, wrong_auto)`` of allocations ``got`` against a scenario's ``expected.csv``
    rows: are they exactly the expected rows (``*`` accepts any invoice or status), and is
    one of the automatic ones expected by no row that allows it to be automatic?"""
    rows: list[Row] = [
        (str(t), str(i or ""), Decimal(str(a)), str(s), str(k))
        for t, i, a, s, k in zip(
            got["transaction_id"],
            got["invoice_id"],
            got["amount"],
            got["status"],
            got["kind"],
            strict=True,
        )
    ]
    exp: list[Row] = [
        (str(t), str(i), Decimal(str(a)), str(s), str(k))
        for t, i, a, s, k in zip(
            expected["transaction_id"],
            expected["invoice_id"],
            expected["amount"],
            expected["status"],
            expected["kind"],
            strict=True,
        )
    ]
    auto_ok = [e for e in exp if e[3] in ("*", "auto")]
    wrong_auto = any(g[3] == "auto" and not any(_fits(g, e) for e in auto_ok) for g in rows)
    left = list(rows)
    for e in exp:
        hit = next((g for g in left if _fits(g, e)), None)
        if hit is None:
            return False, wrong_auto
        left.remove(hit)
    return not left, wrong_auto


def check(weights: Path | None, scenarios: Path = SCENARIOS) -> GateResult:
    """Run every scenario folder under ``scenarios`` scored with the weights file
    ``weights`` (None: the shipped one) and list those it gets wrong."""
    out = GateResult()
    path = None if weights is None else str(weights)
    for d in sorted(p for p in scenarios.iterdir() if (p / "expected.csv").is_file()):
        tx, inv, exp = (
            _csv(d / "transactions.csv"),
            _csv(d / "invoices.csv"),
            _csv(d / "expected.csv"),
        )
        if tx is None or inv is None or exp is None:
            continue
        # a scenario's own settings (config.json, e.g. a low auto threshold), then the weights
        cfg = d / "config.json"
        own = json.loads(cfg.read_text()) if cfg.is_file() else {}
        config = MatchConfig(**{**own, "weights_path": path})
        res = reconcile(
            tx,
            inv,
            remittances=_csv(d / "remittances.csv"),
            customers=_csv(d / "customers.csv"),
            config=config,
        )
        exact, wrong = compare(res.allocations, exp)
        out.checked += 1
        if wrong:
            out.wrong_auto.append(d.name)
        if not exact:
            out.failed.append(d.name)
    return out
