"""Inline SVG charts for the HTML report: no image files, no JavaScript, no network.

Charts are drawn from numbers we computed; every label is XML-escaped.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from xml.sax.saxutils import escape

from rapprochement.i18n import Language, number

__all__ = ["bar_chart", "share_bar"]

_PALETTE = ("#2f855a", "#d69e2e", "#c53030", "#2b6cb0", "#805ad5", "#718096")


def bar_chart(
    labels: Sequence[str],
    values: Sequence[Decimal],
    *,
    title: str,
    unit: str = "",
    colors: Sequence[str] | None = None,
    lang: Language = "en",
    width: int = 560,
    height: int = 240,
) -> str:
    """A vertical bar chart with values printed above the bars."""
    n = max(len(values), 1)
    top = max((abs(v) for v in values), default=Decimal(0)) or Decimal(1)
    left, bottom, head = 10, 40, 30
    plot_h = height - bottom - head
    slot = (width - 2 * left) / n
    bar_w = slot * 0.6
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}">',
        f'<text x="{left}" y="18" font-size="14" font-weight="bold">{escape(title)}</text>',
        f'<line x1="{left}" y1="{head + plot_h}" x2="{width - left}" y2="{head + plot_h}" '
        'stroke="#999"/>',
    ]
    for k, (label, value) in enumerate(zip(labels, values, strict=True)):
        h = float(abs(value) / top) * plot_h
        x = left + k * slot + (slot - bar_w) / 2
        y = head + plot_h - h
        color = (colors or _PALETTE)[k % len(colors or _PALETTE)]
        parts.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}" fill="{color}"/>'
        )
        parts.append(
            f'<text x="{x + bar_w / 2:.1f}" y="{y - 4:.1f}" font-size="11" '
            f'text-anchor="middle">{escape(number(round(value), lang))}{escape(unit)}</text>'
        )
        parts.append(
            f'<text x="{x + bar_w / 2:.1f}" y="{head + plot_h + 16}" font-size="12" '
            f'text-anchor="middle">{escape(label)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def share_bar(
    parts: Sequence[tuple[str, int]],
    *,
    title: str,
    lang: Language = "en",
    width: int = 560,
    height: int = 70,
) -> str:
    """One horizontal bar split by share (e.g. lines matched / partly / unmatched)."""
    total = sum(v for _, v in parts) or 1
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}">',
        f'<text x="0" y="14" font-size="14" font-weight="bold">{escape(title)}</text>',
    ]
    x = 0.0
    legend_x = 0
    for k, (label, value) in enumerate(parts):
        w = width * value / total
        color = _PALETTE[k % len(_PALETTE)]
        out.append(f'<rect x="{x:.1f}" y="22" width="{w:.1f}" height="20" fill="{color}"/>')
        x += w
        share = number(round(Decimal(100 * value) / total, 1), lang, places=1)
        text = f"{label}: {value} ({share} %)"
        out.append(f'<rect x="{legend_x}" y="52" width="10" height="10" fill="{color}"/>')
        out.append(f'<text x="{legend_x + 14}" y="61" font-size="11">{escape(text)}</text>')
        legend_x += 14 + 7 * len(text) + 16
    out.append("</svg>")
    return "".join(out)
