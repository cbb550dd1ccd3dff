"""Ledger commands: ``import``, ``reconcile``, ``status``, ``export`` (invoices: cli/invoices.py).

Every command takes ``--db`` (default ``./rapprochement.db``, or ``$RAPPROCHEMENT_DB``): a SQLite
path or a ``postgresql://`` URL. Progress goes to stderr, so ``--json`` output on stdout stays
clean for scripts.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table
from sqlalchemy.engine import make_url

from rapprochement.cli import EXIT_PROBLEMS, app, err_console
from rapprochement.cli.output import cells, console, line, literal
from rapprochement.cli.progress import engine_stages, stages
from rapprochement.dates import AmbiguousDateOrderError, column_order, date_kind
from rapprochement.dates import parse_date as read_date
from rapprochement.errors import ConfigError, InputError, LedgerError
from rapprochement.i18n import Language, language, money
from rapprochement.money import from_minor
from rapprochement.store import Ledger
from rapprochement.store.migrate import normalize_url

__all__ = [
    "DbOption",
    "JsonOption",
    "LangOption",
    "invoices_app",
    "kv_table",
    "open_ledger",
    "output_language",
    "parse_date",
    "print_json",
]

DbOption = Annotated[
    str,
    typer.Option(
        "--db", envvar="RAPPROCHEMENT_DB", help="Ledger: a SQLite file or a postgresql:// URL."
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]
LangOption = Annotated[
    str | None,
    typer.Option(
        "--lang", help="fr or en (default: $RAPPROCHEMENT_LANG, else the locale, e.g. LANG)."
    ),
]
DEFAULT_DB = "./rapprochement.db"

invoices_app = typer.Typer(help="Invoices (open items) from your ERP.", no_args_is_help=True)
app.add_typer(invoices_app, name="invoices")


def open_ledger(db: str, *, create: bool = False) -> Ledger:
    """Open (and migrate) the ledger at ``db``.

    Only the import commands (``create=True``) create a ledger: any other command given a
    SQLite path where there is none (a typo in ``--db``) is a :class:`LedgerError`, not an
    empty ledger that reports zeros.
    """
    url = make_url(normalize_url(db)) if not create else None
    if url is not None and url.get_backend_name() == "sqlite":
        path = url.database or ""
        if path not in ("", ":memory:") and not Path(path).exists():
            raise LedgerError(
                "no ledger here",
                file=path,
                hint="check --db (or $RAPPROCHEMENT_DB); `rapprochement import` creates one",
            )
    return Ledger(db)


def output_language(choice: str | None) -> Language:
    """``--lang`` (or its default from the environment), or an :class:`InputError`."""
    try:
        return language(choice)
    except ValueError as exc:
        raise InputError(f"--lang: {exc}", hint="--lang fr or --lang en") from None


def print_json(data: Any) -> None:
    """Print JSON on stdout (dates and decimals as strings)."""
    typer.echo(json.dumps(data, indent=2, default=str, ensure_ascii=False))


def parse_date(text: str | None, option: str) -> dt.date | None:
    """A date option (None when not given) in any form the CSV readers take: ISO
    ``2026-04-03``, ``20260403``, ``13/04/2026`` (day first) or ``04/13/2026`` (month first)
    when the numbers tell, ``3.4.26``; a date that reads both ways (``03/04/2026``) or no
    date is an :class:`InputError` (exit code 3)."""
    if text is None:
        return None
    kind = date_kind(text)
    try:
        day = read_date(text, column_order([kind]) if kind else "ymd")
    except AmbiguousDateOrderError:
        raise InputError(
            f"{option} {text!r} reads both day first and month first",
            hint="write it YYYY-MM-DD, e.g. 2026-04-03",
        ) from None
    except ValueError:
        raise InputError(
            f"{option} {text!r} is not a date", hint="use YYYY-MM-DD or DD/MM/YYYY"
        ) from None
    if day is None:
        raise InputError(f"{option} is empty", hint="use YYYY-MM-DD or DD/MM/YYYY")
    return day


def kv_table(title: str, rows: list[tuple[str, Any]]) -> Table:
    """A two-column table of labels and values (shown literally)."""
    table = Table(title=literal(title), show_header=False, title_justify="left")
    table.add_column(style="bold")
    table.add_column(justify="right")
    for k, v in rows:
        table.add_row(*cells(k, v))
    return table


@app.command("import")
def import_command(
    files: Annotated[
        list[Path],
        typer.Argument(
            help="Statement files: CAMT (052/053/054), MT940/MT942, OFX, CFONB 120, bank CSV "
            "exports, or ZIP archives of them."
        ),
    ],
    db: DbOption = DEFAULT_DB,
    as_json: JsonOption = False,
    check: Annotated[
        bool, typer.Option("--check", help="Exit 1 when a statement has findings.")
    ] = False,
) -> None:
    """Import bank statements: new lines are added, lines already known are skipped."""
    with open_ledger(db, create=True) as ledger, stages(err_console, quiet=as_json) as shown:
        shown.stage(f"importing {len(files)} file(s): entries")
        summary = ledger.import_statements(files, progress=shown.count)
    data = summary.to_dict()
    if as_json:
        print_json(data)
    else:
        console().print(
            kv_table(
                f"Imported {len(files)} file(s)",
                [
                    ("statements new", summary.statements_new),
                    ("statements already known", summary.statements_known),
                    ("entries new", summary.entries_new),
                    ("entries already known", summary.entries_known),
                    *(
                        [("  of which seen through another message", summary.entries_same_booking)]
                        if summary.entries_same_booking
                        else []
                    ),
                    ("payment lines new", summary.transactions_new),
                ],
            )
        )
        for sf in summary.findings:
            for f in sf.findings:
                console().print(
                    line(
                        (f["severity"], "yellow"),
                        f" {sf.file} {sf.statement_id or ''}: [{f['code']}] {f['message']}",
                    )
                )
    if check and summary.findings:
        raise typer.Exit(EXIT_PROBLEMS)


def _config(path: Path | None) -> Any:
    if path is None:
        return None
    from rapprochement.matching.config import MatchConfig

    try:
        return MatchConfig.model_validate_json(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"cannot read: {exc.strerror}", file=str(path)) from None
    except ValueError as exc:
        raise ConfigError(f"invalid match config: {exc}", file=str(path)) from None


@app.command("reconcile")
def reconcile_command(
    db: DbOption = DEFAULT_DB,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Only lines booked by this date.")
    ] = None,
    config: Annotated[Path | None, typer.Option("--config", help="MatchConfig JSON.")] = None,
    no_learning: Annotated[
        bool,
        typer.Option(
            "--no-learning", help="Score with the shipped weights, not what decisions taught."
        ),
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Match open payment lines to open invoices: apply automatic matches, queue suggestions.

    Scores learn from the ledger's accepted, rejected and undone allocations (see
    `rapprochement learn`) unless --no-learning."""
    day = parse_date(as_of, "--as-of")
    cfg = _config(config)
    with (
        open_ledger(db) as ledger,
        stages(err_console, quiet=as_json) as shown,
        engine_stages(shown),
    ):
        summary = ledger.reconcile(cfg, day, stage=shown.stage, learn=not no_learning)
    if as_json:
        print_json(summary.to_dict())
        return
    amounts = ", ".join(f"{v} {k}" for k, v in summary.auto_amount.items()) or "0"
    console().print(
        kv_table(
            f"Reconcile run {summary.run_id} (matcher {summary.version})",
            [
                ("open payment lines", summary.transactions),
                ("open invoices", summary.invoices),
                ("known payers used", summary.known_payers),
                ("scores learned from (decisions)", summary.learned_from),
                ("automatic allocations", summary.auto_allocations),
                ("amount matched", amounts),
                ("lines matched", summary.matched_transactions),
                ("suggestions to review", summary.suggestions),
                ("skipped (rejected before)", summary.skipped_rejected),
                ("held as suggestions (nothing new)", summary.held_as_suggestions),
                ("held unmatched (nothing new)", summary.held_unmatched),
                *(
                    [("lines with no date, left out", summary.undated_transactions)]
                    if summary.undated_transactions
                    else []
                ),
                ("seconds", summary.seconds),
            ],
        )
    )
    if summary.suggestions:
        console().print(line("Review them with ", ("rapprochement review", "bold"), "."))


