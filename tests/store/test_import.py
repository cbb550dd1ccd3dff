"""Statement import: idempotent, overlap-safe, order-independent, atomic."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from rapprochement.errors import RapprochementError, StatementError
from rapprochement.store import Ledger
from tests.conftest import REPO
from tests.store.helpers import LINES, dump, line, write_camt, write_mt940


def test_import_counts_new_entries_and_details(ledger_url: str, tmp_path: Path) -> None:
    f = write_mt940(tmp_path / "a.sta", LINES)
    with Ledger(ledger_url) as ledger:
        s = ledger.import_statements([f])
        assert (s.statements_new, s.entries_new, s.transactions_new) == (1, 5, 5)
        assert ledger.status()["entries"] == 5


def test_importing_twice_adds_nothing(ledger_url: str, tmp_path: Path) -> None:
    f = write_mt940(tmp_path / "a.sta", LINES)
    with Ledger(ledger_url) as ledger:
        ledger.import_statements(f)
        before = dump(ledger)
        again = ledger.import_statements([f])
        assert (again.statements_new, again.statements_known) == (0, 1)
        assert (again.entries_new, again.entries_known) == (0, 5)
        assert dump(ledger) == before


def test_overlapping_statements_add_only_new_lines_in_any_order(
    new_ledger_url: Callable[[], str], tmp_path: Path
) -> None:
    a = write_mt940(tmp_path / "a.sta", LINES[:3], "S1")
    b = write_mt940(tmp_path / "b.sta", LINES[1:], "S2", opening="2200")
    with Ledger(new_ledger_url()) as ledger:
        first = ledger.import_statements([a])
        second = ledger.import_statements([b])
        assert (first.entries_new, second.entries_new, second.entries_known) == (3, 2, 2)
        forward = dump(ledger)
    with Ledger(new_ledger_url()) as ledger2:
        ledger2.import_statements([b, a])
        assert dump(ledger2) == forward
    assert len(forward["entries"]) == 5
    assert len(forward["links"]) == 7  # 3 + 4 lines shown by the two statements


def test_genuine_identical_lines_are_kept(ledger_url: str, tmp_path: Path) -> None:
    twin = line(7, "10.00", "X", "", "same", "SAME")
    f = write_mt940(tmp_path / "t.sta", [twin, twin])
    with Ledger(ledger_url) as ledger:
        assert ledger.import_statements(f).entries_new == 2
        assert ledger.import_statements(f).entries_new == 0


def test_same_lines_in_camt_and_mt940_are_one_entry(ledger_url: str, tmp_path: Path) -> None:
    with Ledger(ledger_url) as ledger:
        ledger.import_statements(write_camt(tmp_path / "a.xml", LINES))
        s = ledger.import_statements(write_mt940(tmp_path / "a.sta", LINES))
        assert (s.statements_new, s.entries_new, s.entries_known) == (1, 0, 5)


def test_findings_are_reported(ledger_url: str, tmp_path: Path) -> None:
    f = write_mt940(tmp_path / "bad.sta", LINES)
    f.write_text(f.read_text(encoding="latin-1").replace(":62F:C", ":62F:D"), encoding="latin-1")
    with Ledger(ledger_url) as ledger:
        s = ledger.import_statements(f)
        codes = [x["code"] for sf in s.findings for x in sf.findings]
        assert "balance-mismatch" in codes


def test_unknown_file_changes_nothing(ledger_url: str, tmp_path: Path) -> None:
    good = write_mt940(tmp_path / "a.sta", LINES)
    junk = tmp_path / "junk.txt"
    junk.write_text("hello", encoding="utf-8")
    with Ledger(ledger_url) as ledger:
        with pytest.raises(StatementError, match=r"junk\.txt"):
            ledger.import_statements([good, junk])
        with pytest.raises(RapprochementError, match=r"missing\.sta"):
            ledger.import_statements([good, tmp_path / "missing.sta"])
        assert ledger.status()["entries"] == 0


_CHILD = textwrap.dedent(
    """
    import sys, time
    from rapprochement.store import Ledger
    def progress(done, total):
        if done >= 1000:
            print("WRITING", flush=True)
            time.sleep(60)
    Ledger(sys.argv[1]).import_statements([sys.argv[2]], progress=progress)
    """
)


def test_killed_import_leaves_the_ledger_unchanged(ledger_url: str, tmp_path: Path) -> None:
    with Ledger(ledger_url) as ledger:
        ledger.import_statements(write_mt940(tmp_path / "a.sta", LINES))
        before = dump(ledger)
    many = [line(1 + i % 28, f"{i + 1}.00", "P", "", f"pay {i}", f"K{i}") for i in range(3000)]
    big = write_mt940(tmp_path / "big.sta", many, "BIG")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO / "src"), str(REPO)])}
    proc = subprocess.Popen(
        [sys.executable, "-c", _CHILD, ledger_url, str(big)],
        stdout=subprocess.PIPE,
        env=env,
        text=True,
    )
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "WRITING"
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    proc.stdout.close()
    with Ledger(ledger_url, timeout=30) as ledger:
        assert dump(ledger) == before
        assert ledger.import_statements(big).entries_new == 3000
