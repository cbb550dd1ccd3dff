"""Reference-rate tables by half-year, shipped as JSON data files the user can replace.

Three tables ship in ``rapprochement/dunning/data/``: the ECB main refinancing rate in force on
1 January / 1 July (``ecb_mro.json``), the French legal interest rate for "autres cas"
(``fr_legal.json``) and the German Basiszinssatz (``de_base.json``). Each row is one half-year
(``"2025-H2"``). A rate is never guessed: :meth:`RateTable.find` returns None for a half-year
the table does not hold (penalties then carry a finding), :meth:`RateTable.period_for` raises
:class:`~rapprochement.errors.RateTableError` naming it.

:func:`default_rate_tables` is what penalties use when given no tables: the shipped ones, with
the rows ``rapprochement rates update`` fetched (the user's data directory) laid over them, or
the file set by :func:`~rapprochement.dunning.rate_store.use_rates_file` (``--rates FILE``); see
:mod:`rapprochement.dunning.rate_store`.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from rapprochement.errors import ConfigError, RateTableError

__all__ = [
    "TABLE_NAMES",
    "RatePeriod",
    "RateTable",
    "RateTables",
    "default_rate_tables",
    "half_year_bounds",
    "half_year_of",
    "shipped_rate_tables",
    "shipped_table",
]

_PERIOD_RE = re.compile(r"^(\d{4})-H([12])$")


def half_year_of(day: dt.date) -> str:
    """The half-year label of ``day``: ``"2025-H1"`` (January-June) or ``"2025-H2"``."""
    return f"{day.year}-H{1 if day.month <= 6 else 2}"


def half_year_bounds(period: str) -> tuple[dt.date, dt.date]:
    """First and last day of a half-year label (``"2025-H2"`` → 2025-07-01, 2025-12-31)."""
    m = _PERIOD_RE.match(period)
    if m is None:
        raise ConfigError(f"{period!r} is not a half-year", hint="write e.g. 2025-H1 or 2025-H2")
    year, half = int(m.group(1)), int(m.group(2))
    if half == 1:
        return dt.date(year, 1, 1), dt.date(year, 6, 30)
    return dt.date(year, 7, 1), dt.date(year, 12, 31)


class RatePeriod(BaseModel):
    """The rate of one half-year."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    period: str = Field(description="Half-year label: 2025-H1 (Jan-Jun) or 2025-H2 (Jul-Dec).")
    rate: Decimal = Field(description="Rate in percent (3.15 means 3.15 %).")
    confidence: Literal["high", "low"] = Field(
        "high", description="low when the value was not checked against the primary source."
    )
    note: str | None = Field(None, description="Why the confidence is low, or the source.")

    @field_validator("period")
    @classmethod
    def _check_period(cls, v: str) -> str:
        if not _PERIOD_RE.match(v):
            raise ValueError(f"{v!r} is not a half-year label such as 2025-H1")
        return v


class RateTable(BaseModel):
    """A reference-rate series by half-year."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(description="Short id: ecb_mro, fr_legal, de_base or your own.")
    title: str = Field("", description="What the rate is, for people.")
    source: str = Field("", description="Where the values come from.")
    notes: tuple[str, ...] = Field((), description="Caveats: gaps, unverified values.")
    updated: dt.date | None = Field(
        None, description="Day the values were last checked or fetched from the publisher."
    )
    periods: tuple[RatePeriod, ...] = Field(description="One row per half-year.")

    @field_validator("periods")
    @classmethod
    def _unique(cls, v: tuple[RatePeriod, ...]) -> tuple[RatePeriod, ...]:
        seen = [p.period for p in v]
        dupes = sorted({p for p in seen if seen.count(p) > 1})
        if dupes:
            raise ValueError(f"half-year(s) listed twice: {', '.join(dupes)}")
        return tuple(sorted(v, key=lambda p: p.period))

    @property
    def covered(self) -> str:
        """The half-years the table spans, ``"2015-H1..2026-H1"`` (``"none"`` when empty)."""
        return f"{self.periods[0].period}..{self.periods[-1].period}" if self.periods else "none"

    def find(self, day: dt.date) -> RatePeriod | None:
        """The row of the half-year containing ``day``, or None when the table lacks it."""
        label = half_year_of(day)
        return next((p for p in self.periods if p.period == label), None)

    def period_for(self, day: dt.date) -> RatePeriod:
        """The row of the half-year containing ``day``.

        Raises:
            RateTableError: the table has no row for that half-year.
        """
        row = self.find(day)
        if row is not None:
            return row
        label = half_year_of(day)
        raise RateTableError(
            f"no {self.name} rate for {label} (needed for {day.isoformat()})",
            file=self.name,
            location=label,
            hint=f"the table covers {self.covered}; run `rapprochement rates update`, add the "
            f"published rate for {label}, or pass your own table (--rates FILE, rates=...)",
        )

    def rate_for(self, day: dt.date) -> Decimal:
        """Rate in percent for the half-year containing ``day`` (see :meth:`period_for`)."""
        return self.period_for(day).rate

    @classmethod
    def load(cls, path: str | Path) -> RateTable:
        """Read a table from a JSON file (same shape as the shipped ones)."""
        p = Path(path)
        try:
            return cls.model_validate_json(p.read_bytes())
        except (OSError, ValueError) as exc:
            raise ConfigError(f"cannot read rate table: {exc}", file=str(p)) from None


class RateTables(BaseModel):
    """The three tables penalties need; replace any of them with ``model_copy(update=...)``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    ecb_mro: RateTable = Field(description="ECB main refinancing rate on 1 Jan / 1 Jul (FR, EU).")
    fr_legal: RateTable = Field(description="French legal interest rate, 'autres cas'.")
    de_base: RateTable = Field(description="German Basiszinssatz (BGB §247).")


#: The three tables by name, in the order they are shown.
TABLE_NAMES: tuple[str, ...] = ("ecb_mro", "fr_legal", "de_base")


def shipped_table(name: str) -> RateTable:
    """One table as shipped inside the package (``ecb_mro``, ``fr_legal`` or ``de_base``)."""
    data = resources.files("rapprochement.dunning").joinpath("data", f"{name}.json")
    return RateTable.model_validate_json(data.read_bytes())


@functools.cache
def shipped_rate_tables() -> RateTables:
    """The tables shipped with the package (see each file's ``notes`` for gaps and caveats)."""
    return RateTables(**{n: shipped_table(n) for n in TABLE_NAMES})


def default_rate_tables() -> RateTables:
    """The tables penalties use by default: shipped, with fetched rows laid over them, or the
    ``--rates`` file (see :func:`rapprochement.dunning.rate_store.load_rates`)."""
    from rapprochement.dunning.rate_store import load_rates

    return load_rates().tables
