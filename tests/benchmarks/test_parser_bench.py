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
        r.seconds = 0.04  # a peer 4× slower: 2 500 entries/s against our 10 000
    ceilings = {"camt": 30_000.0, "mt940": 15_000.0, "ofx": 10_000.0}
    text = render(rows, dict.fromkeys(FORMATS, "embedded template"), "quick", 0, None, ceilings)
    assert text.count("\n| ") == 1 + len(rows)
    # every row shows its format's ceiling and how far below it; ours their ratio to the peer
    assert "| camt | rapprochement | 100 | 0.1 | 0.010 | 10,000 |" in text
    assert "| 30,000 | 3.0× | 4.0× |" in text
    assert "| 15,000 | 1.5× | 4.0× |" in text
    assert "| 10,000 | 4.0× | - |" in text  # ofxparse (2 500 entries/s): no peer ratio
    # the goals: 2× the best peer (met: 4×), within 2× of the ceiling (CAMT 3× below: not met)
    assert "- **CAMT**: 10,000 entries/s; 4.0× pycamt (goal ≥ 2×: met)" in text
    assert "3.0× below it (goal within 2×: NOT met)" in text
    assert "1.5× below it (goal within 2×: met)" in text


def test_the_ceiling_goal_is_the_floor_scripts() -> None:
    from benchmarks import parser_floor, parsers

    assert parsers.CEILING_FACTOR == parser_floor.CEILING_FACTOR
