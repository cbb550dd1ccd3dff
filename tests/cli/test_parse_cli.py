"""``rapprochement parse``: output formats and exit codes that mean something."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from rapprochement.cli import EXIT_INPUT, EXIT_OK, EXIT_PROBLEMS, main

GOOD = (
    ":20:STMT1\n:25:NL91ABNA0417164300\n:28C:1/1\n:60F:C260102EUR100,00\n"
    ":61:2601020102C50,00NTRFNONREF//B1\n:86:/REMI/FA-2026-001/NAME/DUPONT SARL\n"
    ":61:2601020102D20,00NTRFNONREF//B2\n:86:/REMI/LOYER/NAME/SCI DU PORT\n"
    ":62F:C260102EUR130,00\n-\n"
)


@pytest.fixture
def good(tmp_path: Path) -> Path:
    p = tmp_path / "good.sta"
    p.write_text(GOOD, encoding="ascii")
    return p


def test_parse_prints_entries_and_says_balances_add_up(
    good: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["parse", str(good)]) == EXIT_OK
    out = capsys.readouterr().out
    assert "balances add up" in out
    assert "DUPONT" in out


def test_parse_exits_1_when_a_statement_does_not_add_up(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    p = tmp_path / "off.sta"
    p.write_text(GOOD.replace("C260102EUR130,00", "C260102EUR131,00"), encoding="ascii")
    assert main(["parse", str(p)]) == EXIT_PROBLEMS
    assert "OFF by 1.00" in capsys.readouterr().out


def test_parse_json_is_the_model_dump(good: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["parse", str(good), "--json"]) == EXIT_OK
    data = json.loads(capsys.readouterr().out)
    assert len(data) == 1
    assert [e["amount"] for e in data[0]["entries"]] == ["50.00", "-20.00"]
    assert data[0]["closing_balance"]["amount"] == "130.00"


def test_parse_csv_has_one_row_per_detail(good: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["parse", str(good), "--csv"]) == EXIT_OK
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [r["amount"] for r in rows] == ["50.00", "-20.00"]
    assert rows[0]["remittance_info"] == "FA-2026-001"
    assert len({r["fingerprint"] for r in rows}) == 2


def test_unreadable_file_gives_exit_3_and_a_message_naming_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    p = tmp_path / "junk.bin"
    p.write_bytes(b"\x00\x01 nothing")
    assert main(["parse", str(p)]) == EXIT_INPUT
    err = capsys.readouterr().err
    assert "junk.bin" in err
    assert "Traceback" not in err


def test_missing_argument_is_a_usage_error() -> None:
    assert main(["parse"]) == 2
