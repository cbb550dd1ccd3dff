"""The daily work queue on the command line: ``unmatched`` (payments nobody matched, with the
best candidate and why it was not enough) and ``customer ID`` (one customer's account)."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer
from rich.table import Table

from rapprochement.cli import app
from rapprochement.cli.ledger import (
    DEFAULT_DB,
    DbOption,
    JsonOption,
    LangOption,
    open_ledger,
    output_language,
    parse_date,
    print_json,
)
from rapprochement.cli.output import cells, console, line, literal
from rapprochement.cli.review import explain_short
from rapprochement.i18n import day as day_text
from rapprochement.i18n import money
from rapprochement.report.data import records

__all__ = ["customer_command", "unmatched_command", "why_not"]

AsOf = Annotated[str | None, typer.Option("--as-of", help="Date (default: today).")]


def why_not(r: dict[str, Any]) -> str:
    """Why the best candidate of an unmatched line was not enough, in words."""
    if r["reason"] == "no_candidate":
        return "no open invoice fits (payer, amount, reference)"
    evidence = explain_short(_json_text(r["explanation"]))
    score = "" if r["score"] is None else f"score {r['score']:.2f}"
    if r["reason"] == "pending_review":
        return f"waiting for review (suggestion {r['suggestion_id']}, {score}): {evidence}"
    if r["reason"] == "rejected_before":
        return f"{score}, but rejected or undone before: not proposed again without new evidence"
    if r["reason"] == "withheld":
        gates = [str(x.get("value")) for x in r["explanation"] or [] if x.get("feature") == "gate"]
        return "not worth a review: " + "; ".join(gates)
    if r["reason"] == "held":
        return f"{score}, held back: nothing new since the last run, or a possible duplicate"
    return f"{score} < {r['threshold']:.2f} needed: {evidence}"


def _json_text(value: Any) -> str:
    return json.dumps(value) if value else ""


@app.command("unmatched")
def unmatched_command(
    db: DbOption = DEFAULT_DB,
    as_json: JsonOption = False,
    as_of: AsOf = None,
    limit: Annotated[int, typer.Option("--limit", help="Rows to show (0: all).")] = 50,
    lang: LangOption = None,
) -> None:
    """Incoming payments nobody matched, oldest first, with the best candidate and why it was
    not enough."""
    day = parse_date(as_of, "--as-of")
    words = output_language(lang)
    with open_ledger(db) as ledger:
        df = ledger.unmatched(day)
    rows = records(df)
    if as_json:
        print_json(rows)
        return
    if not rows:
        console().print(line("No unmatched incoming payment."))
        return
    table = Table(title=literal(f"{len(rows)} unmatched payment(s)"), title_justify="left")
    for col, justify in (("date", "left"), ("days", "right"), ("payer", "left"),
                         ("amount", "right"), ("text", "left"), ("best candidate", "left"),
                         ("why not", "left")):  # fmt: skip
        table.add_column(col, justify=justify)  # type: ignore[arg-type]
    for r in rows[: limit or None]:
        cand = r["candidate_invoice"] or ("(excess)" if r["reason"] != "no_candidate" else "")
        if r["candidate_customer"]:
            cand = f"{cand} ({r['candidate_customer']})"
        table.add_row(*cells(
            day_text(r["booking_date"], words), r["days_open"],
            str(r["counterparty_name"] or "")[:24],
            money(r["amount"], r["currency"], words), str(r["remittance_info"] or "")[:30], cand,
            why_not(r),
        ))  # fmt: skip
    console().print(table)
    if limit and len(rows) > limit:
        console().print(line(f"… {len(rows) - limit} more (--limit 0 shows all)"))
    console().print(line("Allocate by hand with ", ("rapprochement allocate TX INVOICE", "bold")))


@app.command("customer")
def customer_command(
    customer_id: Annotated[str, typer.Argument(help="Customer id.")],
    db: DbOption = DEFAULT_DB,
    as_json: JsonOption = False,
    as_of: AsOf = None,
    lang: LangOption = None,
) -> None:
    """One customer: open items, credits, payments and history."""
    day = parse_date(as_of, "--as-of")
    words = output_language(lang)
    with open_ledger(db) as ledger:
        view = ledger.customer(customer_id, day)
    if as_json:
        print_json({
            "customer_id": view.customer_id, "name": view.name, "segment": view.segment,
            "balance": view.balance, "open_items": records(view.open_items),
            "credits": records(view.credits), "payments": records(view.payments),
            "history": records(view.history),
        })  # fmt: skip
        return
    balance = ", ".join(money(v, k, words) for k, v in view.balance.items()) or "0"
    console().print(line((f"{view.customer_id} {view.name}", "bold"), f" — open: {balance}"))
    for title, frame in (("Open items", view.open_items), ("Credits", view.credits)):
        table = Table(title=literal(f"{title} ({len(frame)})"), title_justify="left")
        for col in ("invoice", "issued", "due", "amount", "open", "days overdue"):
            table.add_column(col)
        for r in records(frame):
            due = day_text(r["due_date"], words) if r["due_date"] else ""
            table.add_row(*cells(r["invoice_id"], day_text(r["issue_date"], words), due,
                                 money(r["amount"], r["currency"], words),
                                 money(r["open_amount"], r["currency"], words),
                                 r["days_overdue"]))  # fmt: skip
        console().print(table)
    table = Table(title=literal(f"History ({len(view.history)})"), title_justify="left")
    for col in ("date", "event", "invoice", "amount", "detail"):
        table.add_column(col)
    for r in records(view.history):
        amount = "" if r["amount"] is None else money(r["amount"], r["currency"], words)
        when = day_text(r["date"], words) if r["date"] else ""
        table.add_row(*cells(when, r["event"], r["invoice_id"] or "", amount, r["detail"]))
    console().print(table)
