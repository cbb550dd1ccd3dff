"""``rapprochement parse FILE…``: print normalized entries and check each statement's balances."""

from __future__ import annotations

import pickle
import sys
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from rapprochement.cli import EXIT_PROBLEMS, app
from rapprochement.cli.output import cells, console, line, literal
from rapprochement.cli.parse_json import Tally, write_json
from rapprochement.csv_out import write_csv
from rapprochement.model import Entry, Statement
from rapprochement.parsers import iter_statement, read_statement

__all__ = ["entry_rows", "parse_command", "stream_rows"]

_CSV_FIELDS = [
    "file",
    "statement",
    "account",
    "fingerprint",
    "booking_date",
    "value_date",
    "amount",
    "currency",
    "status",
    "reversal",
    "bank_transaction_code",
    "bank_reference",
    "detail",
    "detail_amount",
    "counterparty_name",
    "counterparty_iban",
    "remittance_info",
    "structured_reference",
    "end_to_end_id",
    "source",
]


#: Columns written as numbers in ``--csv``; every other cell is text (see rapprochement.csv_out).
_NUMERIC = ("amount", "detail", "detail_amount")


def _statement_fields(st: Statement, index: int) -> dict[str, Any]:
    return {
        "file": st.source.file,
        "statement": st.statement_id or str(index),
        "account": st.account,
    }


def _detail_rows(e: Entry) -> Iterator[dict[str, Any]]:
    """The rows of one entry without the statement's columns (one per transaction detail)."""
    base = {
        "fingerprint": e.fingerprint,
        "booking_date": e.booking_date.isoformat() if e.booking_date else "",
        "value_date": e.value_date.isoformat() if e.value_date else "",
        "amount": e.amount,
        "currency": e.currency,
        "status": e.status,
        "reversal": e.reversal,
        "bank_transaction_code": e.bank_transaction_code or "",
        "bank_reference": e.bank_reference or "",
        "source": e.source.describe(),
    }
    for j, tx in enumerate(e.transactions or ()):
        yield base | {
            "detail": j,
            "detail_amount": tx.amount,
            "counterparty_name": tx.counterparty_name or "",
            "counterparty_iban": tx.counterparty_iban or "",
            "remittance_info": tx.remittance_info,
            "structured_reference": tx.structured_reference or "",
            "end_to_end_id": tx.end_to_end_id or "",
        }


def entry_rows(statements: list[Statement]) -> list[dict[str, Any]]:
    """One flat row per transaction detail; amounts are ``Decimal``."""
    rows: list[dict[str, Any]] = []
    for i, st in enumerate(statements):
        head = _statement_fields(st, i)
        rows.extend(head | r for e in st.entries for r in _detail_rows(e))
    return rows


def stream_rows(
    files: Iterable[Path], balances: list[bool], *, fmt: str | None, strict: bool
) -> Iterator[dict[str, Any]]:
    """The rows of :func:`entry_rows`, file after file, with memory flat in the entries.

    A statement's own columns (its id, its account) are known only once its last entry is
    read, so its rows wait in a temporary file (pickled) until then. ``balances`` receives,
    per statement, whether its balances add up (or cannot be checked).
    """
    index = 0
    tally = Tally()
    with tempfile.TemporaryFile() as spool:
        for path in files:
            count = 0
            for item in iter_statement(path, format=fmt, strict=strict):
                if isinstance(item, Entry):
                    for row in _detail_rows(item):
                        pickle.dump(row, spool, protocol=pickle.HIGHEST_PROTOCOL)
                        count += 1
                    tally.add(item)
                    continue
                head = _statement_fields(item, index)
                index += 1
                spool.seek(0)
                for _ in range(count):
                    yield head | pickle.load(spool)
                spool.seek(0)
                spool.truncate()
                balances.append(tally.close(item))
                count = 0


def _balance_line(st: Statement) -> tuple[str, bool]:
    diff = st.balance_difference()
    opening = st.opening_balance.amount if st.opening_balance else None
    closing = st.closing_balance.amount if st.closing_balance else None
    head = (
        f"{st.source_format} {st.account or '?'} {st.currency or ''} "
        f"{st.statement_id or ''}: {len(st.entries)} entries, "
        f"credits {st.total_credits}, debits {st.total_debits}"
    )
    if diff is None:
        missing = "opening" if opening is None else "closing"
        return f"{head}; no {missing} balance in the file, nothing to check", True
    if diff == 0:
        return f"{head}; opening {opening} -> closing {closing}: balances add up", True
    return f"{head}; opening {opening} -> closing {closing}: OFF by {diff}", False


@app.command("parse")
def parse_command(
    files: Annotated[
        list[Path],
        typer.Argument(help="Statement files (CAMT, MT940/MT942, OFX, CFONB 120, bank CSV, ZIP)."),
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Print statements as JSON.")] = False,
    as_csv: Annotated[bool, typer.Option("--csv", help="Print one CSV row per detail.")] = False,
    fmt: Annotated[
        str | None,
        typer.Option(
            "--format", help="Force a parser: camt, mt940, ofx, cfonb, csv or an installed format."
        ),
    ] = None,
    strict: Annotated[bool, typer.Option(help="Fail on any finding.")] = False,
) -> None:
    """Parse statement files, print their entries and whether each statement's balances add up.

    Exit code 0 when every statement adds up (or has no balances to check), 1 when one does not,
    3 when a file cannot be read.
    """
    if as_json:  # streamed: memory flat in the entries (cli/parse_json.py)
        if not write_json(files, sys.stdout, fmt=fmt, strict=strict):
            raise typer.Exit(EXIT_PROBLEMS)
        return
    ok = True
    if as_csv:  # streamed too: rows written as the files are read
        balances: list[bool] = []
        rows = stream_rows(files, balances, fmt=fmt, strict=strict)
        write_csv(sys.stdout, _CSV_FIELDS, rows, numeric=_NUMERIC, lineterminator="\n")
        ok = all(balances)
    else:
        statements: list[Statement] = []
        for f in files:
            statements.extend(read_statement(f, format=fmt, strict=strict))
        out = console()
        for st in statements:
            table = Table(title=literal(st.source.describe()), show_lines=False, expand=False)
            for col in ("booked", "amount", "counterparty", "remittance / reference"):
                table.add_column(col, justify="right" if col == "amount" else "left")
            for e in st.entries:
                tx = e.transactions[0] if e.transactions else None
                who = (tx.counterparty_name or tx.counterparty_iban or "") if tx else ""
                text = (tx.structured_reference or tx.remittance_info) if tx else ""
                extra = f" (+{len(e.transactions) - 1} details)" if len(e.transactions) > 1 else ""
                table.add_row(
                    *cells(
                        e.booking_date or e.value_date or "",
                        f"{e.amount} {e.currency}",
                        who[:40],
                        (text or e.additional_info or "")[:60] + extra,
                    )
                )
            out.print(table)
            summary, good = _balance_line(st)
            ok &= good
            out.print(line(("✓ ", "green") if good else ("✗ ", "red"), summary))
            for fnd in st.findings:
                out.print(line("  ", (fnd.severity, "yellow"), f" [{fnd.code}] {fnd.message}"))
    if not ok:
        raise typer.Exit(EXIT_PROBLEMS)
