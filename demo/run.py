"""``make demo``: the whole loop on the bundled data, into a fresh SQLite ledger.

import statements (CAMT.053, MT940 with an overlapping re-sent file, OFX) → import invoices →
reconcile → review → accept the confident suggestions (the ledger learns the payers) →
reconcile again → April: a tax refund (categorized, never matched) and a direct-debit return
(its invoice reopens) → a wrong automatic allocation undone → status → May: customers' master
data imported, dunning letters written as PDF with a manifest → HTML report → the unmatched
payments, one customer's account and the accountant's FEC file. Every
step is the ``rapprochement`` command a user would type; the ledger and the report are
written to ``demo/out/``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("COLUMNS", "150")  # readable tables when the output is not a terminal

from rich.console import Console

from demo.dunning_step import write_creditor, write_customers
from demo.lines_step import april_statement, undo_candidate
from demo.make_data import DATA
from rapprochement.cli import main as cli
from rapprochement.dunning.pdf import pdf_available
from rapprochement.errors import RapprochementError
from rapprochement.store import Ledger

OUT = Path(__file__).resolve().parent / "out"
STATEMENTS = ["2026-01.camt053.xml", "2026-02.sta", "2026-02-15-resent.sta", "2026-03.ofx"]
console = Console()


def _run(*argv: str) -> None:
    console.rule(f"[bold]rapprochement {' '.join(argv)}", align="left")
    code = cli(list(argv))
    if code != 0:
        console.print(f"[red]exit code {code}[/]")
        sys.exit(code)


def main(out: Path = OUT) -> Path:
    """Run the demo into ``out``; prints each step, the final status and the report's path.
    Returns the ledger's path."""
    out.mkdir(parents=True, exist_ok=True)
    db = out / "demo.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    opt = ["--db", str(db)]
    _run("import", *[str(DATA / f) for f in STATEMENTS], *opt)
    _run("import", str(DATA / "2026-02.sta"), *opt)  # again: nothing new
    _run("invoices", "import", str(DATA / "invoices.csv"), *opt)
    _run("reconcile", *opt)
    _run("review", "--limit", "8", *opt)
    with Ledger(db, user="demo") as ledger:
        sugg = ledger.suggestions()
        sure = sugg[sugg["score"] >= 0.5]
        decided: set[object] = set()
        accepted = 0
        for rec in sure.to_dict("records"):
            if rec["group_id"] is not None and rec["group_id"] in decided:
                continue  # accepting one row of a group accepts the group
            decided.add(rec["group_id"])
            try:
                ledger.accept(int(rec["suggestion_id"]), note="demo: accepted as confident")
                accepted += 1
            except RapprochementError as exc:  # it may conflict with one accepted before
                console.print(f"[yellow]skipped {rec['suggestion_id']}: {exc}[/]")
        st = ledger.status()
        console.rule(
            "[bold]a reviewer confirms the suggestions scoring ≥ 0.50 (Python API)", align="left"
        )
        console.print(
            f"{accepted} accepted; learned {st['learned_ibans']} payer IBAN(s) and "
            f"{st['learned_aliases']} name alias(es)"
        )
    _run("reconcile", *opt)
    april, reopened = april_statement(db, out)
    _run("import", str(april), *opt)
    _run("rules", "lines", "--category", "tax", *opt)
    _run("returns", *opt)
    console.print(f"the return reopened {reopened}; its collection is out of matching")
    _run("allocation", "undo", str(undo_candidate(db)), "--reason", "demo: wrong customer", *opt)
    _run("allocation", "history", *opt)
    _run("reconcile", *opt)
    _run("status", *opt)
    # May: chase what stays unpaid, one statement per customer, letters as PDF (a dry run:
    # nothing is e-mailed or recorded; `--send` would do both)
    _run("customers", "import", str(write_customers(out / "customers.csv")), *opt)
    creditor = write_creditor(out / "creditor.json")
    pdf = [] if pdf_available() else ["--no-pdf"]
    if pdf:
        console.print("PDF letters need Pango (`make system-deps`, root): letters as HTML and text")
    _run("dunning", "run", "--as-of", "2026-05-04", "--creditor", str(creditor),
         "--outbox", str(out / "outbox"), *pdf, *opt)  # fmt: skip
    report = out / "report.html"
    _run("report", "--html", str(report), *opt)
    # the daily queue: what nobody matched, one customer's account, the accountant's file
    _run("unmatched", *opt)
    with Ledger(db) as ledger:
        customer = str(ledger.open_items()["customer_id"].iat[0])
    _run("customer", customer, *opt)
    fec = out / "FEC.txt"
    _run("export", str(fec), "--fec", *opt)
    console.print(f"\nLedger: {db}\nReport: {report}\nFEC: {fec}")
    return db


if __name__ == "__main__":
    main()
