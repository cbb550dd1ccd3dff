"""One way to name the ledger (issue 15): ``--db`` or ``$RAPPROCHEMENT_DB`` on every command,
a typo refused by name; ``--version``; help without typer's ``<bool>`` labels."""

from __future__ import annotations

from pathlib import Path

import pytest

import rapprochement
from rapprochement.cli import EXIT_LEDGER, EXIT_OK, main

READ_ONLY = [
    ["status"], ["review"], ["kpi"], ["dunning", "plan"], ["returns"], ["rules", "show"],
    ["allocation", "history"], ["export", "out.csv"], ["report", "--html", "r.html"],
]  # fmt: skip


@pytest.mark.parametrize("command", READ_ONLY)
def test_the_environment_names_the_ledger_of_every_command(
    command: list[str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    typo = tmp_path / "boks.db"
    monkeypatch.setenv("RAPPROCHEMENT_DB", str(typo))
    assert main(command) == EXIT_LEDGER
    err = capsys.readouterr().err
    assert "no ledger here" in err
    assert "boks.db" in err
    assert not typo.exists()


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert isinstance(rapprochement.__version__, str)
    assert main(["--version"]) == EXIT_OK
    assert capsys.readouterr().out.strip() == f"rapprochement {rapprochement.__version__}"


@pytest.mark.parametrize("command", [["import"], ["review", "accept"], ["status"], []])
def test_help_shows_no_type_labels(command: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main([*command, "--help"]) == EXIT_OK
    out = capsys.readouterr().out
    assert "<bool>" not in out
    assert "list[" not in out
    assert "<str>" not in out


def test_import_help_names_every_format(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["import", "--help"]) == EXIT_OK
    out = " ".join(capsys.readouterr().out.split())
    for name in ("CAMT", "MT940/MT942", "OFX", "CFONB 120", "bank CSV", "ZIP"):
        assert name in out
