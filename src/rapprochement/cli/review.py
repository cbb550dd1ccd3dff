"""``rapprochement review``: list suggestions with their explanation; ``accept`` / ``reject``.

Accepting or rejecting one row of a grouped payment decides the whole group.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer
from rich.table import Table

from rapprochement.cli import app
from rapprochement.cli import ledger as _cli
from rapprochement.cli.ledger import DEFAULT_DB, DbOption, JsonOption, LangOption, open_ledger
from rapprochement.cli.ledger import print_json as _print_json
from rapprochement.cli.lines import category_totals
from rapprochement.cli.output import cells, console, line, literal
from rapprochement.errors import InputError
from rapprochement.i18n import Language, money
from rapprochement.i18n import day as day_text
from rapprochement.matching.features import FEATURE_LEVELS
from rapprochement.report.data import records

__all__ = ["explain_short", "review_app", "rivals_short"]

review_app = typer.Typer(
    help="Review suggestions: list them, accept or reject by id.", invoke_without_command=True
)
app.add_typer(review_app, name="review")


#: Contributions that are not evidence about this pair: the base rate, the calibration shift
#: and the book's chance corrections (:mod:`rapprochement.matching.chance`: how often random
#: pairs of this book agree so, and its number of open items), alike for every pair that
#: shares the levels.
_NOT_EVIDENCE = frozenset({"prior", "calibration", "chance"})
#: The strongest level of the features a reviewer reads as evidence for the pair.
_STRONGEST = {f: FEATURE_LEVELS[f][0] for f in ("iban", "name", "amount", "reference")}


def explain_short(explanation: str, top: int = 2) -> str:
    """The strongest evidence for and against, ``top`` of each: ``iban=known, name=exact;
    rivals=2+ -3.6, reference=none -3.1``. Evidence for is a level weighing up, or the
    strongest level of the payer and amount features (their weight is 0: the model's base
    rate assumes them); the prior, the calibration shift and the book's chance corrections,
    alike for every pair, are left out."""
    try:
        items = json.loads(explanation) if explanation else []
    except ValueError:
        return explanation[:60]
    if not isinstance(items, list):
        return ""
    evidence = [
        (str(x.get("feature")), str(x.get("value")), float(x.get("weight", 0) or 0))
        for x in items
        if isinstance(x, dict) and x.get("feature") not in _NOT_EVIDENCE
    ]
    pros = sorted(
        (e for e in evidence if e[2] > 0 or (e[2] == 0 and _STRONGEST.get(e[0]) == e[1])),
        key=lambda e: -e[2],
    )[:top]
    cons = sorted((e for e in evidence if e[2] < 0), key=lambda e: e[2])[:top]
    number = next(
        (str(x.get("value", "")).split(" ")[2] for x in items
         if isinstance(x, dict) and x.get("feature") == "payer"
         and str(x.get("value", "")).startswith("customer number ")),
        None,
    )  # fmt: skip
    if number:  # the payer quoted its customer number: that is what ``iban=known`` stands for
        pros = [(f, f"{v} (customer no. {number})" if f == "iban" else v, w) for f, v, w in pros]
    text = [", ".join(f"{f}={v}" + (f" {w:+.1f}" if w else "") for f, v, w in side)
            for side in (pros, cons)]  # fmt: skip
    return "; ".join(side for side in text if side)


def rivals_of(explanation: str) -> list[str]:
    """The ``rival`` rows of an explanation (:mod:`rapprochement.matching.rivals`): each
    ``F-2 (0.50, tie): fits as well``."""
    try:
        items = json.loads(explanation) if explanation else []
    except ValueError:
        return []
    if not isinstance(items, list):
        return []
    return [
        str(x.get("value")) for x in items if isinstance(x, dict) and x.get("feature") == "rival"
    ]


def rivals_short(explanation: str, wide: bool = True) -> str:
    """The rivals beside a suggestion, one per line: invoice(s), score and relation, and why
    (when ``wide``); ``-`` when nothing else fits."""
    shown = rivals_of(explanation)
    if not wide:
        shown = [v.split(":", 1)[0] for v in shown]
    return "\n".join(shown) or "-"


def _rows(df: Any) -> list[dict[str, Any]]:
    out = []
    for r in records(df):
        row = {
            k: (str(v) if k in ("amount", "payment_amount", "booking_date") else v)
            for k, v in r.items()
        }
        row["rivals"] = rivals_of(str(r.get("explanation") or ""))
        row["explanation"] = _nested(row.get("explanation"))  # nested JSON, not a string
        out.append(row)
    return out


def _nested(text: Any) -> Any:
    """An explanation cell as the list it encodes (the text itself if it is not JSON)."""
    try:
        return json.loads(text) if isinstance(text, str) and text else []
    except ValueError:
        return text


def _money(amount: Any, currency: Any, words: Language) -> str:
    """An amount with its currency in the reader's language, or ``""`` when unknown."""
    return "" if amount is None else money(amount, str(currency), words)


