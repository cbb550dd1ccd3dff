"""Hypothesis: mutated MT940 files (corpus, else fixtures) give statements or a typed error.

Mutations: truncation, flipped bytes, dropped lines. Whatever the input, the parser returns valid
models or raises a :class:`RapprochementError` subclass: never a bare KeyError, IndexError,
UnicodeDecodeError or ValueError.
"""

from __future__ import annotations

from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rapprochement import RapprochementError
from rapprochement.model import Statement
from rapprochement.parsers.mt940 import reader as mt940
from tests.conftest import FIXTURES, corpus_dir
from tests.mutations import mutated_files


def _samples() -> list[bytes]:
    paths = sorted((FIXTURES / "mt940").glob("*.sta"))
    root = corpus_dir()
    if root is not None:
        paths += sorted(
            p
            for p in (root / "mt940").rglob("*")
            if p.is_file()
            and p.suffix not in {".yml", ".json", ".pydata"}
            and "LICENSE" not in p.name
        )
    return [p.read_bytes() for p in paths if p.stat().st_size < 200_000]


SAMPLES = _samples()


def mutated() -> st.SearchStrategy[bytes]:
    return mutated_files(SAMPLES, [b":61:", b"\n", b"?2", b"/", b"\x00", b"{4:", b"-}"])


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_mutated_files_give_statements_or_a_typed_error(data: bytes) -> None:
    try:
        # The module itself, not read_statement: read_statement would wrap a stray KeyError or
        # IndexError into a typed error and hide the parser bug this test looks for.
        statements = mt940.parse(data, filename="mutated.sta")
    except RapprochementError:
        return
    for s in statements:
        assert Statement.model_validate(s.model_dump()) == s
        for e in s.entries:
            assert isinstance(e.amount, Decimal)
            assert e.transactions[0].amount == e.amount


def test_there_are_samples_to_mutate() -> None:
    assert len(SAMPLES) >= 8
