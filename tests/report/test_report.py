"""The HTML report: self-contained, shows the figures, and renders in headless Chromium."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

from rapprochement.report import collect, write_report
from rapprochement.report.charts import bar_chart
from rapprochement.report.data import simple_aging
from rapprochement.store import Ledger
from tests.store.fake_matcher import fake_matcher
from tests.store.helpers import LINES, write_invoices, write_mt940

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture
def report(tmp_path: Path) -> Path:
    with Ledger(tmp_path / "l.db") as ledger:
        ledger.import_statements(write_mt940(tmp_path / "a.sta", LINES))
        ledger.import_invoices(write_invoices(tmp_path / "i.csv"))
        ledger.reconcile(matcher=fake_matcher)
        return write_report(ledger, tmp_path / "report.html", dt.date(2026, 5, 1))


def test_report_is_self_contained_and_shows_the_figures(report: Path) -> None:
    html = report.read_text(encoding="utf-8")
    assert not re.search(r"""(src|href)=["']https?:""", html)
    assert "<script" not in html
    assert html.count("<svg") == 2
    for text in ("20.0 %", "Aged balance", "Top late payers", "Suggestion queue", "DSO"):
        assert text in html
    assert "Delta SAS" in html  # FA-006 is 48 days late on 2026-05-01 and unpaid


def test_figures_are_collected_from_the_ledger(tmp_path: Path) -> None:
    with Ledger(tmp_path / "l.db") as ledger:
        ledger.import_invoices(write_invoices(tmp_path / "i.csv"))
        data = collect(ledger, dt.date(2026, 4, 1))
    by_bucket = {r["bucket"]: r for r in data.aging}
    # due 2026-03-03 … 03-14: 18 to 29 days late on 2026-04-01
    assert by_bucket["1-30"]["count"] == 6
    assert by_bucket["1-30"]["amount"] == Decimal("3024.00")
    assert data.late_payers[0]["customer_id"] == "C1"  # 1650.00 overdue


def test_simple_aging_buckets() -> None:
    items = pd.DataFrame(
        {
            "open_amount": [Decimal("10"), Decimal("20"), Decimal("-5"), Decimal("40")],
            "due_date": [dt.date(2026, 1, 31), dt.date(2025, 12, 1), None, None],
            "issue_date": [dt.date(2026, 1, 1)] * 3 + [dt.date(2025, 10, 1)],
        }
    )
    rows = {
        r["bucket"]: (r["count"], r["amount"]) for r in simple_aging(items, dt.date(2026, 2, 1))
    }
    assert rows == {
        "not_due": (0, 0),
        "1-30": (1, Decimal("10")),
        "31-60": (0, 0),
        "61-90": (1, Decimal("20")),
        "91+": (1, Decimal("40")),
    }


def test_chart_labels_are_escaped() -> None:
    svg = bar_chart(["<b>"], [Decimal(3)], title="a & b")
    assert "&lt;b&gt;" in svg
    assert "a &amp; b" in svg


@pytest.mark.browser
@pytest.mark.skipif(
    shutil.which(CHROMIUM) is None and not os.environ.get("RAPPROCHEMENT_REQUIRE_BROWSER"),
    reason="no headless Chromium (CI installs it and sets RAPPROCHEMENT_REQUIRE_BROWSER=1)",
)
def test_report_renders_in_headless_chromium(report: Path, tmp_path: Path) -> None:
    shot = tmp_path / "report.png"
    subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={tmp_path / 'profile'}",
            f"--screenshot={shot}",
            "--window-size=1200,1600",
            report.as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    data = shot.read_bytes()
    assert data.startswith(b"\x89PNG")
    assert len(data) > 20_000  # a blank page is a few kB
