"""Where the rate tables penalties use come from, and which table each rate came from.

Three layers, the later winning:

1. **shipped**: ``rapprochement/dunning/data/*.json``, as far as published when released;
2. **fetched**: rows ``rapprochement rates update`` stored in the user's data directory
   (``platformdirs.user_data_dir("rapprochement")/rates/<name>.json``, or
   ``$RAPPROCHEMENT_DATA_DIR/rates``), laid over the shipped rows half-year by half-year;
3. **file**: ``--rates FILE`` (or ``$RAPPROCHEMENT_RATES``): each table the file holds replaces
   that table whole. The file is one table (``{"name": "fr_legal", ...}``) or several
   (``{"ecb_mro": {...}, "fr_legal": {...}}``).
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import os
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from rapprochement.dunning.rates import TABLE_NAMES, RateTable, RateTables, shipped_table
from rapprochement.errors import ConfigError

__all__ = [
    "DATA_DIR_ENV",
    "RATES_ENV",
    "LoadedRates",
    "RateOrigin",
    "fetched_dir",
    "load_rates",
    "read_rates_file",
    "save_fetched",
    "use_rates_file",
    "user_data_dir",
]

#: Environment variable naming the data directory (default: platformdirs' user data dir).
DATA_DIR_ENV = "RAPPROCHEMENT_DATA_DIR"
#: Environment variable naming a rates file that overrides the tables (as ``--rates``).
RATES_ENV = "RAPPROCHEMENT_RATES"

Origin = Literal["shipped", "fetched", "file"]


class RateOrigin(BaseModel):
    """Where one half-year's rate came from (a line of ``rates show``)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    table: str = Field(description="ecb_mro, fr_legal or de_base.")
    period: str = Field(description="Half-year label, 2026-H1.")
    rate: str = Field(description="Rate in percent, as stored.")
    origin: Origin = Field(description="shipped, fetched (rates update) or file (--rates).")
    file: str = Field(description="The file the row was read from.")
    updated: dt.date | None = Field(None, description="Day that file was checked or fetched.")
    confidence: str = Field("high", description="low when not checked against the source.")


class LoadedRates(BaseModel):
    """The tables to use and the origin of each of their rows."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    tables: RateTables = Field(description="The merged tables.")
    origins: tuple[RateOrigin, ...] = Field(description="One per table and half-year.")


_override: Path | None = None


def use_rates_file(path: str | os.PathLike[str] | None) -> None:
    """Make ``path`` override the tables for this process (``--rates FILE``); None: stop."""
    global _override
    _override = None if path is None else Path(path)


def user_data_dir() -> Path:
    """``$RAPPROCHEMENT_DATA_DIR``, else the platform's per-user data directory."""
    env = os.environ.get(DATA_DIR_ENV)
    if env:
        return Path(env)
    import platformdirs

    return Path(platformdirs.user_data_dir("rapprochement", appauthor=False))


def fetched_dir(data_dir: Path | None = None) -> Path:
    """The folder ``rates update`` writes to."""
    return (data_dir or user_data_dir()) / "rates"


def read_rates_file(path: str | os.PathLike[str]) -> dict[str, RateTable]:
    """The tables of a ``--rates`` file, by name.

    Raises:
        ConfigError: unreadable, not JSON, or not one table or a mapping of tables.
    """
    p = Path(path)
    try:
        data = json.loads(p.read_bytes())
    except OSError as exc:
        raise ConfigError(f"cannot read rates file: {exc.strerror}", file=str(p)) from None
    except ValueError as exc:
        raise ConfigError(f"rates file is not JSON: {exc}", file=str(p)) from None
    try:
        if isinstance(data, dict) and "periods" in data:
            tables = [RateTable.model_validate(data)]
        elif isinstance(data, dict):
            tables = [RateTable.model_validate({"name": k, **v}) for k, v in data.items()]
        else:
            raise ValueError("expected an object")
    except (ValidationError, ValueError, TypeError) as exc:
        raise ConfigError(
            f"not a rate table: {exc}".splitlines()[0],
            file=str(p),
            hint='write one table {"name": "fr_legal", "periods": [...]} or '
            '{"ecb_mro": {"periods": [...]}, ...}',
        ) from None
    unknown = sorted({t.name for t in tables} - set(TABLE_NAMES))
    if unknown:
        raise ConfigError(
            f"unknown rate table(s) {', '.join(unknown)}",
            file=str(p),
            hint=f"name them {', '.join(TABLE_NAMES)}",
        )
    return {t.name: t for t in tables}


def _overlay(base: RateTable, top: RateTable) -> RateTable:
    rows = {p.period: p for p in base.periods}
    rows.update({p.period: p for p in top.periods})
    return base.model_copy(
        update={"periods": tuple(sorted(rows.values(), key=lambda p: p.period)),
                "updated": top.updated or base.updated}
    )  # fmt: skip


def _stamp(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return -1.0


def load_rates(
    rates_file: str | os.PathLike[str] | None = None, data_dir: Path | None = None
) -> LoadedRates:
    """The tables penalties use: shipped, fetched rows over them, then ``rates_file`` (or the
    one set by :func:`use_rates_file`, or ``$RAPPROCHEMENT_RATES``) replacing whole tables.

    Raises:
        ConfigError: the rates file or a fetched table cannot be read.
    """
    override = rates_file or _override or os.environ.get(RATES_ENV) or None
    folder = fetched_dir(data_dir)
    over = Path(override) if override else None
    stamps = tuple(_stamp(folder / f"{n}.json") for n in TABLE_NAMES)
    return _load(over, folder, stamps, _stamp(over) if over else -1.0)


@functools.lru_cache(maxsize=8)
def _load(
    override: Path | None, folder: Path, _stamps: tuple[float, ...], _ostamp: float
) -> LoadedRates:
    from_file = read_rates_file(override) if override is not None else {}
    tables: dict[str, RateTable] = {}
    origins: list[RateOrigin] = []
    for name in TABLE_NAMES:
        if name in from_file:
            layers: list[tuple[Origin, str, RateTable]] = [("file", str(override), from_file[name])]
        else:
            layers = [("shipped", f"rapprochement/dunning/data/{name}.json", shipped_table(name))]
            fetched = folder / f"{name}.json"
            if fetched.exists():
                layers.append(("fetched", str(fetched), RateTable.load(fetched)))
        table = layers[0][2]
        for _, _, top in layers[1:]:
            table = _overlay(table, top)
        tables[name] = table
        for p in table.periods:
            origin, file, src = next(
                (o, f, s)
                for o, f, s in reversed(layers)
                if any(q.period == p.period for q in s.periods)
            )
            origins.append(
                RateOrigin(
                    table=name, period=p.period, rate=str(p.rate), origin=origin, file=file,
                    updated=src.updated, confidence=p.confidence,
                )
            )  # fmt: skip
    return LoadedRates(tables=RateTables(**tables), origins=tuple(origins))


def save_fetched(table: RateTable, data_dir: Path | None = None) -> Path:
    """Write a fetched table to the user's data directory; returns its path.

    Raises:
        ConfigError: the folder cannot be created or the file written.
    """
    folder = fetched_dir(data_dir)
    path = folder / f"{table.name}.json"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".json.tmp")
        tmp.write_text(table.model_dump_json(indent=1), encoding="utf-8")
        tmp.replace(path)
    except OSError as exc:
        raise ConfigError(
            f"cannot write the rate table: {exc.strerror}",
            file=str(path),
            hint=f"set {DATA_DIR_ENV} to a folder you can write",
        ) from None
    return path
