"""Progress on long commands (issue 15): stages with counts and seconds on a terminal,
nothing when stderr is not one (pipes, logs, CI) or with --json."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from rich.console import Console

import rapprochement.cli.invoices as cli_invoices
import rapprochement.cli.ledger as cli_ledger
from rapprochement.cli import EXIT_OK, main


def _terminal() -> tuple[Console, io.StringIO]:
    buf = io.StringIO()
    return Console(file=buf, force_terminal=True, width=120, markup=False), buf


@pytest.fixture
def demo_files() -> list[str]:
    from demo.make_data import DATA
    from demo.run import STATEMENTS

    return [str(DATA / f) for f in STATEMENTS] + [str(DATA / "invoices.csv")]


def test_stages_and_counts_on_a_terminal(
    tmp_path: Path, demo_files: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    term, buf = _terminal()
    monkeypatch.setattr(cli_ledger, "err_console", term)
    monkeypatch.setattr(cli_invoices, "err_console", term)
    db = ["--db", str(tmp_path / "d.db")]
    assert main(["import", *demo_files[:-1], *db]) == EXIT_OK
    assert main(["invoices", "import", demo_files[-1], *db]) == EXIT_OK
    assert main(["reconcile", *db]) == EXIT_OK
    shown = buf.getvalue()
    for stage in ("importing 4 file(s): entries", "importing invoices from",
                  "loading open items", "matching", "blocking", "candidate pairs", "scoring",
                  "assignment", "writing allocations"):  # fmt: skip
        assert stage in shown, stage
    assert "✓" in shown


def test_quiet_when_stderr_is_not_a_terminal(
    tmp_path: Path, demo_files: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    db = ["--db", str(tmp_path / "d.db")]
    assert main(["import", *demo_files[:-1], *db]) == EXIT_OK
    assert main(["invoices", "import", demo_files[-1], *db]) == EXIT_OK
    assert main(["reconcile", *db]) == EXIT_OK
    assert main(["report", "--html", str(tmp_path / "r.html"), *db]) == EXIT_OK
    assert capsys.readouterr().err == ""
