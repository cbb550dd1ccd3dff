"""``rapprochement report --html FILE``: the self-contained HTML report of a ledger."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from rapprochement.cli import app, err_console
from rapprochement.cli.ledger import (
    DEFAULT_DB,
    DbOption,
    LangOption,
    open_ledger,
    output_language,
    parse_date,
)
from rapprochement.cli.output import console, line
from rapprochement.cli.progress import stages

__all__ = ["report_command"]


@app.command("report")
def report_command(
    html: Annotated[Path, typer.Option("--html", help="HTML file to write.")],
    db: DbOption = DEFAULT_DB,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Report date (default: latest activity).")
    ] = None,
    lang: LangOption = None,
) -> None:
    """Write the HTML report: match rate, amounts, unmatched receipts, open items per
    customer, lines that are not customer payments, suggestions and why, aged balance, DSO,
    late payers."""
    from rapprochement.report import write_report

    day = parse_date(as_of, "--as-of")
    words = output_language(lang)
    with open_ledger(db) as ledger, stages(err_console) as shown:
        shown.stage("gathering the figures and writing the report")
        path = write_report(ledger, html, day, words)
    console().print(line(f"report written to {path.resolve()}"))