@review_app.callback()
def review(
    ctx: typer.Context,
    db: DbOption = DEFAULT_DB,
    as_json: JsonOption = False,
    limit: Annotated[int, typer.Option("--limit", help="Rows to show (0: all).")] = 50,
    lang: LangOption = None,
) -> None:
    """List pending suggestions, best score first, with why they were proposed."""
    words = _cli.output_language(lang)
    if ctx.invoked_subcommand is not None:
        ctx.obj = db
        return
    with open_ledger(db) as ledger:
        df = ledger.suggestions()
        totals = category_totals(ledger.status())
    if as_json:
        _print_json(_rows(df))
        return
    if df.empty:
        console().print(line("No suggestion to review."))
        return
    shown = df if limit <= 0 else df.head(limit)
    table = Table(title=literal(f"{len(df)} suggestion(s) to review"), title_justify="left")
    wide = console().width >= 130  # narrow terminals: no customer or amount, the why wraps
    table.add_column("id", justify="right", no_wrap=True)
    table.add_column("date", no_wrap=True)
    table.add_column("payer")
    table.add_column("paid", justify="right", no_wrap=True)
    table.add_column("→ invoice", no_wrap=True)
    if wide:
        table.add_column("customer")
        table.add_column("amount", justify="right", no_wrap=True)
    table.add_column("score", justify="right", no_wrap=True)
    table.add_column("kind", no_wrap=True)
    table.add_column("why", min_width=20, ratio=1)  # kept at 80 columns: wrapped
    table.add_column("rivals", min_width=16)
    for r in records(shown):
        group = f" ({r['group_id']})" if r["group_id"] else ""
        row = [
            r["suggestion_id"],
            day_text(r["booking_date"], words) if r["booking_date"] else "",
            str(r["counterparty_name"] or "")[:28],
            _money(r["payment_amount"], r["currency"], words),
            r["invoice_id"] or "(excess)",
        ]
        if wide:
            row += [
                str(r["customer_name"] or "")[:24],
                _money(r["amount"], r["currency"], words),
            ]
        row += ["" if r["score"] is None else f"{r['score']:.2f}", f"{r['kind']}{group}"]
        row.append(explain_short(str(r["explanation"] or "")))
        row.append(rivals_short(str(r["explanation"] or ""), wide))
        table.add_row(*cells(*row))
    console().print(table)
    if limit and len(df) > limit:
        console().print(line(f"… {len(df) - limit} more (--limit 0 shows all)"))
    console().print(
        line(
            "Decide with ",
            ("rapprochement review accept ID", "bold"),
            " or ",
            ("reject ID", "bold"),
            ".",
        )
    )
    if totals:  # lines rules took out of matching (cli/lines.py)
        console().print(line(f"Not customer payments: {totals} (see `rapprochement rules lines`)"))


@review_app.command("accept")
def accept(
    ctx: typer.Context,
    ids: Annotated[list[int] | None, typer.Argument(help="Suggestion id(s).")] = None,
    note: Annotated[str, typer.Option("--note", help="Why (kept with the decision).")] = "",
    db: Annotated[str | None, typer.Option("--db", help="Ledger (as for review).")] = None,
    min_score: Annotated[
        float | None,
        typer.Option("--min-score", min=0.0, max=1.0, help="Accept every one scoring this much."),
    ] = None,
    kind: Annotated[
        str | None, typer.Option("--kind", help="With --min-score: only this kind.")
    ] = None,
) -> None:
    """Accept suggestions (all or none): their allocations are written, the payer is learned.
    With --min-score, every pending suggestion scoring at least that much instead (those whose
    money an earlier one took stay pending, listed)."""
    if (min_score is None) == (not ids):
        raise InputError("give suggestion ids or --min-score", hint="not both, not neither")
    with open_ledger(db or ctx.obj or DEFAULT_DB) as ledger:
        if min_score is not None:
            done = ledger.accept_above(min_score, kind=kind, note=note)
        else:
            made = ledger.accept(ids or [], note=note)
    if min_score is None:
        console().print(line(f"accepted {_listed(ids or [])}: {len(made)} allocation(s)"))
        return
    n = sum(len(v) for v in done.accepted.values())
    console().print(line(f"accepted {len(done.accepted)} suggestion(s) scoring ≥ {min_score}"
                         f"{f' of kind {kind}' if kind else ''}: {n} allocation(s)"))  # fmt: skip
    if done.accepted:
        console().print(line(f"  ids: {_listed(list(done.accepted))}"))
    for sid, why in done.skipped.items():
        console().print(line(("skipped", "yellow"), f" {sid}: {why}"))


@review_app.command("reject")
def reject(
    ctx: typer.Context,
    ids: Annotated[list[int], typer.Argument(help="Suggestion id(s).")],
    note: Annotated[str, typer.Option("--note", help="Why (kept with the decision).")] = "",
    db: Annotated[str | None, typer.Option("--db", help="Ledger (as for review).")] = None,
) -> None:
    """Reject suggestions (all or none): the pairs are never proposed again."""
    with open_ledger(db or ctx.obj or DEFAULT_DB) as ledger:
        n = ledger.reject(ids, note=note)
    console().print(line(f"rejected {_listed(ids)} ({n} row(s))"))


def _listed(ids: list[int]) -> str:
    return ", ".join(map(str, ids))
