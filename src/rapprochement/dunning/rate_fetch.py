"""``rapprochement rates update``: fetch the reference rates from their publishers.

Each source is a URL that answers a CSV time series (the ECB data portal's SDMX-CSV, the
Bundesbank's and the Banque de France's CSV exports): rows with a date or period and a value.
:func:`parse_series` reads any of them; :func:`half_years` turns the series into the rate *in
force on* 1 January and 1 July of each half-year (the last observation on or before that day),
which is the rule of Code de commerce L441-10, Directive 2011/7/EU and BGB §247 alike. A
series already by half-year (``2026-S1``, ``2026-H2``) is taken as it is.

Only the standard library talks HTTP (``urllib``): one GET per source with a timeout, no
retries, nothing written unless every row parsed. The URLs can be replaced (``--source
NAME=URL``) when a publisher moves them.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import urllib.error
import urllib.request
from decimal import Decimal, InvalidOperation

from pydantic import BaseModel, ConfigDict, Field

from rapprochement.dunning.rates import RatePeriod, RateTable, half_year_bounds, shipped_table
from rapprochement.errors import ConfigError

__all__ = ["DEFAULT_SOURCES", "RateSource", "fetch_table", "half_years", "parse_series"]


class RateSource(BaseModel):
    """Where one table is published."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(description="ecb_mro, fr_legal or de_base.")
    url: str | None = Field(description="URL answering a CSV time series; None: none known.")
    publisher: str = Field(description="Who publishes it, for the table's source line.")


#: The official publications (override any with ``--source NAME=URL``).
DEFAULT_SOURCES: dict[str, RateSource] = {
    "ecb_mro": RateSource(
        name="ecb_mro",
        url="https://data-api.ecb.europa.eu/service/data/FM/B.U2.EUR.4F.KR.MRR_FR.LEV"
        "?format=csvdata",
        publisher="ECB data portal, series FM.B.U2.EUR.4F.KR.MRR_FR.LEV (MRO fixed rate)",
    ),
    # The Banque de France publishes the taux de l'intérêt légal on Webstat, and the arrêtés
    # are on Légifrance (whose API needs an account); no stable CSV address of the "autres cas"
    # series could be confirmed, so none is guessed: pass --source fr_legal=URL (a CSV export).
    "fr_legal": RateSource(
        name="fr_legal",
        url=None,
        publisher="Banque de France Webstat (taux de l'intérêt légal, autres cas)",
    ),
    "de_base": RateSource(
        name="de_base",
        url="https://api.statistiken.bundesbank.de/rest/download/BBK01/SU0115?format=csv&lang=en",
        publisher="Deutsche Bundesbank, series BBK01.SU0115 (Basiszinssatz, BGB §247)",
    ),
}

_DATE_HEADERS = ("time_period", "time_period_start", "date", "period", "datum", "")
_VALUE_HEADERS = ("obs_value", "value", "observation value", "wert", "rate")
_HALF = re.compile(r"^(\d{4})-?[HS]([12])$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})(?:-(\d{2}))?")


def _when(cell: str) -> dt.date | str | None:
    """A day, a half-year label, or None when the cell is neither."""
    text = cell.strip()
    m = _HALF.match(text)
    if m:
        return f"{m.group(1)}-H{m.group(2)}"
    m = _MONTH.match(text)
    if m:
        try:
            return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3) or 1))
        except ValueError:
            return None
    return None


def _value(cell: str) -> Decimal | None:
    text = cell.strip().replace("\u2212", "-").replace(",", ".").rstrip("%").strip()
    if not text:
        return None
    try:
        d = Decimal(text)
    except InvalidOperation:
        return None
    return d if d.is_finite() else None


def _columns(header: list[str]) -> tuple[int, int] | None:
    low = [h.strip().lower() for h in header]
    di = next((low.index(h) for h in _DATE_HEADERS if h in low), None)
    vi = next((low.index(h) for h in _VALUE_HEADERS if h in low), None)
    return None if di is None or vi is None else (di, vi)


def parse_series(text: str, *, source: str = "response") -> list[tuple[dt.date | str, Decimal]]:
    """The (day or half-year, value) observations of a CSV time series, sorted.

    The date and value columns are found by name (SDMX ``TIME_PERIOD``/``OBS_VALUE``, or
    ``date``/``value``…); without such a header (the Bundesbank's export starts with title
    lines), the rows whose first cell is a date and second a number are read.

    Raises:
        ConfigError: no observation could be read (the publisher changed its format).
    """
    first = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first.count)
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    cols = _columns(rows[0]) if rows else None
    body = rows[1:] if cols else rows
    di, vi = cols or (0, 1)
    out: dict[dt.date | str, Decimal] = {}
    for row in body:
        if len(row) <= max(di, vi):
            continue
        when, value = _when(row[di]), _value(row[vi])
        if when is not None and value is not None:
            out[when] = value
    if not out:
        raise ConfigError(
            "no observation found in the rate series",
            file=source,
            hint="the publisher may have changed its format or URL; pass --source NAME=URL",
        )
    return sorted(out.items(), key=lambda kv: str(kv[0]))


def half_years(
    series: list[tuple[dt.date | str, Decimal]], today: dt.date
) -> list[tuple[str, Decimal]]:
    """The rate in force on the first day of each half-year up to ``today`` (see module doc)."""
    labels = [(w, v) for w, v in series if isinstance(w, str)]
    if labels:
        return [(w, v) for w, v in labels if half_year_bounds(w)[0] <= today]
    days = sorted((w, v) for w, v in series if isinstance(w, dt.date))
    out: list[tuple[str, Decimal]] = []
    year = days[0][0].year
    while dt.date(year, 1, 1) <= today:
        for half, start in ((1, dt.date(year, 1, 1)), (2, dt.date(year, 7, 1))):
            if start > today:
                break
            before = [v for d, v in days if d <= start]
            if before:
                out.append((f"{year}-H{half}", before[-1]))
        year += 1
    return out


def _get(url: str, timeout: float) -> str:
    req = urllib.request.Request(url, headers={"User-Agent": "rapprochement rates update"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:  # http(s) only, checked above
            raw: bytes = resp.read()
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise ConfigError(
            f"cannot fetch the rates: {reason}",
            file=url,
            hint="check the network (the shipped and previously fetched tables stay in use)",
        ) from None
    return raw.decode("utf-8-sig", errors="replace")


def fetch_table(
    name: str, source: RateSource | None = None, *, today: dt.date, timeout: float = 20.0
) -> RateTable:
    """Fetch one table from its publisher; rows keep the shipped table's title and notes.

    Raises:
        ConfigError: unknown table, network failure, or a response with no observation.
    """
    src = source or DEFAULT_SOURCES.get(name)
    if src is None:
        raise ConfigError(f"no source for rate table {name!r}", hint="ecb_mro, fr_legal, de_base")
    if src.url is None:
        raise ConfigError(
            f"no known address publishes {name} as CSV",
            hint=f"pass --source {name}=URL of a CSV export (date and value columns)",
        )
    if not src.url.startswith(("http://", "https://")):
        raise ConfigError("only http(s) URLs are fetched", file=src.url)
    rows = half_years(parse_series(_get(src.url, timeout), source=src.url), today)
    shipped = shipped_table(name)
    return RateTable(
        name=name,
        title=shipped.title,
        source=f"{src.publisher}: {src.url}",
        notes=(f"Fetched by `rapprochement rates update` on {today.isoformat()}.",),
        updated=today,
        periods=tuple(
            RatePeriod(period=p, rate=v, note=f"fetched {today.isoformat()}") for p, v in rows
        ),
    )
