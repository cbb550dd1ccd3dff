"""The parser benchmark's generator: our parsers read the exact counts and sums it claims."""

from __future__ import annotations

from pathlib import Path

import pytest
from benchmarks.parser_files import FORMATS, build
from benchmarks.parsers import _parser, render

from rapprochement import read_statement
from tests.conftest import corpus_dir

SOURCES = [pytest.param(None, id="embedded"), pytest.param("corpus", id="corpus")]


def _corpus(kind: str | None) -> Path | None:
    if kind is None:
        return None
    root = corpus_dir()
    if root is None:
        pytest.skip("no statement corpus")
    return root


@pytest.mark.parametrize("kind", SOURCES)
@pytest.mark.parametrize("fmt", FORMATS)
def test_generated_file_is_read_exactly(fmt: str, kind: str | None) -> None:
    bench = build(fmt, 200, seed=7, corpus=_corpus(kind))
    statements = read_statement(bench.data, format=fmt)
    assert len(statements) == 1
    (s,) = statements
    assert len(s.entries) == bench.entries == 200
    assert s.total_credits == bench.credits
    assert s.total_debits == bench.debits
    assert s.total_credits - s.total_debits == bench.total
    assert s.reconciles() in (True, None)  # OFX has no opening balance
    assert s.closing_balance is not None
    assert not [f for f in s.findings if f.severity != "info"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_generator_is_deterministic_per_seed(fmt: str) -> None:
    assert build(fmt, 50, seed=1).data == build(fmt, 50, seed=1).data
    assert build(fmt, 50, seed=1).data != build(fmt, 50, seed=2).data


@pytest.mark.parametrize("fmt", FORMATS)
def test_runner_counts_match_the_truth(fmt: str) -> None:
    bench = build(fmt, 120, seed=3)
    for name in ("rapprochement", "rapprochement (events only)"):
        assert _parser(fmt, name)(bench.data) == (120, bench.total)


def test_render_lists_goals_and_every_row() -> None:
    from benchmarks.parsers import Row

    rows = [
        Row(fmt, parser, 100, 0.1, 0.01, 1.0, "yes")
        for fmt in FORMATS
        for parser in ("rapprochement", "rapprochement (events only)", "peer")
    ]
    for r, fmt in zip(rows[2::3], FORMATS, strict=True):
        r.parser = {"camt": "pycamt", "mt940": "mt-940", "ofx": "ofxparse"}[fmt]
    text = render(rows, dict.fromkeys(FORMATS, "embedded template"), "quick", 0, None)
    assert text.count("\n| ") == 1 + len(rows)
    assert "goal ≥ 50,000" in text
