"""The worked examples in docs/kpi.md and docs/dunning.md are executed: the docs cannot drift."""

from __future__ import annotations

import doctest
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[2] / "docs"


@pytest.mark.parametrize("name", ["kpi.md", "dunning.md"])
def test_worked_examples_in_the_docs_give_the_documented_figures(name: str) -> None:
    path = DOCS / name
    if not path.exists():
        pytest.fail(f"{path} is missing")
    result = doctest.testfile(
        str(path),
        module_relative=False,
        optionflags=doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS,
        verbose=False,
        report=True,
    )
    assert result.attempted > 5, "no examples found"
    assert result.failed == 0
