"""``benchmarks.golden``: the comparisons it runs, and hypotheses that are the same on the
same book (what ``check`` compares exactly)."""

from __future__ import annotations

from benchmarks.generator import generate
from benchmarks.golden import BOOKS, WORLDS, _runs, hypotheses


def test_the_comparisons_cover_books_worlds_the_process_pool_and_large_hypotheses() -> None:
    names = [name for name, _, _ in _runs(300_000)]
    assert names[: len(BOOKS)] == [f"{n}-{s}" for n, s in BOOKS]
    pooled = [run for _, label, run in _runs(None) if "ProcessPool" in label]
    assert [r[3] for r in pooled] == [2]
    assert all(any(n.startswith(w) for n in names) for w in WORLDS)
    assert names[-1] == "hyp-300000"
    assert "hyp-300000" not in [name for name, _, _ in _runs(None)]


def test_hypotheses_are_equal_on_the_same_book_and_differ_on_another() -> None:
    a = hypotheses(generate(1000, 500, "hard"))
    b = hypotheses(generate(1000, 500, "hard"))
    c = hypotheses(generate(1001, 500, "hard"))
    assert set(a) == {"singles", "groups"}
    assert len(a["singles"])
    assert len(a["groups"])
    assert all(a[k].equals(b[k]) for k in a)
    assert not a["singles"].equals(c["singles"])
