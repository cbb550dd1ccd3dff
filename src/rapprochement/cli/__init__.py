"""The ``rapprochement`` command line.

Each command group lives in its own module and registers itself on :data:`app`; errors are
mapped to exit codes in one place (:func:`main`):

====  =========================================================
code  meaning
====  =========================================================
0     success
1     the work ran but found problems (e.g. balances that do not add up with --check)
2     usage error (bad option, missing file)
3     input error: a file or row could not be read (RapprochementError)
4     ledger error (store refused the operation; nothing written)
====  =========================================================
"""

from __future__ import annotations

import sys

import typer
from rich.console import Console

from rapprochement.errors import LedgerError, RapprochementError

__all__ = ["EXIT_INPUT", "EXIT_LEDGER", "EXIT_OK", "EXIT_PROBLEMS", "app", "err_console", "main"]

EXIT_OK = 0
EXIT_PROBLEMS = 1
EXIT_INPUT = 3
EXIT_LEDGER = 4

app = typer.Typer(
    name="rapprochement",
    help="Bank statements to reconciled books and collected cash.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
err_console = Console(stderr=True)


def _register() -> None:
    # Command modules register themselves on `app` when imported.
    from rapprochement.cli import parse as _parse  # noqa: F401


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns (and, as a script, exits with) the exit code."""
    _register()
    try:
        app(args=argv, standalone_mode=False)
    except RapprochementError as exc:
        err_console.print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True)
        code = EXIT_LEDGER if isinstance(exc, LedgerError) else EXIT_INPUT
        if argv is None:
            sys.exit(code)
        return code
    except typer.Exit as exc:
        if argv is None:
            sys.exit(exc.exit_code)
        return int(exc.exit_code)
    except Exception as exc:  # click usage errors
        import click

        if isinstance(exc, click.exceptions.Abort):
            err_console.print("aborted")
            code = 130
        elif isinstance(exc, click.ClickException):
            exc.show()
            code = exc.exit_code
        else:
            raise
        if argv is None:
            sys.exit(code)
        return code
    return EXIT_OK
