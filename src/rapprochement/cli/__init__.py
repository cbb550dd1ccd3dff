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
from typing import Annotated

import typer
import typer.core

from rapprochement.cli.output import console, line
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
err_console = console(stderr=True)


def _help_label(param: typer.core.TyperArgument | typer.core.TyperOption, ctx: object) -> str:
    """What help shows after a name: nothing for a flag, ``DB`` for ``--db``, ``FILES...`` for
    an argument taking several (typer's own labels read ``<bool>``, ``<list[Path]>``)."""
    if getattr(param, "is_flag", False):
        return ""
    label = (param.name or "value").upper()
    return f"{label}..." if param.nargs != 1 else label


typer.core.TyperArgument.display_type_rich = _help_label  # type: ignore[method-assign,assignment]
typer.core.TyperOption.display_type_rich = _help_label  # type: ignore[method-assign,assignment]


def _print_version(value: bool) -> None:
    if value:
        from rapprochement import __version__

        typer.echo(f"rapprochement {__version__}")
        raise typer.Exit(EXIT_OK)


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_print_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """Bank statements to reconciled books and collected cash."""


def _register() -> None:
    # Command modules register themselves on `app` when imported.
    from rapprochement.cli import customers as _customers  # noqa: F401
    from rapprochement.cli import dunning as _dunning  # noqa: F401
    from rapprochement.cli import dunning_run as _dunning_run  # noqa: F401
    from rapprochement.cli import events as _events  # noqa: F401
    from rapprochement.cli import invoices as _invoices  # noqa: F401
    from rapprochement.cli import learn as _learn  # noqa: F401
    from rapprochement.cli import ledger as _ledger  # noqa: F401
    from rapprochement.cli import lines as _lines  # noqa: F401
    from rapprochement.cli import parse as _parse  # noqa: F401
    from rapprochement.cli import queue as _queue  # noqa: F401
    from rapprochement.cli import rates as _rates  # noqa: F401
    from rapprochement.cli import report as _report  # noqa: F401
    from rapprochement.cli import review as _review  # noqa: F401


def main(argv: list[str] | None = None) -> int:
    """Run the command line and return its exit code (as a script: exit with it).

    Commands signal a non-zero outcome with ``raise typer.Exit(code)``; a
    :class:`~rapprochement.errors.RapprochementError` anywhere is printed as one readable line
    (file, place, hint) and mapped to its exit code here, never shown as a traceback.
    """
    _register()
    try:
        app(args=argv, prog_name="rapprochement")
        code = EXIT_OK
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except RapprochementError as exc:
        err_console.print(line(("error:", "bold red"), " ", str(exc)), soft_wrap=True)
        code = EXIT_LEDGER if isinstance(exc, LedgerError) else EXIT_INPUT
    if argv is None:
        sys.exit(code)
    return code
