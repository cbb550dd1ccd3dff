"""Ledger benchmark: the workflow through the store vs the same work in memory, and learning.

``run(tier)`` imports the generated book's bank lines (written as a CAMT.053 file) and its
invoices into a fresh SQLite ledger, reconciles, and compares with parsing and matching the same
data in memory. A second part shows learning: half the book is reconciled and a reviewer accepts
the right suggestions and rejects the wrong ones (by the ground truth); the next half is then
matched by a ledger that learned nothing, one that learned the payers only, and one whose scores
also learned from the decisions (ADR 0018). Run alone: ``python -m benchmarks.ledger --tier
quick``.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from benchmarks.generator import generate
from benchmarks.section import section_main
from benchmarks.writers import write_camt053
from rapprochement import read_statement
from rapprochement.errors import RapprochementError
from rapprochement.matching.engine import reconcile
from rapprochement.matching.frames import transactions_frame
from rapprochement.report import write_report
from rapprochement.store import Ledger

__all__ = ["run"]

SIZES = {"quick": 2_000, "full": 100_000}
LEARN_SIZES = {"quick": 2_000, "full": 10_000}


def _timed(fn: Callable[..., Any], *a: Any, **kw: Any) -> tuple[Any, float]:
    t0 = time.perf_counter()
    out = fn(*a, **kw)
    return out, time.perf_counter() - t0


class _TimedMatcher:
    def __init__(self) -> None:
        self.seconds = 0.0
        self.__name__ = "reconcile"
        self.__module__ = "rapprochement.matching.engine"

    def __call__(self, *a: Any, **kw: Any) -> Any:
        out, s = _timed(reconcile, *a, **kw)
        self.seconds += s
        return out


def _speed(n: int, seed: int, work: Path, url: str | None) -> list[dict[str, Any]]:
    ds = generate(seed=seed, n_payments=n, difficulty="hard")
    path = work / f"book-{n}.xml"
    write_camt053(ds.transactions, path)
    stmts, t_parse = _timed(read_statement, path)
    frame = transactions_frame(stmts)
    _res, t_match = _timed(reconcile, frame, ds.invoices)
    rows = [{"step": "parse the CAMT file (in memory)", "backend": "-", "s": t_parse},
            {"step": "match (in memory)", "backend": "-", "s": t_match}]  # fmt: skip
    targets = [("SQLite", f"sqlite:///{work / f'bench-{n}.db'}")]
    if url:
        targets.append(("PostgreSQL", url))
    for backend, target in targets:
        ledger = Ledger(target)
        s_imp, t_imp = _timed(ledger.import_statements, path)
        again, t_again = _timed(ledger.import_statements, path)
        inv, t_inv = _timed(ledger.import_invoices, ds.invoices)
        matcher = _TimedMatcher()
        rs, t_rec = _timed(ledger.reconcile, matcher=matcher)
        queue, t_queue = _timed(ledger.unmatched)
        fec, t_fec = _timed(ledger.export_fec, work / f"fec-{n}-{backend}.txt")
        _, t_report = _timed(write_report, ledger, work / f"report-{n}-{backend}.html")
        ledger.close()
        rows += [
            {"step": f"import statements ({s_imp.entries_new} new entries)", "backend": backend,
             "s": t_imp, "vs": t_imp / t_parse},
            {"step": f"import again ({again.entries_known} known, 0 new)", "backend": backend,
             "s": t_again, "vs": t_again / t_parse},
            {"step": f"import invoices ({inv.new})", "backend": backend, "s": t_inv},
            {"step": f"reconcile ({rs.auto_allocations} auto, {rs.suggestions} suggested)",
             "backend": backend, "s": t_rec, "vs": t_rec / t_match},
            {"step": "  of which matcher", "backend": backend, "s": matcher.seconds},
            {"step": f"unmatched list ({len(queue)} lines, with candidates)", "backend": backend,
             "s": t_queue},
            {"step": f"FEC export ({len(fec.lines)} journal lines)", "backend": backend,
             "s": t_fec},
            {"step": "HTML report", "backend": backend, "s": t_report},
        ]  # fmt: skip
    return rows


def _truth_pairs(truth: pd.DataFrame) -> set[tuple[str, str]]:
    t = truth[truth["invoice_id"].notna()]
    return set(zip(t["transaction_id"].astype(str), t["invoice_id"].astype(str), strict=True))


#: The worlds of the learning table: the hard book, and the hard book where payers are often
#: not the customer (a parent company, a factor, an accountant pays for half the customers).
LEARN_WORLDS: dict[str, dict[str, float]] = {
    "hard": {},
    "hard, payers often not the customer": {"payer_not_customer": 0.5},
}


#: The ledgers of the learning table: (label, the reviewer decides the first run's
#: suggestions, the second reconcile scores with what the decisions taught).
LEARN_ROWS: tuple[tuple[str, bool, bool], ...] = (
    ("no review", False, False),
    ("reviewer decides; learned payers only", True, False),
    ("reviewer decides; learned payers and scores", True, True),
)


def _learning(n: int, seed: int, work: Path, **rates: float) -> dict[str, Any]:
    ds = generate(seed=seed, n_payments=n, difficulty="hard", **rates)
    work = work / ("learn-" + ("-".join(f"{k}-{v}" for k, v in sorted(rates.items())) or "base"))
    work.mkdir()
    tx = ds.transactions.sort_values(["booking_date", "transaction_id"])
    cut = tx["booking_date"].iloc[len(tx) // 2]
    halves = [tx[tx["booking_date"] < cut], tx[tx["booking_date"] >= cut]]
    files = []
    for k, half in enumerate(halves):
        p = work / f"learn-{k}.xml"
        write_camt053(half, p)
        files.append(p)
    truth = _truth_pairs(ds.truth)
    out: dict[str, Any] = {"lines_second_half": len(halves[1])}
    for k, (label, review, learn) in enumerate(LEARN_ROWS):
        ledger = Ledger(work / f"learn-{k}.db")
        ledger.import_invoices(ds.invoices)
        ledger.import_statements(files[0])
        ledger.reconcile()
        accepted = rejected = 0
        if review:
            accepted, rejected = _review(ledger, truth)
        before = _cash_rows(ledger)
        ledger.import_statements(files[1])
        rs = ledger.reconcile(learn=learn)
        st = ledger.status()
        # like for like: the second run's automatic pairs on the second half's own lines (the
        # first half's pending suggestions differ between the two ledgers)
        al = ledger.allocations()
        new = al[
            (al["run_id"] == rs.run_id)
            & (al["source"] == "auto")
            & al["invoice_id"].notna()
            & (pd.to_datetime(al["booking_date"]) >= pd.Timestamp(cut))
        ]
        _ID_CACHE.pop(id(ledger), None)  # the ids seen during the review miss the second half
        auto_ids = zip(new["transaction_id"], new["invoice_id"], strict=True)
        pairs = {(str(a), str(b)) for a, b in auto_ids}
        right = sum(
            _is_right({"transaction_id": a, "invoice_id": b}, truth, ledger) for a, b in pairs
        )
        out[label] = {
            "accepted": accepted,
            "rejected": rejected,
            "learned_from": rs.learned_from,
            "learned_ibans": st["learned_ibans"],
            "learned_aliases": st["learned_aliases"],
            "auto_second_half": _cash_rows(ledger) - before,  # the second run's autos
            "suggested_second_half": rs.suggestions,
            "matched_lines_second_half": rs.matched_transactions,
            "new_auto_pairs": len(pairs),
            "new_auto_right": right,
        }
        ledger.close()
        _ID_CACHE.pop(id(ledger), None)  # a later ledger may get the same id()
    return out


_ID_CACHE: dict[int, dict[str, str]] = {}


def _review(ledger: Ledger, truth: set[tuple[str, str]]) -> tuple[int, int]:
    """A reviewer deciding every suggestion by the ground truth, as a whole: a grouped
    suggestion (accepted or rejected as one) is accepted only when each of its invoices is
    right, else rejected. Returns how many were accepted and rejected."""
    sugg = ledger.suggestions().to_dict("records")
    whole: dict[Any, list[dict[str, Any]]] = {}
    for s in sugg:
        key = (s["run_id"], s["group_id"]) if s["group_id"] else s["suggestion_id"]
        whole.setdefault(key, []).append(s)
    accepted = rejected = 0
    for rows in sorted(whole.values(), key=lambda r: int(r[0]["suggestion_id"])):
        named = [r for r in rows if r["invoice_id"] is not None]
        right = bool(named) and all(_is_right(r, truth, ledger) for r in named)
        try:
            if right:
                ledger.accept(int(rows[0]["suggestion_id"]))
                accepted += 1
            else:
                ledger.reject(int(rows[0]["suggestion_id"]))
                rejected += 1
        except RapprochementError:  # decided with its group already, or its money is taken
            continue
    return accepted, rejected


def _cash_rows(ledger: Ledger) -> int:
    """Allocation rows that move cash (write-offs of fees and discounts left out)."""
    from rapprochement.store.write_offs import WRITE_OFF_ROW_KINDS

    al = ledger.allocations()
    return int((~al["kind"].isin(WRITE_OFF_ROW_KINDS)).sum())


def _is_right(s: dict[str, Any], truth: set[tuple[str, str]], ledger: Ledger) -> bool:
    """Is a suggestion right by the ground truth? Ledger ids are entry fingerprints, so the
    dataset id is found through the bank reference the writer stored on each entry."""
    key = id(ledger)
    if key not in _ID_CACHE:
        from sqlalchemy import select

        from rapprochement.store import schema as t

        with ledger.engine.connect() as conn:
            q = select(t.transactions.c.transaction_id, t.entries.c.bank_reference).join(
                t.entries, t.entries.c.id == t.transactions.c.entry_pk
            )
            _ID_CACHE[key] = {r[0]: str(r[1]) for r in conn.execute(q)}
    dataset_id = _ID_CACHE[key].get(str(s["transaction_id"]), "")
    return s["invoice_id"] is not None and (dataset_id, str(s["invoice_id"])) in truth


def _table(rows: list[dict[str, Any]]) -> str:
    out = ["| step | backend | seconds | × in-memory |", "|---|---|---:|---:|"]
    for r in rows:
        vs = f"{r['vs']:.2f}" if r.get("vs") is not None else ""
        out.append(f"| {r['step']} | {r['backend']} | {r['s']:.2f} | {vs} |")
    return "\n".join(out)


def run(tier: str = "quick", seed: int = 0, out_dir: Path = Path("benchmarks")) -> str:
    """The ledger section of ``benchmarks/RESULTS.md`` (Markdown)."""
    n = SIZES[tier]
    seed = seed or 1000
    with tempfile.TemporaryDirectory(prefix="rap-ledger-bench-") as tmp:
        work = Path(tmp)
        rows = _speed(n, seed, work, os.environ.get("RAPPROCHEMENT_PG_URL"))
        learn = {
            world: _learning(LEARN_SIZES[tier], seed + 1, work, **rates)
            for world, rates in LEARN_WORLDS.items()
        }
    lines = [
        f"## Ledger (store) — {tier} tier, {n:,} payments, seed {seed}",
        "",
        "The whole workflow through the SQLite ledger (one transaction per import and per",
        'reconcile) against the same parse and match in memory. "× in-memory" divides the',
        "store step by the in-memory step it contains (import ÷ parse, reconcile ÷ match).",
        "",
        _table(rows),
        "",
        f"### Learning ({LEARN_SIZES[tier]:,} payments, split in two halves by date)",
        "",
        "The second reconcile (after importing the second half) without and with the decisions",
        "of a reviewer on the first run's suggestions (right ones accepted, wrong ones rejected),",
        "learning the payers only or also the scores (`Ledger.reconcile(learn=...)`):",
        "",
        "| world | ledger | accepted / rejected | learned IBANs / aliases |"
        " scores learned from | 2nd run: auto allocations |"
        " 2nd run: lines auto-matched | 2nd run: suggestions |"
        " second-half lines: right auto pairs (precision) |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for world, res in learn.items():
        for label, _review_on, _learn_on in LEARN_ROWS:
            v = res[label]
            prec = v["new_auto_right"] / v["new_auto_pairs"] if v["new_auto_pairs"] else 0.0
            learned = f"{v['learned_from']} decisions" if v["learned_from"] else "-"
            lines.append(
                f"| {world} | {label} | {v['accepted']} / {v['rejected']} |"
                f" {v['learned_ibans']} / {v['learned_aliases']} | {learned} |"
                f" {v['auto_second_half']} | {v['matched_lines_second_half']} |"
                f" {v['suggested_second_half']} | {v['new_auto_right']} ({prec:.1%}) |"
            )
    lines += [
        "",
        "The first four counts include what the second run does with the first half's lines,",
        "which differ between the two ledgers (accepted vs still pending); the last column counts",
        "only the automatic pairs of the second half's own lines that the ground truth confirms.",
    ]
    return "\n".join(lines) + "\n"


def main() -> None:
    """Print the section for one tier."""
    section_main("python -m benchmarks.ledger", SIZES, run)


if __name__ == "__main__":
    main()
