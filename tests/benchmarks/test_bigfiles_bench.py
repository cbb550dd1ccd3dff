"""The big-file benchmark section runs end to end on its test tier (tiny files)."""

from __future__ import annotations

from benchmarks import bigfiles


def test_every_step_is_measured_and_reported() -> None:
    rows = bigfiles.measure("test", 1000, timeout=300)
    assert len(rows) == len(bigfiles.FORMATS) * 2 * len(bigfiles.STEPS)
    for r in rows:
        assert "error" not in r, r
        assert r["entries_read"] == r["entries"], r
        assert float(r["rss_mib"]) > 0  # type: ignore[arg-type]
    text = bigfiles.render(rows, "test", 1000)
    assert "## Very large files" in text
    assert text.count("| mt940 | import |") == 1  # the linearity table
