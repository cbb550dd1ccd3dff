"""The first pass of an import: each file read through once, nothing kept but its statements.

:func:`plan_sources` streams every file (:func:`~rapprochement.parsers.iter_statement`) and
keeps, per statement, its header (``entries=()``), its entry count and its key: a hash over the
header, the balances and the fingerprints of its entries in file order. The fingerprints are
spooled to a temporary file while the statement is read (the header comes last in some formats:
an MT940 closing balance follows the entries), so memory does not grow with the entries. A file
that cannot be read fails here, before anything is written. The second pass
(:func:`iter_items`) streams the file again for the writer
(:mod:`~rapprochement.store.importer`).
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from rapprochement.errors import LedgerError
from rapprochement.model import Entry, Statement
from rapprochement.parsers import iter_statement

__all__ = [
    "SourcePlan",
    "StatementPlan",
    "StatementSource",
    "iter_items",
    "plan_sources",
    "statement_key",
]

StatementSource = str | os.PathLike[str] | Statement
_SPOOL_READ = 1 << 16


@dataclass(frozen=True)
class StatementPlan:
    """A statement as the first pass saw it: header (no entries), key and entry count."""

    header: Statement
    key: str
    count: int


@dataclass
class SourcePlan:
    """One file (``path``), or the statements passed as objects (``models``)."""

    path: Path | None
    statements: list[StatementPlan] = field(default_factory=list)
    models: list[Statement] = field(default_factory=list)


def _header_hash(st: Statement) -> hashlib.blake2b:
    h = hashlib.blake2b(digest_size=16)
    parts = [
        st.account or "",
        st.source_format,
        st.statement_id or "",
        st.sequence or "",
        str(st.period_start or ""),
        str(st.period_end or ""),
        str(st.opening_balance.amount if st.opening_balance else ""),
        str(st.closing_balance.amount if st.closing_balance else ""),
    ]
    h.update("\x1f".join(parts).encode())
    return h


def statement_key(st: Statement, fingerprints: Iterable[str] | None = None) -> str:
    """The key of a statement: account, format, id, sequence, period, balances and the
    fingerprints of its entries (``st.entries`` unless ``fingerprints`` is given)."""
    h = _header_hash(st)
    for fp in fingerprints if fingerprints is not None else (e.fingerprint for e in st.entries):
        h.update(fp.encode())
    return h.hexdigest()


def _spooled_key(st: Statement, spool: IO[bytes]) -> str:
    h = _header_hash(st)
    spool.seek(0)
    while chunk := spool.read(_SPOOL_READ):
        h.update(chunk)
    spool.seek(0)
    spool.truncate()
    return h.hexdigest()


def _plan_file(path: Path) -> list[StatementPlan]:
    plans: list[StatementPlan] = []
    count = 0
    with tempfile.TemporaryFile() as spool:
        for item in iter_statement(path):
            if isinstance(item, Entry):
                spool.write(item.fingerprint.encode())
                count += 1
            else:
                plans.append(StatementPlan(item, _spooled_key(item, spool), count))
                count = 0
    return plans


def plan_sources(
    sources: StatementSource | Iterable[StatementSource],
) -> tuple[list[str], list[SourcePlan]]:
    """Read every file through once (nothing is written while a file may still fail to parse):
    the names for the summary and a plan per source.

    Raises:
        LedgerError: a source is neither a path nor a Statement, or an entry of a Statement
            passed as an object has no fingerprint.
        StatementError: a file cannot be read (its subclasses name the file and the place).
    """
    single = isinstance(sources, (str, os.PathLike, Statement))
    items: list[StatementSource] = [sources] if single else list(sources)  # type: ignore[list-item, arg-type]
    names: list[str] = []
    plans: list[SourcePlan] = []
    for item in items:
        if isinstance(item, Statement):  # in the order given, among the files
            _check_fingerprints(item)
            if "<models>" not in names:
                names.append("<models>")
            header = item.model_copy(update={"entries": ()})
            plan = StatementPlan(header, statement_key(item), len(item.entries))
            plans.append(SourcePlan(None, [plan], [item]))
            continue
        if not isinstance(item, (str, os.PathLike)):
            raise LedgerError(
                f"cannot import a {type(item).__name__}",
                hint="pass statement file paths or Statement objects",
            )
        names.append(os.fspath(item))
        path = Path(item)
        plans.append(SourcePlan(path, _plan_file(path)))
    return names, plans


def _check_fingerprints(st: Statement) -> None:
    for e in st.entries:
        if not e.fingerprint:
            raise LedgerError(
                "an entry has no fingerprint",
                file=st.source.file,
                location=e.source.describe(),
                hint="pass statements as read by rapprochement.read_statement",
            )


def iter_items(source: SourcePlan) -> Iterator[Entry | Statement]:
    """The second pass: each entry, then its statement, as :func:`iter_statement` yields them."""
    if source.path is None:
        for st in source.models:
            yield from st.entries
            yield st
        return
    yield from iter_statement(source.path)
