"""The HTML report: one self-contained file (inline CSS and SVG charts, no script, no network).

>>> from rapprochement.report import write_report
>>> write_report(ledger, "report.html")                       # doctest: +SKIP

Shows the match rate, amounts matched and open, the suggestion queue, the aged balance chart
(with the disputed invoices it leaves out and the credit notes netted), DSO (with a caveat when
the revenue history is short), the disputes and promises to pay, and the top late payers,
computed by :mod:`rapprochement.report.data`.
"""

from __future__ import annotations

import datetime as dt
import os
from decimal import Decimal
from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape

from rapprochement.errors import LedgerError
from rapprochement.i18n import Language, day, number
from rapprochement.report.charts import bar_chart, share_bar
from rapprochement.report.data import AGE_BUCKETS, ReportData, collect
from rapprochement.report.labels import label
from rapprochement.store import Ledger

__all__ = ["ReportData", "collect", "render_report", "write_report"]

_AGE_COLORS = ("#2f855a", "#d69e2e", "#dd6b20", "#c53030", "#742a2a")


def _env() -> Environment:
    env = Environment(
        loader=PackageLoader("rapprochement.report", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return env


def render_report(data: ReportData) -> str:
    """The report's HTML for already gathered figures."""
    st = data.status
    buckets = [r for r in data.aging if r["bucket"] in AGE_BUCKETS]
    charts = {
        "aging": bar_chart(
            [r["bucket"].replace("_", " ") for r in buckets],
            [r["amount"] for r in buckets],
            title=label("chart_aging", data.lang, ccy=data.currency),
            colors=_AGE_COLORS,
            lang=data.lang,
        ),
        "lines": share_bar(
            [
                (label("matched", data.lang), st["matched_transactions"]),
                (label("partly", data.lang), st["partially_matched_transactions"]),
                (label("unmatched_short", data.lang), st["unmatched_transactions"]),
            ],
            title=label("chart_lines", data.lang),
            lang=data.lang,
        ),
    }
    env = _env()
    env.filters["money"] = lambda v: "" if v is None else number(Decimal(v), data.lang, places=2)
    env.filters["pct"] = lambda v: (
        number(round(Decimal(str(v)) * 100, 1), data.lang, places=1) + " %"
    )
    env.filters["num"] = lambda v: (
        "n/a" if v is None else number(Decimal(str(v)), data.lang, places=1)
    )
    env.filters["day"] = lambda v: "" if v is None else day(v, data.lang)
    env.globals["t"] = lambda key, **kw: label(key, data.lang, **kw)
    return env.get_template("report.html.j2").render(d=data, st=st, charts=charts)


def write_report(
    ledger: Ledger,
    path: str | os.PathLike[str],
    as_of: dt.date | None = None,
    lang: Language = "en",
) -> Path:
    """Write the HTML report of ``ledger`` to ``path`` in ``lang`` (``"en"`` or ``"fr"``:
    words, digit grouping, decimal mark, dates); returns the path."""
    html = render_report(collect(ledger, as_of, lang))
    target = Path(path)
    try:
        target.write_text(html, encoding="utf-8")
    except OSError as exc:
        raise LedgerError(f"cannot write the report: {exc.strerror}", file=str(target)) from None
    return target
