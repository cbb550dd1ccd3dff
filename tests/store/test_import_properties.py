"""Property: importing any sequence of (overlapping, repeated) statement files gives the ledger
of importing each distinct file once, in any order; a camt.054 notification and the camt.053
batch line it details among them."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rapprochement.store import Ledger
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
        write_mt940(folder / "d.sta", [TWIN], "S3"),
        batch_statement(folder),
        batch_notification(folder),
    ]


def _ledger_of(folder: Path, name: str, batches: list[list[Path]]) -> dict[str, object]:
    with Ledger(folder / name) as ledger:
        for batch in batches:
            ledger.import_statements(batch)
        return dump(ledger)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    order=st.lists(st.integers(0, 5), min_size=1, max_size=6),
    batch=st.integers(1, 3),
)
def test_any_import_sequence_gives_the_same_ledger(order: list[int], batch: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        files = _files(folder)
        chosen = [files[i] for i in order]
        batches = [chosen[i : i + batch] for i in range(0, len(chosen), batch)]
        got = _ledger_of(folder, "got.db", batches)
        want = _ledger_of(folder, "want.db", [[files[i]] for i in sorted(set(order))])
        assert got == want