@app.command("status")
def status_command(
    db: DbOption = DEFAULT_DB, as_json: JsonOption = False, lang: LangOption = None
) -> None:
    """Counts: entries, lines matched, open invoices and amount, pending suggestions."""
    words = output_language(lang)
    with open_ledger(db) as ledger:
        st = ledger.status()
    if as_json:
        print_json(st)
        return

    def amounts(by_ccy: dict[str, str]) -> str:
        return ", ".join(money(Decimal(v), k, words) for k, v in by_ccy.items())

    open_money = amounts(st["open_amount"]) or "0"
    matched = amounts(st["matched_amount"]) or "0"
    written_off = amounts(st["written_off_amount"])
    console().print(
        kv_table(
            f"Ledger {db}",
            [
                ("statements", st["statements"]),
                ("entries", st["entries"]),
                ("payment lines", st["transactions"]),
                ("  fully matched", st["matched_transactions"]),
                ("  partly matched", st["partially_matched_transactions"]),
                ("  unmatched", st["unmatched_transactions"]),
                ("customer payments (incoming)", st["customer_payments"]),
                ("  matched", st["customer_payments_matched"]),
                ("match rate (customer payments)", f"{st['match_rate']:.1%}"),
                ("outgoing lines", st["outgoing_lines"]),
                ("categorized lines (rules)", st["categorized_lines"]),
                *[(f"  {k}", f"{v['lines']}") for k, v in st["categories"].items()],
                ("returns (linked / not yet)", "{linked} / {unlinked}".format(**st["returns"])),
                ("amount matched", matched),
                *([("written off (fees, discounts)", written_off)] if written_off else []),
                ("invoices", st["invoices"]),
                ("open invoices", st["open_invoices"]),
                ("open amount", open_money),
                ("suggestions pending", st["suggestions_pending"]),
                ("learned IBANs / aliases", f"{st['learned_ibans']} / {st['learned_aliases']}"),
            ],
        )
    )


