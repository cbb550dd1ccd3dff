"""``rapprochement customers import|list``: customers' master data (addresses, e-mails,
language, SIREN/VAT) that dunning letters are addressed with."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from rapprochement.cli import app
from rapprochement.cli.ledger import (
    DEFAULT_DB,
    DbOption,
    JsonOption,
    open_ledger,
    print_json,
)
from rapprochement.cli.output import cells, console, literal
from rapprochement.errors import InputError

__all__ = ["customers_app", "import_command", "list_command"]

customers_app = typer.Typer(
    help="Customers' master data: addresses, e-mails, language, SIREN/VAT.", no_args_is_help=True
)
app.add_typer(customers_app, name="customers")


def column_map(mapping: list[str] | None, example: str) -> dict[str, str]:
    """``--map ours=yours`` options as a dict; a malformed one is an InputError."""
    cmap: dict[str, str] = {}
    for item in mapping or []:
        ours, sep, theirs = item.partition("=")
        if not sep or not ours.strip() or not theirs.strip():
            raise InputError(f"--map {item!r}", hint=f"write --map {example}")
        cmap[ours.strip()] = theirs.strip()
    return cmap


@customers_app.command("import")
def import_command(
    file: Annotated[Path, typer.Argument(help="Customers CSV (one line per customer).")],
    db: DbOption = DEFAULT_DB,
    mapping: Annotated[
        list[str] | None,
        typer.Option("--map", help="Column mapping ours=yours, e.g. --map customer_id=Tiers."),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Import or update customers' master data; importing the same file again changes nothing.

    Columns (French or English headers): customer_id and name required; address, address2,
    postal_code, city, country, email (several separated by ';'), language (fr, en), siren,
    vat, contact, phone optional. SIREN and VAT numbers are checked; a bad line stops the
    import before anything is written.
    """
    cmap = column_map(mapping, "customer_id=YourColumn")
    with open_ledger(db, create=True) as ledger:
        summary = ledger.import_customers(file, column_map=cmap)
    if as_json:
        print_json(summary)
        return
    console().print(
        literal(
            f"Customers from {file}: {summary['rows']} rows, {summary['new']} new, "
            f"{summary['updated']} updated, {summary['unchanged']} unchanged"
        )
    )


@customers_app.command("list")
def list_command(db: DbOption = DEFAULT_DB, as_json: JsonOption = False) -> None:
    """Show the customers' master data."""
    with open_ledger(db) as ledger:
        records = ledger.customer_records()
    if as_json:
        print_json([r.model_dump(mode="json") for r in records.values()])
        return
    table = Table(title=literal("Customers"))
    for col in ("id", "address", "e-mail", "language", "SIREN", "VAT"):
        table.add_column(col)
    for r in records.values():
        table.add_row(
            *cells(
                r.customer_id,
                " / ".join(r.address_block),
                "; ".join(r.emails),
                r.language,
                r.siren or "",
                r.vat or "",
            )
        )
    console().print(table)
