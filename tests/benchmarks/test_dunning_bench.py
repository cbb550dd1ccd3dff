"""The dunning benchmark section runs on a tiny book and reports its figures."""

from __future__ import annotations

from benchmarks.dunning_bench import measure, run

from tests.conftest import require_pdf


def test_the_section_measures_planning_rendering_and_pdf_pages() -> None:
    require_pdf()
    m = measure("test", 1000)
    assert m["letters"] > 0
    assert m["pdfs"] >= 2
    assert m["short_one_page"] == m["short"]
    text = run("test", 1000)
    assert "PDF per letter" in text
    assert "plan_dunning" in text
