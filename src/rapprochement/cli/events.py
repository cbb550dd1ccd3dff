"""``rapprochement dunning dispute|promise|events|close``: disputes and promises to pay.

A dispute (litige) pauses dunning of its invoice from ``--from`` (default today) until it is
closed or its ``--until`` day has passed; a promise to pay pauses it until its ``--date``. The
dunning planner and the cash forecast read them from the ledger; the HTML report lists them.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import typer
from rich.table import Table

from rapprochement.cli.dunning import dunning_app
from rapprochement.cli.ledger import (
    DEFAULT_DB,
    DbOption,
    JsonOption,
    open_ledger,
    parse_date,
    print_json,
)
from rapprochement.cli.output import cells, console, line, literal
from rapprochement.errors import DateError

__all__ = ["close_command", "dispute_command", "events_command", "promise_command"]

FromOption = Annotated[
    str | None, typer.Option("--from", help="First day it holds (default: today), YYYY-MM-DD.")
]
NoteOption = Annotated[str, typer.Option("--note", help="What the customer said, who, where.")]


def _record(
    db: str, invoice: str, kind: str, start: dt.date, end: dt.date | None, note: str
) -> int:
    with open_ledger(db) as ledger:
        return ledger.add_invoice_event(invoice, kind, start, end, note)


@dunning_app.command("dispute")
def dispute_command(
    invoice: Annotated[str, typer.Argument(help="The invoice disputed.")],
    until: Annotated[
        str | None, typer.Option("--until", help="Last day of the pause (default: until closed).")
    ] = None,
    start: FromOption = None,
    note: NoteOption = "",
    db: DbOption = DEFAULT_DB,
) -> None:
    """Record a dispute (litige): the invoice is not dunned while it holds."""
    first = parse_date(start, "--from") or dt.date.today()
    event = _record(db, invoice, "dispute", first, parse_date(until, "--until"), note)
    console().print(line(f"dispute {event} on {invoice} from {first}"), soft_wrap=True)


@dunning_app.command("promise")
def promise_command(
    invoice: Annotated[str, typer.Argument(help="The invoice the customer promised to pay.")],
    date: Annotated[str, typer.Option("--date", help="Promised payment date, YYYY-MM-DD.")],
    start: FromOption = None,
    note: NoteOption = "",
    db: DbOption = DEFAULT_DB,
) -> None:
    """Record a promise to pay: the invoice is not dunned until the promised date."""
    first = parse_date(start, "--from") or dt.date.today()
    day = parse_date(date, "--date")
    assert day is not None
    if day < first:
        raise DateError(f"--date {day} is before --from {first}", hint="a promise is for later")
    event = _record(db, invoice, "promise", first, day, note)
    console().print(line(f"promise {event} on {invoice}: pay by {day}"), soft_wrap=True)


@dunning_app.command("events")
def events_command(
    db: DbOption = DEFAULT_DB,
    as_of: Annotated[str | None, typer.Option("--as-of", help="Day (default: today).")] = None,
    all_rows: Annotated[bool, typer.Option("--all", help="Include ended ones.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Disputes and promises to pay (those that hold today; --all: every one)."""
    day = parse_date(as_of, "--as-of") or dt.date.today()
    with open_ledger(db) as ledger:
        df = ledger.dunning_events(day, active_only=not all_rows)
    recs = df.to_dict("records")
    if as_json:
        print_json(recs)
        return
    table = Table(title=literal(f"Disputes and promises on {day}"), title_justify="left")
    for col in ("id", "kind", "invoice", "customer", "open", "from", "until", "holds", "note"):
        table.add_column(col)
    for r in recs:
        table.add_row(
            *cells(
                r["id"],
                r["kind"],
                r["invoice_id"],
                r["customer_name"] or r["customer_id"],
                f"{r['open_amount']} {r['currency']}",
                r["start"],
                r["end"] or "",
                "yes" if r["active"] else "no",
                r["note"],
            )
        )
    console().print(table)


@dunning_app.command("close")
def close_command(
    event: Annotated[int, typer.Argument(help="Id of the dispute or promise (dunning events).")],
    on: Annotated[
        str | None, typer.Option("--on", help="Last day it holds (default: today).")
    ] = None,
    reason: Annotated[str, typer.Option("--reason", help="Settled, kept, broken…")] = "",
    db: DbOption = DEFAULT_DB,
) -> None:
    """End a dispute (settled) or a promise (kept or broken): dunning resumes the next day."""
    day = parse_date(on, "--on") or dt.date.today()
    with open_ledger(db) as ledger:
        invoice = ledger.close_invoice_event(event, day, reason=reason)
    console().print(line(f"{event} on {invoice} closed on {day}"), soft_wrap=True)
