"""Imports stream (issue 18 item 14): files written in batches inside one transaction, so the
batch size changes nothing in the ledger, a failure anywhere leaves the ledger as it was, and
memory stays flat in the number of entries."""

from __future__ import annotations

import tempfile
import tracemalloc
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from rapprochement.errors import LedgerError, MalformedStatementError
from rapprochement.parsers import read_statement
from rapprochement.store import Ledger
from rapprochement.store import schema as t
from rapprochement.store.importer import BATCH_SIZE
from tests.store.helpers import (
    LINES,
    batch_notification,
    batch_statement,
    dump,
    line,
    write_camt,
    write_mt940,
)

TWIN = line(9, "10.00", "X", "", "same", "SAME")


def _files(folder: Path) -> list[Path]:
    return [
        write_mt940(folder / "a.sta", LINES[:3], "S1"),
        write_mt940(folder / "b.sta", LINES[2:], "S2", opening="2154.10"),
        write_camt(folder / "c.xml", [*LINES[3:], TWIN, TWIN], "C1"),
        write_mt940(folder / "d.sta", [TWIN, TWIN, TWIN], "S3"),
        batch_statement(folder),
        batch_notification(folder),
    ]


def _full(ledger: Ledger) -> dict[str, object]:
    """dump() plus line details, categories and returns."""
    out = dump(ledger)
    with ledger.engine.connect() as conn:
        for table in (t.line_details, t.line_categories, t.line_returns):
            cols = [c for c in table.c if c.name not in ("id", "created_at", "linked_at")]
            out[table.name] = sorted(tuple(r) for r in conn.execute(select(*cols)))
    return out


def _import(folder: Path, name: str, files: list[Path], batch_size: int) -> dict[str, object]:
    with Ledger(folder / name) as ledger:
        summary = ledger.import_statements(files, batch_size=batch_size)
        again = ledger.import_statements(files, batch_size=batch_size)
        return {
            "ledger": _full(ledger),
            "summary": summary.to_dict(),
            "again": again.to_dict(),
        }


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    order=st.permutations(range(6)),
    batch_size=st.sampled_from([1, 2, 7]),
)
def test_the_batch_size_changes_nothing(order: list[int], batch_size: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        files = _files(folder)
        chosen = [files[i] for i in order]
        got = _import(folder, "got.db", chosen, batch_size)
        want = _import(folder, "want.db", chosen, BATCH_SIZE)
        assert got == want


def test_statements_passed_as_objects_stream_the_same(tmp_path: Path) -> None:
    files = _files(tmp_path)
    statements = [s for f in files for s in read_statement(f)]
    with Ledger(tmp_path / "models.db") as a, Ledger(tmp_path / "files.db") as b:
        a.import_statements([statements[0], files[1], *statements[2:]], batch_size=2)
        b.import_statements(files)
        assert dump(a) == dump(b)


def _count(ledger: Ledger) -> tuple[int, int, int]:
    with ledger.engine.connect() as conn:
        return (
            conn.execute(select(func.count()).select_from(t.statements)).scalar_one(),
            conn.execute(select(func.count()).select_from(t.entries)).scalar_one(),
            conn.execute(select(func.count()).select_from(t.line_details)).scalar_one(),
        )


def _many(n: int, stmt_id: str = "BIG") -> str:
    rows = [f":20:{stmt_id}\n:25:NL91ABNA0417164300\n:28C:1/1\n:60F:C260102EUR0,00\n"]
    total = 0
    for i in range(n):
        cents = i % 9_973 + 1
        total += cents
        rows.append(
            f":61:2601020102C{cents // 100},{cents % 100:02d}NTRFREF{i}//B{i}\n"
            f":86:/REMI/INVOICE {i} VIREMENT SEPA RECU DE DUPONT ET FILS/NAME/DUPONT SARL\n"
        )
    rows.append(f":62F:C260102EUR{total // 100},{total % 100:02d}\n-\n")
    return "".join(rows)


def test_a_file_whose_end_is_broken_leaves_the_ledger_unchanged(tmp_path: Path) -> None:
    good = tmp_path / "good.sta"
    good.write_text(_many(30, "GOOD"), encoding="ascii")
    broken = tmp_path / "broken.sta"
    # many entries, then a line no reader accepts (over the 1 MiB line bound)
    broken.write_text(_many(200, "B") + ":20:X\n:86:" + "A" * (2 << 20) + "\n", encoding="ascii")
    new = tmp_path / "new.sta"
    new.write_text(_many(20, "NEW").replace("NL91ABNA0417164300", "DE89370400440532013000"))
    with Ledger(tmp_path / "l.db") as ledger:
        ledger.import_statements([good])
        before = _full(ledger)
        with pytest.raises(MalformedStatementError):
            ledger.import_statements([broken], batch_size=7)
        with pytest.raises(MalformedStatementError):
            ledger.import_statements([new, broken], batch_size=7)
        assert _full(ledger) == before


def test_a_failure_while_writing_rolls_back_every_batch(tmp_path: Path) -> None:
    first = tmp_path / "first.sta"
    first.write_text(_many(40, "F1"), encoding="ascii")
    second = tmp_path / "second.sta"
    second.write_text(_many(40, "F2").replace("NL91ABNA0417164300", "DE89370400440532013000"))

    def stop(done: int, total: int) -> None:
        if done > 50:  # the first file and a batch of the second are written by now
            raise RuntimeError("interrupted")

    with Ledger(tmp_path / "l.db") as ledger:
        with pytest.raises(RuntimeError):
            ledger.import_statements([first, second], batch_size=7, progress=stop)
        assert _count(ledger) == (0, 0, 0)
        summary = ledger.import_statements([first, second], batch_size=7)
        assert (summary.statements_new, summary.entries_new) == (2, 80)


def test_progress_counts_every_entry_in_batches(tmp_path: Path) -> None:
    f = tmp_path / "f.sta"
    f.write_text(_many(25), encoding="ascii")
    seen: list[tuple[int, int]] = []
    with Ledger(tmp_path / "l.db") as ledger:
        ledger.import_statements([f], batch_size=10, progress=lambda d, n: seen.append((d, n)))
    assert seen == [(10, 25), (20, 25), (25, 25)]


def test_a_batch_size_below_one_is_refused(tmp_path: Path) -> None:
    f = tmp_path / "f.sta"
    f.write_text(_many(2), encoding="ascii")
    with Ledger(tmp_path / "l.db") as ledger, pytest.raises(LedgerError, match="batch_size"):
        ledger.import_statements([f], batch_size=0)


def _peak(tmp: Path, n: int) -> int:
    f = tmp / f"m{n}.sta"
    f.write_text(_many(n), encoding="ascii")
    with Ledger(tmp / f"m{n}.db") as ledger:
        tracemalloc.start()
        try:
            summary = ledger.import_statements([f], batch_size=250)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    assert summary.entries_new == n
    return peak


def test_memory_is_flat_in_the_entries(tmp_path: Path) -> None:
    _peak(tmp_path, 200)  # one-time costs (imports, caches, the schema) out of the way
    small, big = _peak(tmp_path, 500), _peak(tmp_path, 2_500)
    growth = (big - small) / 2_000
    # holding the statements costs several kilobytes an entry (models, rows, line facts); what
    # remains is the parser's fingerprint ranks (a 16-byte digest an entry, about 100 bytes
    # with its dict slot) and the steps of that dict's growth
    assert growth < 500, (small, big, growth)
