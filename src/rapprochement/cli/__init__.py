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


def _register() -> None:
    # Command modules register themselves on `app` when imported.
    from rapprochement.cli import customers as _customers  # noqa: F401
    from rapprochement.cli import dunning as _dunning  # noqa: F401
    from rapprochement.cli import dunning_run as _dunning_run  # noqa: F401
    from rapprochement.cli import events as _events  # noqa: F401
    from rapprochement.cli import invoices as _invoices  # noqa: F401
    from rapprochement.cli import ledger as _ledger  # noqa: F401
    from rapprochement.cli import lines as _lines  # noqa: F401
    from rapprochement.cli import parse as _parse  # noqa: F401
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
