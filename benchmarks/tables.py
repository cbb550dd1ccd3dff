"""Markdown tables of benchmark frames, shared by the runner and its sections."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

__all__ = ["PCT", "fmt", "markdown_table"]

#: Metric columns shown as percentages.
PCT = ("precision", "recall", "f1", "auto_rate", "auto_precision", "suggestion_precision",
       "amount_accuracy", "grouped_recall")  # fmt: skip


def fmt(v: Any, pct: bool = False) -> str:
    """A cell: NaN as ``–``, a share as ``98.7 %`` when ``pct``, whole floats without decimals."""
    if isinstance(v, float):
        if math.isnan(v):
            return "–"
        if pct:
            return f"{100 * v:.1f} %"
        return f"{v:.0f}" if v.is_integer() else f"{v:.2f}"
    return str(v)


def markdown_table(df: pd.DataFrame, pct: tuple[str, ...] = ()) -> str:
    """``df`` as a Markdown table, the columns named in ``pct`` as percentages."""
    cols = list(df.columns)
    lines = ["| " + " | ".join(map(str, cols)) + " |", "|" + "---|" * len(cols)]
    for r in df.itertuples(index=False):
        lines.append(
            "| " + " | ".join(fmt(v, c in pct) for c, v in zip(cols, r, strict=True)) + " |"
        )
    return "\n".join(lines)
