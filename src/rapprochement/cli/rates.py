"""``rapprochement rates update|show``, and ``--rates FILE`` for the dunning commands.

``rates update`` fetches the ECB main refinancing rate, the French legal interest rate and the
German Basiszinssatz from their publishers and stores them in the user's data directory, where
every later penalty computation finds them (:mod:`rapprochement.dunning.rate_store`);
``rates show`` lists each half-year's rate with the table and file it came from.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from rapprochement.cli import EXIT_PROBLEMS, app, err_console
from rapprochement.cli.dunning import dunning_app
from rapprochement.cli.ledger import JsonOption, parse_date, print_json
from rapprochement.cli.output import cells, console, line, literal
from rapprochement.dunning.rate_fetch import DEFAULT_SOURCES, RateSource, fetch_table
from rapprochement.dunning.rate_store import load_rates, save_fetched, use_rates_file
from rapprochement.dunning.rates import TABLE_NAMES, half_year_of
from rapprochement.errors import ConfigError, InputError

__all__ = ["rates_app", "rates_show", "rates_update"]

rates_app = typer.Typer(
    help="Reference rates for late-payment penalties (ECB, taux légal, Basiszinssatz).",
    no_args_is_help=True,
)
app.add_typer(rates_app, name="rates")

RatesOption = Annotated[
    Path | None,
    typer.Option(
        "--rates",
        envvar="RAPPROCHEMENT_RATES",
        help="Rate tables JSON overriding the shipped and fetched ones.",
    ),
]


@dunning_app.callback()
def dunning_rates(rates: RatesOption = None) -> None:
    """Plan and send reminders for unpaid invoices."""
    if rates is not None:
        load_rates(rates)  # a bad file is an error before any work
    use_rates_file(rates)


def _sources(items: list[str] | None) -> dict[str, RateSource]:
    out = dict(DEFAULT_SOURCES)
    for item in items or []:
        name, sep, url = item.partition("=")
        if not sep or name.strip() not in TABLE_NAMES or not url.strip():
            raise InputError(
                f"--source {item!r}",
                hint=f"write --source NAME=URL with NAME one of {', '.join(TABLE_NAMES)}",
            )
        base = out[name.strip()]
        out[name.strip()] = base.model_copy(update={"url": url.strip(), "publisher": url.strip()})
    return out


@rates_app.command("update")
def rates_update(
    source: Annotated[
        list[str] | None,
        typer.Option("--source", help="Fetch NAME from URL instead: --source ecb_mro=URL."),
    ] = None,
    only: Annotated[
        list[str] | None, typer.Option("--only", help="Fetch only these tables.")
    ] = None,
    today: Annotated[
        str | None, typer.Option("--today", help="Date of the fetch (default: today).")
    ] = None,
    timeout: Annotated[float, typer.Option("--timeout", help="Seconds per request.")] = 20.0,
    as_json: JsonOption = False,
) -> None:
    """Fetch the rates from their official publications into your data directory.

    A table that cannot be fetched keeps its previous rows; the exit code is 1 when any failed.
    """
    day = parse_date(today, "--today") or dt.date.today()
    sources = _sources(source)
    names = only or list(TABLE_NAMES)
    bad = [n for n in names if n not in TABLE_NAMES]
    if bad:
        raise InputError(f"--only {', '.join(bad)}", hint=f"one of {', '.join(TABLE_NAMES)}")
    report: list[dict[str, str]] = []
    for name in names:
        try:
            table = fetch_table(name, sources[name], today=day, timeout=timeout)
        except ConfigError as exc:
            report.append({"table": name, "status": "failed", "detail": str(exc)})
            continue
        path = save_fetched(table)
        last = table.periods[-1].period if table.periods else "none"
        report.append(
            {"table": name, "status": "updated", "detail": f"up to {last}", "file": str(path)}
        )
    if as_json:
        print_json(report)
    else:
        for r in report:
            style = "green" if r["status"] == "updated" else "red"
            console().print(
                line((f"{r['table']}: {r['status']}", style), f" {r['detail']}"), soft_wrap=True
            )
    if any(r["status"] != "updated" for r in report):
        raise typer.Exit(EXIT_PROBLEMS)


@rates_app.command("show")
def rates_show(
    rates: RatesOption = None,
    table: Annotated[str | None, typer.Option("--table", help="Only this table.")] = None,
    since: Annotated[
        str | None, typer.Option("--since", help="Half-years from this date (default: 2 years).")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Each half-year's rate, with the table (shipped, fetched, file) and date it came from."""
    loaded = load_rates(rates)
    start = parse_date(since, "--since") or dt.date(dt.date.today().year - 2, 1, 1)
    first = half_year_of(start)
    rows = [o for o in loaded.origins if (table is None or o.table == table) and o.period >= first]
    if as_json:
        print_json([o.model_dump(mode="json") for o in rows])
        return
    out = Table(title=literal("Reference rates (percent)"), title_justify="left")
    for col in ("table", "half-year", "rate", "from", "updated", "file"):
        out.add_column(col)
    for o in rows:
        low = " (low confidence)" if o.confidence == "low" else ""
        out.add_row(*cells(o.table, o.period, o.rate + low, o.origin, o.updated or "", o.file))
    console().print(out)
    for name in TABLE_NAMES:
        t = getattr(loaded.tables, name)
        if table in (None, name):
            err_console.print(line(f"{name}: covers {t.covered}"))
