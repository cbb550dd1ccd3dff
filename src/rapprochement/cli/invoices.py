"""``rapprochement invoices import|settled|reopen|imports``: open items from the ERP.

``invoices import FILE`` reads a CSV or ``.xlsx`` export (French and English header names are
recognised; ``--map`` and ``--profile`` name the others). With ``--snapshot`` the file is the
complete list of open items: an open invoice it does not list is closed as settled outside the
bank, listed in the summary, and can be reopened (``invoices reopen``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.table import Table

from rapprochement.cli import err_console
from rapprochement.cli.ledger import (
    DEFAULT_DB,
    DbOption,
    JsonOption,
    invoices_app,
    kv_table,
    open_ledger,
    print_json,
)
from rapprochement.cli.output import cells, console, line, literal
from rapprochement.cli.progress import stages
from rapprochement.errors import InputError
from rapprochement.store.invoice_columns import load_profile, save_profile
from rapprochement.store.invoices import read_invoice_table

__all__ = ["invoices_import", "invoices_reopen", "invoices_settled"]


def _mapping(profile: Path | None, items: list[str] | None) -> dict[str, str]:
    cmap = load_profile(profile) if profile is not None else {}
    for item in items or []:
        ours, sep, theirs = item.partition("=")
        if not sep or not ours.strip() or not theirs.strip():
            raise InputError(f"--map {item!r}", hint="write --map invoice_id=YourColumn")
        cmap[ours.strip()] = theirs.strip()
    return cmap


@invoices_app.command("import")
def invoices_import(
    file: Annotated[Path, typer.Argument(help="Invoices CSV or .xlsx (open items).")],
    db: DbOption = DEFAULT_DB,
    mapping: Annotated[
        list[str] | None,
        typer.Option("--map", help="Column mapping ours=yours, e.g. --map invoice_id=Numero."),
    ] = None,
    profile: Annotated[
        Path | None, typer.Option("--profile", help="Column mapping saved as TOML.")
    ] = None,
    save: Annotated[
        Path | None,
        typer.Option("--save-profile", help="Save the columns used as a TOML profile."),
    ] = None,
    snapshot: Annotated[
        bool,
        typer.Option(
            "--snapshot",
            help="The file is the complete list of open items: close the open invoices it "
            "does not list (settled outside the bank; reversible).",
        ),
    ] = False,
    sheet: Annotated[str | None, typer.Option("--sheet", help="Sheet of an .xlsx file.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Import or update invoices; importing the same file again changes nothing."""
    cmap = _mapping(profile, mapping)
    if save is not None:
        _, used = read_invoice_table(file, cmap, sheet=sheet)
        save_profile(save, used)
    with open_ledger(db, create=True) as ledger, stages(err_console, quiet=as_json) as shown:
        shown.stage(f"importing invoices from {file}")
        summary = ledger.import_invoices(file, column_map=cmap, snapshot=snapshot, sheet=sheet)
    if as_json:
        print_json(summary.to_dict())
        return
    rows = [
        ("rows", summary.rows),
        ("new", summary.new),
        ("updated", summary.updated),
        ("unchanged", summary.unchanged),
        ("new customers", summary.customers_new),
    ]
    if summary.snapshot:
        rows.append(("closed: settled outside the bank", len(summary.closed)))
    if summary.reopened:
        rows.append(("reopened: listed again", len(summary.reopened)))
    title = f"Invoices from {file} (import {summary.import_id})"
    console().print(kv_table(title, rows))
    for c in summary.closed:
        console().print(
            line(
                ("closed", "yellow"),
                f" {c['invoice_id']} {c['customer_id']} {c['open_amount']} {c['currency']}",
            ),
            soft_wrap=True,
        )
    if summary.closed:
        console().print(
            line(f"Undo with: rapprochement invoices reopen --import {summary.import_id}"),
            soft_wrap=True,
        )
    if save is not None:
        console().print(line(f"profile saved to {save}"))


@invoices_app.command("settled")
def invoices_settled(
    db: DbOption = DEFAULT_DB,
    all_rows: Annotated[
        bool, typer.Option("--all", help="Include the reopened ones (the audit trail).")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Invoices closed as settled outside the bank by snapshot imports."""
    with open_ledger(db) as ledger:
        df = ledger.settled_outside(active_only=not all_rows)
    recs = df.to_dict("records")
    if as_json:
        print_json(recs)
        return
    table = Table(title=literal("Settled outside the bank"), title_justify="left")
    for col in ("invoice", "customer", "open amount closed", "import", "when", "reopened"):
        table.add_column(col)
    for r in recs:
        when = r["created_at"].strftime("%Y-%m-%d %H:%M")
        back = (
            "" if pd.isna(r["reopened_at"]) else f"{r['reopened_at']:%Y-%m-%d} {r['reopen_reason']}"
        )
        table.add_row(
            *cells(
                r["invoice_id"],
                r["customer_id"],
                f"{r['open_amount']} {r['currency']}",
                r["import_id"],
                when,
                back,
            )
        )
    console().print(table)


@invoices_app.command("reopen")
def invoices_reopen(
    invoices: Annotated[
        list[str] | None, typer.Argument(help="Invoices to reopen (settled outside).")
    ] = None,
    import_id: Annotated[
        int | None, typer.Option("--import", help="Reopen all a snapshot import closed.")
    ] = None,
    reason: Annotated[str, typer.Option("--reason", help="Why (kept in the audit).")] = "",
    db: DbOption = DEFAULT_DB,
) -> None:
    """Reopen invoices a snapshot import closed as settled outside the bank."""
    if (import_id is None) == (not invoices):
        raise InputError("give invoice ids or --import N (one of the two)")
    with open_ledger(db) as ledger:
        if import_id is not None:
            done = ledger.undo_invoice_import(import_id, reason=reason)
        else:
            done = ledger.reopen_invoices(invoices or [], reason=reason)
    console().print(line(f"{len(done)} invoice(s) reopened: {', '.join(done)}"), soft_wrap=True)
