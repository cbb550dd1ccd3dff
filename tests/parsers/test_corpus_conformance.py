"""Every corpus file is read, and every statement's figures match conformance.json.

Figures compared per statement: entry count, opening and closing balance, sum of booked credits
and of booked debits. The differences we accept are listed, each with its reason, in
``corpus_known_differences.json``; the list is exact (a listed file that now matches fails too,
so the list cannot rot), and at least 98 % of statements must match every figure.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from rapprochement import RapprochementError, Statement, read_statement
from tests.conftest import corpus_dir, load_conformance

KNOWN = Path(__file__).with_name("corpus_known_differences.json")
FILES = load_conformance()


def _dec(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


def compare(stmt: Statement, expected: dict[str, Any]) -> list[str]:
    """Names of the figures of ``stmt`` that differ from ``expected``."""
    diffs = []
    if len(stmt.entries) != expected["entries"]:
        diffs.append(f"entries {len(stmt.entries)} != {expected['entries']}")
    opening = stmt.opening_balance.amount if stmt.opening_balance else None
    closing = stmt.closing_balance.amount if stmt.closing_balance else None
    for name, got in (("opening", opening), ("closing", closing)):
        want = _dec(expected[name])
        if got != want:
            diffs.append(f"{name} {got} != {want}")
    for name, got in (("credits", stmt.total_credits), ("debits", stmt.total_debits)):
        want = _dec(expected[name])
        if got != want:
            diffs.append(f"{name} {got} != {want}")
    return diffs


def file_differences(spec: dict[str, Any], root: Path) -> list[str]:
    """All differences for one corpus file (empty when it conforms)."""
    path = root / spec["file"]
    expected = spec["statements"]
    try:
        got = read_statement(path)
    except RapprochementError as exc:
        return [] if not expected else [f"raised {type(exc).__name__}: {exc}"]
    if not expected:
        return [] if not got else [f"{len(got)} statements where the file has none"]
    if any("member" in s for s in expected):
        got_by_member: dict[str | None, list[Statement]] = {}
        for s in got:
            got_by_member.setdefault(s.source.member, []).append(s)
        pairs = []
        for s in expected:
            bucket = got_by_member.get(s.get("member"), [])
            pairs.append((bucket.pop(0) if bucket else None, s))
    else:
        if len(got) != len(expected):
            return [f"{len(got)} statements != {len(expected)}"]
        pairs = list(zip(got, expected, strict=True))
    out = []
    for i, (stmt, exp) in enumerate(pairs):
        if stmt is None:
            out.append(f"stmt {i}: missing")
            continue
        out.extend(f"stmt {i}: {d}" for d in compare(stmt, exp))
    return out


def _known() -> dict[str, dict[str, Any]]:
    if not KNOWN.exists():
        return {}
    data: dict[str, dict[str, Any]] = json.loads(KNOWN.read_text(encoding="utf-8"))
    return data


@pytest.mark.corpus
@pytest.mark.parametrize("spec", FILES, ids=[f["file"] for f in FILES])
def test_corpus_file_is_read_without_unhandled_exception(spec: dict[str, Any]) -> None:
    root = corpus_dir()
    assert root is not None
    stmts: list[Statement] = []
    if not spec["statements"]:
        # Files that hold no statement may be refused, with a typed error naming the file.
        name = spec["file"].split("/")[-1]
        try:
            stmts = read_statement(root / spec["file"])
        except RapprochementError as exc:
            assert name in str(exc)  # noqa: PT017 - the message must name the file
    else:
        stmts = read_statement(root / spec["file"])
    for s in stmts:
        Statement.model_validate(s.model_dump())  # every produced model is valid as typed


@pytest.mark.corpus
@pytest.mark.parametrize("spec", FILES, ids=[f["file"] for f in FILES])
def test_corpus_figures_match_conformance(spec: dict[str, Any]) -> None:
    root = corpus_dir()
    assert root is not None
    diffs = file_differences(spec, root)
    known = _known().get(spec["file"])
    if known is None:
        assert diffs == [], "\n".join(diffs)
    else:
        assert diffs == known["differences"], (
            f"listed as a known difference ({known['reason']}) but now: {diffs}"
        )


@pytest.mark.corpus
def test_at_least_98_percent_of_statements_match_every_figure() -> None:
    root = corpus_dir()
    assert root is not None
    total = bad = 0
    for spec in FILES:
        n = len(spec["statements"])
        total += n
        diffs = file_differences(spec, root)
        bad_idx = {d.split(":")[0] for d in diffs}
        bad += n if any(not d.startswith("stmt ") for d in diffs) else len(bad_idx)
    assert total > 300
    assert (total - bad) / total >= 0.98, f"{bad} of {total} statements differ"
