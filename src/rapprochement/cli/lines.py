"""Commands for lines that are not customer payments, returns and undo: ``rules show``,
``rules add``, ``rules lines``, ``returns``, ``allocate``, ``allocation undo``,
``allocation undo-run``, ``allocation history``."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table
from sqlalchemy import select

from rapprochement.cli import app
from rapprochement.cli.ledger import (
    DEFAULT_DB,
    DbOption,
    JsonOption,
    open_ledger,
    print_json,
)
from rapprochement.cli.output import cells, console, line
from rapprochement.errors import LedgerError, NotFoundError
from rapprochement.money import from_minor
from rapprochement.store import Ledger
from rapprochement.store import schema as t

__all__ = ["category_totals"]

rules_app = typer.Typer(
    help="Line rules: bank lines that are not customer payments.", no_args_is_help=True
)
allocation_app = typer.Typer(help="Undo allocations; see what was undone.", no_args_is_help=True)
app.add_typer(rules_app, name="rules")
app.add_typer(allocation_app, name="allocation")


def _records(df: Any) -> list[dict[str, Any]]:
    return [dict(r.items()) for r in df.to_dict("records")]


def category_totals(status: dict[str, Any]) -> str:
    """``fees 3 (−37.50 EUR), tax 1 (1200.00 EUR)``, or "" when nothing is categorized."""
    parts = []
    for cat, v in status.get("categories", {}).items():
        money = ", ".join(f"{a} {c}" for c, a in v["amount"].items())
        parts.append(f"{cat} {v['lines']} ({money})")
    return ", ".join(parts)


@rules_app.command("show")
def rules_show(db: DbOption = DEFAULT_DB, as_json: JsonOption = False) -> None:
    """The rules in force (version 0: the starter rules of a new ledger)."""
    with open_ledger(db) as ledger:
        version, rules = ledger.rules()
    if as_json:
        print_json({"version": version, **rules.model_dump(mode="json", exclude_defaults=True)})
        return
    table = Table(title=f"Line rules, version {version}", title_justify="left")
    for col in ("id", "priority", "category", "account", "conditions"):
        table.add_column(col)
    for r in sorted(rules.rules, key=lambda r: -r.priority):
        cond = r.model_dump(
            exclude={"id", "priority", "category", "account_code", "description"},
            exclude_defaults=True,
            mode="json",
        )
        text = "; ".join(f"{k}={v}" for k, v in cond.items())
        table.add_row(*cells(r.id, str(r.priority), r.category, r.account_code or "", text))
    console().print(table)


@rules_app.command("add")
def rules_add(
    file: Annotated[Path, typer.Argument(help="Rules, .json or .toml.")],
    db: DbOption = DEFAULT_DB,
    replace: Annotated[bool, typer.Option("--replace", help="Replace the rules in force.")] = False,
    note: Annotated[str, typer.Option("--note", help="Why (kept with the version).")] = "",
    as_json: JsonOption = False,
) -> None:
    """Add rules (a rule of the same id replaces one), save a new version and apply it."""
    with open_ledger(db) as ledger:
        update = ledger.set_rules(file, replace=replace, note=note)
    if as_json:
        print_json(update.to_dict())
        return
    cats = ", ".join(f"{k} {v}" for k, v in update.applied["categorized"].items()) or "none"
    console().print(f"rules version {update.version}: {update.rules} rule(s); open lines: {cats}")
    for rid in update.matching_nothing:
        console().print(
            line(("warning:", "yellow"), f" rule {rid!r} matches no line of the ledger")
        )


@rules_app.command("lines")
def rules_lines(
    db: DbOption = DEFAULT_DB,
    as_json: JsonOption = False,
    category: Annotated[str | None, typer.Option("--category", help="Only this one.")] = None,
) -> None:
    """Categorized lines with the rule that took each and why."""
    with open_ledger(db) as ledger:
        df = ledger.line_categories()
        st = ledger.status()
    if category:
        df = df[df["category"] == category]
    if as_json:
        print_json(_records(df))
        return
    table = Table(title=f"{len(df)} categorized line(s)", title_justify="left")
    for col in ("date", "amount", "counterparty", "category", "account", "why"):
        table.add_column(col)
    for r in _records(df):
        table.add_row(*cells(
            str(r["booking_date"] or ""), f"{r['amount']} {r['currency']}",
            str(r["counterparty_name"])[:28], r["category"], r["account_code"] or "",
            str(r["reason"]),
        ))  # fmt: skip
    console().print(table)
    if totals := category_totals(st):
        console().print(f"totals: {totals}")


@app.command("returns")
def returns_command(db: DbOption = DEFAULT_DB, as_json: JsonOption = False) -> None:
    """Returns, rejects and reversals: the payment each returns, why, the invoices reopened."""
    with open_ledger(db) as ledger:
        df = ledger.returns()
    if as_json:
        print_json(_records(df))
        return
    table = Table(title=f"{len(df)} return(s)", title_justify="left")
    for col in ("date", "amount", "payer", "reason", "returns line", "invoices reopened", "why"):
        table.add_column(col)
    for r in _records(df):
        table.add_row(*cells(
            str(r["booking_date"] or ""), f"{r['amount']} {r['currency']}",
            str(r["counterparty_name"])[:28], r["reason"] or "?",
            r["original_id"] or "(not found yet)", ", ".join(r["invoices"]),
            r["evidence"] or r["signals"],
        ))  # fmt: skip
    console().print(table)


def _default_amount(ledger: Ledger, tx: str, invoice: str) -> Decimal:
    """What is left on the line, capped at what is open on the invoice."""
    x, i = t.transactions.c, t.invoices.c
    with ledger.engine.connect() as conn:
        line = conn.execute(
            select(x.amount_minor - x.allocated_minor, x.currency).where(x.transaction_id == tx)
        ).first()
        inv = conn.execute(
            select(i.base_open_minor - i.allocated_minor).where(i.invoice_id == invoice)
        ).scalar()
    if line is None:
        raise NotFoundError(f"no payment line {tx!r}", hint="see `rapprochement export`")
    if inv is None:
        raise NotFoundError(f"no invoice {invoice!r}", hint="import the invoices first")
    left, ccy = int(line[0]), str(line[1])
    if left == 0 or inv == 0:
        raise LedgerError(f"nothing left to allocate ({tx}: {left}, {invoice}: {inv})")
    minor = min(abs(left), abs(int(inv))) * (1 if left > 0 else -1)
    return from_minor(minor, ccy)


@app.command("allocate")
def allocate_command(
    transaction_id: Annotated[str, typer.Argument(help="Payment line id.")],
    invoice_id: Annotated[str, typer.Argument(help="Invoice id.")],
    amount: Annotated[
        str | None, typer.Argument(help="Amount (default: what the line and invoice allow).")
    ] = None,
    db: DbOption = DEFAULT_DB,
    note: Annotated[str, typer.Option("--note", help="Why (kept with the allocation).")] = "",
) -> None:
    """Allocate a payment line to an invoice by hand (overrides a rule's category)."""
    with open_ledger(db) as ledger:
        value = Decimal(amount) if amount else _default_amount(ledger, transaction_id, invoice_id)
        made = ledger.allocate(transaction_id, invoice_id, value, note=note)
    console().print(f"allocation {made}: {value} from {transaction_id} to {invoice_id}")


@allocation_app.command("undo")
def undo_command(
    ids: Annotated[list[int], typer.Argument(help="Allocation id(s).")],
    db: DbOption = DEFAULT_DB,
    reason: Annotated[str, typer.Option("--reason", help="Why (kept in the audit trail).")] = "",
) -> None:
    """Undo allocations (with their group and write-off): invoices reopen, the pairs are not
    proposed again until new evidence appears."""
    with open_ledger(db) as ledger:
        reopened = ledger.unallocate(ids, reason=reason)
    console().print(f"undone {', '.join(map(str, ids))}; reopened: {', '.join(reopened) or 'none'}")


@allocation_app.command("undo-run")
def undo_run_command(
    run_id: Annotated[int, typer.Argument(help="Reconcile run id.")],
    db: DbOption = DEFAULT_DB,
    reason: Annotated[str, typer.Option("--reason", help="Why (kept in the audit trail).")] = "",
    reject: Annotated[
        bool,
        typer.Option(
            "--reject",
            help="The run's allocations were wrong: do not propose their pairs again without "
            "new evidence, and learn from them. Without it the undo is a rollback: reconcile "
            "may make them again.",
        ),
    ] = False,
) -> None:
    """Undo every automatic allocation of one reconcile run (a rollback unless --reject)."""
    with open_ledger(db) as ledger:
        rows, reopened = ledger.undo_run(run_id, reason=reason, reject=reject)
    how = "rejected" if reject else "rolled back"
    console().print(
        f"run {run_id}: {rows} allocation(s) {how}, {len(reopened)} invoice(s) reopened"
    )


@allocation_app.command("history")
def history_command(db: DbOption = DEFAULT_DB, as_json: JsonOption = False) -> None:
    """Undone and return-reversed allocations: who made each, who undid it, when and why."""
    with open_ledger(db) as ledger:
        df = ledger.undone_allocations()
    if as_json:
        print_json(_records(df))
        return
    table = Table(title=f"{len(df)} undone allocation(s)", title_justify="left")
    for col in ("id", "line", "invoice", "amount", "kind", "made by", "undone by", "when", "why"):
        table.add_column(col)
    for r in _records(df):
        table.add_row(*cells(
            str(r["allocation_id"]), r["transaction_id"], r["invoice_id"] or "",
            f"{r['amount']} {r['currency']}", r["kind"], r["made_by"],
            f"{r['undone_by']} ({r['undo_kind']})", str(r["undone_at"])[:19],
            r["reason"],
        ))  # fmt: skip
    console().print(table)
