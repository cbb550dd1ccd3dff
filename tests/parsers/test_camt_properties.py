"""Hypothesis: mutated CAMT files (our fixtures, and the corpus when present) never crash.

Mutations: truncation, flipped bytes, dropped elements, element text replaced by junk. Whatever
the input, reading gives valid statements or raises a :class:`RapprochementError` subclass:
never a bare KeyError, IndexError, ValueError or lxml error.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rapprochement import RapprochementError, read_statement
from rapprochement.model import Statement
from tests.parsers.camt_samples import camt_paths


def _samples() -> list[bytes]:
    paths = camt_paths(zips=False)
    return [p.read_bytes() for p in paths if p.stat().st_size < 200_000]


SAMPLES = _samples()
_ELEMENT = re.compile(rb"<([A-Za-z]+)[^>/]*>[^<]*</\1>|<([A-Za-z]+)[^>]*>.*?</\2>", re.S)
_TEXT = re.compile(rb">([^<>]+)</")
_JUNK = [b"", b"abc", b"-1", b"1e9", b"12,50", b"9" * 40, b"2026-13-45", b"\xff\xfe", b"&amp;"]


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    data = draw(st.sampled_from(SAMPLES))
    for _ in range(draw(st.integers(1, 4))):
        if not data:
            break
        kind = draw(st.sampled_from(["truncate", "flip", "drop", "text"]))
        pos = draw(st.integers(0, len(data) - 1))
        if kind == "truncate":
            data = data[:pos]
        elif kind == "flip":
            data = data[:pos] + bytes([draw(st.integers(0, 255))]) + data[pos + 1 :]
        else:
            pattern = _ELEMENT if kind == "drop" else _TEXT
            matches = list(pattern.finditer(data))
            if not matches:
                continue
            m = matches[draw(st.integers(0, len(matches) - 1))]
            if kind == "drop":
                data = data[: m.start()] + data[m.end() :]
            else:
                data = data[: m.start(1)] + draw(st.sampled_from(_JUNK)) + data[m.end(1) :]
    return data


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_mutated_camt_gives_statements_or_a_typed_error(data: bytes) -> None:
    try:
        statements = read_statement(data, format="camt")
    except RapprochementError:
        return
    for stmt in statements:
        assert Statement.model_validate(stmt.model_dump()) == stmt


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(SAMPLES), st.integers(1, 30))
def test_entity_declarations_are_always_refused(sample: bytes, depth: int) -> None:
    head, sep, rest = sample.partition(b"?>")
    if not sep:
        head, rest = b'<?xml version="1.0"?', sample
    entities = b"".join(
        b'<!ENTITY e%d "%s">' % (i, b"&e%d;" % (i - 1) * 10 if i else b"x") for i in range(depth)
    )
    data = head + b"?>" + b"<!DOCTYPE Document [" + entities + b"]>" + rest
    with pytest.raises(RapprochementError, match=r"DOCTYPE|XML"):
        read_statement(data, format="camt")
