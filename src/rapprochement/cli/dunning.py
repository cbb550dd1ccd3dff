"""``rapprochement dunning plan`` and ``rapprochement kpi``: chase and watch receivables
(``dunning run`` is in :mod:`rapprochement.cli.dunning_run`).

Both read the ledger (``--db``, default ``./rapprochement.db``) through
:class:`rapprochement.store.Ledger`.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, Protocol

import pandas as pd
import typer
from rich.table import Table

from rapprochement.cli import app
from rapprochement.cli.ledger import (
    DEFAULT_DB,
    DbOption,
    LangOption,
    output_language,
    parse_date,
)
from rapprochement.cli.ledger import open_ledger as _open_ledger
from rapprochement.cli.output import cells, console, line, literal
from rapprochement.customers import Customer
from rapprochement.dunning import (
    DunningAction,
    DunningPolicy,
    PolicySet,
    default_french_policy,
    load_policy,
    plan_dunning,
)
from rapprochement.dunning.calendar import business_calendar
from rapprochement.dunning.planner import DunningItem
from rapprochement.errors import InputError
from rapprochement.i18n import Language, money, number
from rapprochement.i18n import day as day_text
from rapprochement.kpi import (
    aged_balance,
    best_possible_dso,
    cash_forecast,
    credit_exposure,
    dso,
    payer_scores,
    revenue_from_invoices,
)
from rapprochement.money import parse_amount
from rapprochement.reasons import reason_text

__all__ = [
    "AsOfOption",
    "LedgerLike",
    "PolicyOption",
    "ScoredOption",
    "as_of_date",
    "dunning_app",
    "kpi_command",
    "non_business_day",
    "open_ledger",
    "plan_command",
    "plan_from",
    "policy_for",
    "print_actions",
]

dunning_app = typer.Typer(help="Plan and send reminders for unpaid invoices.", no_args_is_help=True)
app.add_typer(dunning_app, name="dunning")


class LedgerLike(Protocol):
    """What these commands need from :class:`rapprochement.store.Ledger`."""

    def open_items(self, as_of: dt.date | None = None) -> pd.DataFrame: ...
    def customers(self) -> pd.DataFrame: ...
    def payment_history(self) -> pd.DataFrame: ...
    def returns(self) -> pd.DataFrame: ...
    def payments_on_account(self) -> pd.DataFrame: ...
    def customer_records(self) -> dict[str, Customer]: ...
    def record_sent_messages(self, messages: Iterable[Mapping[str, Any]]) -> int: ...
    def sent_messages(self) -> pd.DataFrame: ...
    def invoice_events(self) -> pd.DataFrame: ...
    def dunning_history(self) -> pd.DataFrame: ...
    def record_dunning_actions(self, actions: list[Mapping[str, Any]]) -> int: ...
    def close(self) -> None: ...


@contextmanager
def open_ledger(db: str) -> Iterator[LedgerLike]:
    """Open the existing ledger at ``db`` (path or SQLAlchemy URL) and close it afterwards."""
    ledger: LedgerLike = _open_ledger(db)
    try:
        yield ledger
    finally:
        ledger.close()


AsOfOption = Annotated[str | None, typer.Option("--as-of", help="Run date, YYYY-MM-DD.")]
PolicyOption = Annotated[
    Path | None, typer.Option("--policy", help="Policy JSON (default: French practice).")
]
ScoredOption = Annotated[
    bool,
    typer.Option(
        "--scored-segments",
        help="Customers without a segment get their payer-scoring one (good, watch, risky, "
        "new), to pick a policy in a PolicySet.",
    ),
]


def as_of_date(text: str | None) -> dt.date:
    """--as-of, default today; a bad date is an InputError (exit code 3), as for reconcile."""
    return parse_date(text, "--as-of") or dt.date.today()


def policy_for(
    path: Path | None, language: str | None, country: str | None = None
) -> DunningPolicy | PolicySet:
    """The policy of ``--policy`` (default: French practice); ``country`` (the creditor's) is
    the business-day calendar of the policies that name none."""
    found = default_french_policy("en" if language == "en" else "fr") if path is None else (
        load_policy(path))  # fmt: skip
    if country is None:
        return found
    if isinstance(found, PolicySet):
        return PolicySet(
            default=_with_country(found.default, country),
            by_segment={k: _with_country(v, country) for k, v in found.by_segment.items()},
        )
    return _with_country(found, country)


def _with_country(policy: DunningPolicy, country: str) -> DunningPolicy:
    return policy if policy.country is not None else policy.model_copy(update={"country": country})


def _segments(ledger: LedgerLike, as_of: dt.date, scored: bool) -> dict[str, str]:
    """Customer segments: the ledger's, else (with ``scored``) the payer-scoring segment."""
    out: dict[str, str] = {}
    if scored:
        scores = payer_scores(ledger.payment_history(), as_of, returns=ledger.returns())
        for rec in scores.to_dict("records"):
            out[str(rec["customer_id"])] = str(rec["segment"])
    customers = ledger.customers()
    if "segment" in customers.columns:
        out.update(
            (str(r["customer_id"]), str(r["segment"]))
            for r in customers.to_dict("records")
            if isinstance(r.get("segment"), str) and r["segment"]
        )
    return out


def plan_from(
    ledger: LedgerLike, as_of: dt.date, policy: DunningPolicy | PolicySet, scored: bool
) -> list[DunningAction]:
    """The actions due on ``as_of`` from the ledger's open items, history, events, payments,
    returns and payments on account."""
    return plan_dunning(
        ledger.open_items(as_of),
        ledger.dunning_history(),
        as_of,
        policy,
        events=ledger.invoice_events(),
        segments=_segments(ledger, as_of, scored),
        payments=ledger.payment_history(),
        returns=ledger.returns(),
        credits=ledger.payments_on_account(),
    )


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    if value is None or (isinstance(value, float) and value != value):
        return None
    return value


def _records(df: pd.DataFrame, index: bool = False) -> list[dict[str, Any]]:
    frame = df.reset_index() if index else df
    return [{str(k): _jsonable(v) for k, v in r.items()} for r in frame.to_dict("records")]


def _invoice_label(item: DunningItem) -> str:
    """``FA-500``, ``AV-7 (credit note)``, ``TX-1 (on account)``, or ``FA-500 (payment
    returned: AM04 insufficient funds)``."""
    if item.kind != "invoice":
        return f"{item.invoice_id} ({item.kind.replace('_', ' ')})"
    if item.returned_on is None:
        return item.invoice_id
    why = reason_text(item.return_reason).replace("(", "").replace(")", "")
    return f"{item.invoice_id} (payment returned{': ' + why if why else ''})"


def print_actions(
    actions: list[DunningAction], as_of: dt.date, verb: str, words: Language = "en"
) -> None:
    """The dunning actions as a table: customer, level, channel, invoices, amounts."""
    table = Table(title=literal(f"Dunning {verb} on {day_text(as_of, words)}"))
    for col in ("customer", "level", "channel", "invoices", "open", "claimed"):
        table.add_column(col, justify="right" if col in ("open", "claimed") else "left")
    for a in actions:
        table.add_row(
            *cells(
                f"{a.customer_name} ({a.customer_id})",
                a.level_name,
                a.channel,
                ", ".join(_invoice_label(i) for i in a.items),
                money(a.total_open, a.currency, words),
                money(a.total_claimed, a.currency, words),
            )
        )
    out = console()
    out.print(table)
    out.print(line(f"{len(actions)} action(s)"))


@dunning_app.command("plan")
def plan_command(
    as_of: AsOfOption = None,
    db: DbOption = DEFAULT_DB,
    policy: PolicyOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print actions as JSON.")] = False,
    scored: ScoredOption = False,
    lang: LangOption = None,
) -> None:
    """Show the reminders due on --as-of without sending or recording anything."""
    day = as_of_date(as_of)
    words = output_language(lang)
    chosen = policy_for(policy, None)
    with open_ledger(db) as ledger:
        actions = plan_from(ledger, day, chosen, scored)
    if as_json:
        payload = [a.model_dump(mode="json") for a in actions]
        sys.stdout.write(json.dumps(payload, indent=2, ensure_ascii=False) + "\n")
    else:
        print_actions(actions, day, "planned", words)
        note = non_business_day(day, chosen)
        if note:
            console().print(line(note))


def non_business_day(day: dt.date, policy: DunningPolicy | PolicySet) -> str | None:
    """Why nothing is planned on ``day`` (a weekend or a public holiday of the country of
    ``policy``, or of its default policy), or None."""
    main = policy.default if isinstance(policy, PolicySet) else policy
    cal = business_calendar(main.holiday_country)
    if cal.is_business_day(day):
        return None
    return f"{day} is not a business day ({cal.holiday(day) or 'weekend'}): nothing is dated on it"


def _turnover(text: str) -> Decimal:
    """--turnover: a positive amount (``250000``, ``250 000,00``), else an InputError."""
    try:
        amount = parse_amount(text)
    except ValueError:
        amount = Decimal(0)
    if amount <= 0:
        raise InputError(
            f"--turnover {text!r} is not a positive amount", hint="e.g. --turnover 250000.00"
        )
    return amount


def _safe(fn: Any, *args: Any, **kw: Any) -> Any:
    try:
        return fn(*args, **kw)
    except InputError as exc:
        return f"n/a ({exc.message})"


@app.command("kpi")
def kpi_command(
    as_of: AsOfOption = None,
    db: DbOption = DEFAULT_DB,
    as_json: Annotated[bool, typer.Option("--json", help="Print the KPIs as JSON.")] = False,
    turnover: Annotated[
        str | None, typer.Option("--turnover", help="Annual turnover for the aged balance %.")
    ] = None,
    currency: Annotated[
        str | None, typer.Option("--currency", help="Currency to report when several are open.")
    ] = None,
    lang: LangOption = None,
) -> None:
    """Receivables KPIs: aged balance, DSO (standard, count-back, best possible), exposure."""
    day = as_of_date(as_of)
    words = output_language(lang)
    turn = None if turnover is None else _turnover(turnover)
    with open_ledger(db) as ledger:
        items, payments, customers, events, returns = (
            ledger.open_items(day),
            ledger.payment_history(),
            ledger.customers(),
            ledger.invoice_events(),
            ledger.returns(),
        )
    aging = aged_balance(items, day, turn, currency=currency, events=events)
    ccy = currency or (str(items["currency"].iloc[0]) if len(items) else None)
    revenue = revenue_from_invoices(items, payments, through=day, currency=ccy)
    figures = {
        "dso_standard": _safe(dso, items, revenue, day, "standard", currency=ccy),
        "dso_countback": _safe(dso, items, revenue, day, "countback", currency=ccy),
        "dso_best_possible": _safe(best_possible_dso, items, revenue, day, currency=ccy),
    }
    scores = payer_scores(payments, day, returns=returns)
    exposure = credit_exposure(items, customers, as_of=day, currency=ccy)
    forecast = cash_forecast(items, payments, day, currency=ccy, events=events)
    if as_json:
        out = {
            "as_of": day.isoformat(),
            **{k: _jsonable(v) for k, v in figures.items()},
            "aged_balance": _records(aging, index=True),
            "payer_scores": _records(scores),
            "credit_exposure": _records(exposure),
            "cash_forecast": _records(forecast),
        }
        sys.stdout.write(json.dumps(out, indent=2, ensure_ascii=False) + "\n")
        return
    show = console()
    table = Table(title=literal(f"Aged balance at {day_text(day, words)}"))
    for col in ("bucket", "count", "amount", "% turnover"):
        table.add_column(col, justify="left" if col == "bucket" else "right")
    for bucket, row in aging.iterrows():
        pct = row["pct_turnover"]
        amount = money(row["amount"], ccy, words) if ccy else number(row["amount"], words)
        pct_text = "" if pct is None else number(pct, words, places=1)
        table.add_row(*cells(bucket, number(int(row["count"]), words), amount, pct_text))
    show.print(table)
    for name, value in figures.items():
        show.print(line(f"{name}: {value}"))
    alerts = exposure[exposure["alert"].isin(["over_limit", "near_limit"])]
    for r in alerts.to_dict("records"):
        show.print(
            line(
                (r["alert"], "red"),
                f" {r['name']} ({r['customer_id']}): {_amount(r['open_amount'], ccy, words)} "
                f"of {_amount(r['credit_limit'], ccy, words)} ({r['utilisation']} %)",
            )
        )
    late = scores[scores["segment"].isin(["risky", "watch"])]
    for r in late.to_dict("records"):
        show.print(line(payer_line(r)))


def _amount(value: Any, currency: str | None, words: Language) -> str:
    """An amount in the reader's language, with its currency when one is known."""
    if value is None:
        return ""
    return money(value, currency, words) if currency else number(value, words)


def payer_line(r: Mapping[Any, Any]) -> str:
    """One line on a payer to watch: ``watch: C016 pays 19.8 days early on average (...)``."""
    days = r["avg_days_late"]
    when = f"{days} days late" if days >= 0 else f"{-days} days early"
    return (
        f"{r['segment']}: {r['customer_id']} pays {when} on average "
        f"({r['share_late']} % of invoices late, trend {r['trend']})"
    )
