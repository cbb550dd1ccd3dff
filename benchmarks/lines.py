"""Bank lines that are not customer payments, and returns: the ``lines`` section of
``benchmarks/RESULTS.md``.

On the hard world of :mod:`benchmarks.gen_lines` (seeded): how many non-customer lines and
returns the matcher allocates automatically without rules and with the starter rules (in
memory, ``reconcile(..., rules=...)``), and through the SQLite ledger: the book is imported and
reconciled, then the returns arrive; return linking is scored against the truth (precision,
recall) and each invoice a returned payment had settled must be open again.

``python -m benchmarks.lines [--payments N] [--seed S]`` prints the section alone.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd

import rapprochement
from benchmarks.gen_lines import OWN_ACCOUNT, SECOND_ACCOUNT, LinesWorld, lines_world
from rapprochement.model import Entry, SourceRef, Statement, Transaction
from rapprochement.rules import load_rules, starter_rules
from rapprochement.store import Ledger

__all__ = ["measure", "run"]

SIZES = {"quick": 2000, "full": 10_000}
_MINE = load_rules(
    [{"id": "second-account", "category": "internal_transfer", "iban": [SECOND_ACCOUNT]}]
)


def _s(v: Any) -> str | None:
    return None if v is None or (isinstance(v, float) and v != v) or v == "" else str(v)


def _statement(df: pd.DataFrame, account: str, sid: str) -> Statement:
    entries = []
    for r in df.to_dict("records"):
        tx = Transaction(
            amount=r["amount"], currency="EUR", counterparty_name=_s(r["counterparty_name"]),
            counterparty_iban=_s(r["counterparty_iban"]), remittance_info=r["remittance_info"],
            structured_reference=_s(r["structured_reference"]),
            end_to_end_id=_s(r["end_to_end_id"]), return_reason=_s(r["return_reason"]),
        )  # fmt: skip
        entries.append(
            Entry(
                amount=r["amount"],
                currency="EUR",
                booking_date=r["booking_date"],
                value_date=r["value_date"],
                bank_transaction_code=_s(r["bank_transaction_code"]),
                bank_reference=r["transaction_id"],
                transactions=(tx,),
                source=SourceRef(file=sid),
                fingerprint=r["transaction_id"],
            )
        )
    return Statement(
        account_iban=account, currency="EUR", statement_id=sid, entries=tuple(entries),
        source_format="camt.053", source=SourceRef(file=sid),
    )  # fmt: skip


def _in_memory(w: LinesWorld) -> dict[str, Any]:
    d = w.data
    kw = {"customers": d.customers if len(d.customers) else None, "remittances": d.remittances}
    out: dict[str, Any] = {}
    for label, rules in (("no rules", None), ("starter rules", starter_rules().merged(_MINE))):
        res = rapprochement.reconcile(w.transactions, d.invoices, rules=rules, **kw)  # type: ignore[arg-type]
        auto = set(res.allocations.loc[res.allocations["status"] == "auto", "transaction_id"])
        sugg = set(res.allocations["transaction_id"]) - auto
        cat = set(res.categorized["transaction_id"])
        out[label] = {
            "auto": len(auto & set(w.lines)),
            "suggested": len(sugg & set(w.lines)),
            "categorized": len(cat & set(w.lines)),
            "customer_lines_categorized": len(cat - set(w.lines) - set(w.returns.values())),
            "match_rate": res.summary()["match_rate"],
        }
    return out


def _ledger(w: LinesWorld, work: Path) -> dict[str, Any]:
    tx = w.transactions
    is_return = tx["transaction_id"].isin(set(w.returns))
    internal = tx[tx["counterparty_iban"] == SECOND_ACCOUNT].copy()
    internal["transaction_id"] = "M" + internal["transaction_id"]
    internal["amount"] = -internal["amount"]
    internal["counterparty_iban"] = OWN_ACCOUNT
    with Ledger(work / "lines.db") as ledger:
        ledger.import_invoices(w.data.invoices)
        ledger.import_statements(
            [
                _statement(tx[~is_return], OWN_ACCOUNT, "S1"),
                _statement(internal, SECOND_ACCOUNT, "S2"),
            ]
        )
        ledger.reconcile()
        al = ledger.allocations()
        paid = al[
            al["invoice_id"].notna()
            & al["transaction_id"].isin({f"{o}-0" for o in w.returns.values()})
        ]
        owed = paid.groupby("invoice_id")["amount"].sum().to_dict()
        before = dict(
            zip(ledger.open_items()["invoice_id"], ledger.open_items()["open_amount"], strict=True)
        )
        t0 = time.perf_counter()
        ledger.import_statements(_statement(tx[is_return], OWN_ACCOUNT, "S3"))
        t_returns = time.perf_counter() - t0
        items = ledger.open_items()
        after = dict(zip(items["invoice_id"], items["open_amount"], strict=True))
        reopened = sum(
            1
            for i, amt in owed.items()
            if after.get(i, Decimal(0)) - before.get(i, Decimal(0)) == amt
        )
        ledger.reconcile()
        al = ledger.allocations()
        rets = ledger.returns()
        st = ledger.status()
    truth = {f"{k}-0": f"{v}-0" for k, v in w.returns.items()}
    links = {r: o for r, o in zip(rets["transaction_id"], rets["original_id"], strict=True) if o}
    right = sum(1 for r, o in links.items() if truth.get(r) == o)
    non_customer = {f"{k}-0" for k in w.lines} | {f"{k}-0" for k in internal["transaction_id"]}
    return {
        "non_customer_lines": len(non_customer),
        "allocated": len(set(al["transaction_id"]) & non_customer),
        "returned_payments_allocated": len(set(al["transaction_id"]) & set(truth.values())),
        "returns": len(truth),
        "returns_detected": len(set(rets["transaction_id"]) & set(truth)),
        "links": len(links),
        "link_precision": right / len(links) if links else 0.0,
        "link_recall": right / len(truth) if truth else 0.0,
        "invoices_to_reopen": len(owed),
        "invoices_reopened": reopened,
        "match_rate": st["match_rate"],
        "returns_import_s": t_returns,
    }


def measure(seed: int, n: int) -> dict[str, Any]:
    """The figures of the section for one book."""
    w = lines_world(seed, n)
    with tempfile.TemporaryDirectory(prefix="rap-lines-bench-") as tmp:
        ledger = _ledger(w, Path(tmp))
    return {"n": n, "seed": seed, "memory": _in_memory(w), "ledger": ledger}


def _pct(v: float) -> str:
    return f"{100 * v:.1f} %"


def run(
    tier: str = "quick", seed: int = 0, out_dir: Path = Path("benchmarks"), n: int | None = None
) -> str:
    """The lines section of ``benchmarks/RESULTS.md`` (Markdown)."""
    seed = seed or 1000
    m = measure(seed, n or SIZES[tier])
    mem, led = m["memory"], m["ledger"]
    a, b = mem["no rules"], mem["starter rules"]
    lines = [
        f"## Lines that are not customer payments, and returns — {m['n']:,} payments, seed {seed}",
        "",
        "The hard book plus non-customer lines (tax refunds, loan drawdowns, card settlements, "
        "transfers from a second own account, URSSAF, fees; half of the credits of exactly an "
        "open invoice's amount) and returns of paid collections (`benchmarks/gen_lines.py`).",
        "",
        "| in memory | non-customer lines auto-allocated | suggested | categorized |"
        " customer lines categorized | match rate (customer payments) |",
        "|---|---:|---:|---:|---:|---:|",
        f"| no rules | {a['auto']} | {a['suggested']} | {a['categorized']} | "
        f"{a['customer_lines_categorized']} | {_pct(a['match_rate'])} |",
        f"| starter rules | {b['auto']} | {b['suggested']} | {b['categorized']} | "
        f"{b['customer_lines_categorized']} | {_pct(b['match_rate'])} |",
        "",
        "Through the SQLite ledger (import, reconcile, then the returns arrive, reconcile again):",
        "",
        "| non-customer lines | allocated | returns | detected | linked | link precision |"
        " link recall | invoices the returned payments had settled | reopened |"
        " returned payments still allocated | match rate (customer payments) |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        f"| {led['non_customer_lines']} | {led['allocated']} | {led['returns']} | "
        f"{led['returns_detected']} | {led['links']} | {_pct(led['link_precision'])} | "
        f"{_pct(led['link_recall'])} | {led['invoices_to_reopen']} | {led['invoices_reopened']} | "
        f"{led['returned_payments_allocated']} | {_pct(led['match_rate'])} |",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Print the section for one book."""
    ap = argparse.ArgumentParser(prog="python -m benchmarks.lines")
    ap.add_argument("--payments", type=int, default=SIZES["quick"])
    ap.add_argument("--seed", type=int, default=1000)
    args = ap.parse_args(argv)
    print(run("quick", args.seed, n=args.payments))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
