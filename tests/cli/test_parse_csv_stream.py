"""``parse --csv`` streams: the same rows as flattening whole statements, on every hand
fixture and corpus file, memory flat in the number of entries, and the same exit codes."""

from __future__ import annotations

import io
import tracemalloc
from pathlib import Path

import pytest

from rapprochement.cli.parse import _CSV_FIELDS, _NUMERIC, entry_rows, stream_rows
from rapprochement.csv_out import write_csv
from rapprochement.parsers import read_statement
from tests.cli.test_parse_json_stream import _mt940, _readable, _Sink
from tests.conftest import FIXTURES, corpus_dir


def _old(paths: list[Path]) -> str:
    """What ``parse --csv`` printed before it streamed: every statement held, then flattened."""
    out = io.StringIO()
    statements = [s for p in paths for s in read_statement(p)]
    write_csv(out, _CSV_FIELDS, entry_rows(statements), numeric=_NUMERIC, lineterminator="\n")
    return out.getvalue()


def _new(paths: list[Path], balances: list[bool] | None = None) -> str:
    out = io.StringIO()
    rows = stream_rows(paths, [] if balances is None else balances, fmt=None, strict=False)
    write_csv(out, _CSV_FIELDS, rows, numeric=_NUMERIC, lineterminator="\n")
    return out.getvalue()


def test_stream_equals_whole_statements_on_every_fixture() -> None:
    paths = _readable(FIXTURES)
    assert len(paths) > 20
    for p in paths:
        assert _new([p]) == _old([p]), p
    assert _new(paths[:6]) == _old(paths[:6])  # statement numbers run across files


def test_stream_equals_whole_statements_on_the_corpus() -> None:
    corpus = corpus_dir()
    if corpus is None:
        pytest.skip("no statement corpus (set RAPPROCHEMENT_CORPUS)")
    paths = _readable(corpus)
    assert len(paths) > 50
    for p in paths:
        balances: list[bool] = []
        assert _new([p], balances) == _old([p]), p
        assert balances == [s.reconciles() is not False for s in read_statement(p)], p


def test_memory_is_flat_in_the_entries(tmp_path: Path) -> None:
    small, big = tmp_path / "small.sta", tmp_path / "big.sta"
    small.write_bytes(_mt940(1_000))
    big.write_bytes(_mt940(8_000))

    def peak(path: Path) -> int:
        tracemalloc.start()
        try:
            rows = stream_rows([path], [], fmt=None, strict=False)
            write_csv(_Sink(), _CSV_FIELDS, rows, numeric=_NUMERIC)
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    peak_small, peak_big = peak(small), peak(big)
    # holding the rows would grow the peak 8 times; streamed it barely moves
    assert peak_big < 2 * peak_small, (peak_small, peak_big)
