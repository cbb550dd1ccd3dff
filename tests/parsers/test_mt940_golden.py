"""Golden files: each MT940/MT942 fixture beside its expected JSON (tests/fixtures/mt940)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.golden import assert_golden

FIXTURES = sorted((Path(__file__).resolve().parent.parent / "fixtures" / "mt940").glob("*.sta"))


def test_fixtures_are_present() -> None:
    assert len(FIXTURES) >= 8


@pytest.mark.parametrize("fixture", FIXTURES, ids=[f.name for f in FIXTURES])
def test_mt940_fixture_matches_its_golden_file(fixture: Path) -> None:
    assert_golden(fixture)