@app.command("export")
def export_command(
    file: Annotated[Path, typer.Argument(help="File to write.")],
    db: DbOption = DEFAULT_DB,
    fec: Annotated[
        bool, typer.Option("--fec", help="Journal entries in the French FEC layout.")
    ] = False,
    journal: Annotated[
        bool, typer.Option("--journal", help="Journal entries as a plain CSV.")
    ] = False,
    accounts: Annotated[
        Path | None, typer.Option("--accounts", help="Account map, TOML (default: French PCG).")
    ] = None,
    pipe: Annotated[bool, typer.Option("--pipe", help="FEC separated by '|', not tabs.")] = False,
    excel_fr: Annotated[
        bool, typer.Option("--excel-fr", help="For French Excel: ';', decimal commas, BOM.")
    ] = False,
) -> None:
    """Write every allocation as CSV for an ERP (booking date, bank reference, payer, customer,
    what is still open), or the matched receipts and write-offs as journal entries (--fec,
    --journal)."""
    if fec and journal:
        raise InputError("--fec and --journal", hint="choose one")
    with open_ledger(db) as ledger:
        if fec or journal:
            entries = (
                ledger.export_fec(file, accounts, separator="|" if pipe else "\t")
                if fec
                else ledger.export_journal(file, accounts, excel_fr=excel_fr)
            )
            debit, credit = entries.totals()
            console().print(
                line(f"{len(entries.lines)} journal line(s) written to {file} "
                     f""
                     f"(debit {from_minor(debit, entries.currency)}, "
                     f"credit {from_minor(credit, entries.currency)})")
            )  # fmt: skip
            if entries.skipped_foreign:
                console().print(
                    line(("warning:", "yellow"), f" {entries.skipped_foreign} allocation(s) in "
                         "another currency than the books' left out (no exchange rate)")
                )  # fmt: skip
            return
        n = ledger.export_allocations(file, excel_fr=excel_fr)
    console().print(line(f"{n} allocation(s) written to {file}"))
