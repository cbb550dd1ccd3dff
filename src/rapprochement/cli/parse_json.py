"""``parse --json``, streamed: statements written entry by entry, memory flat in the entries.

The output is byte for byte what ``json.dumps([s.model_dump(mode="json") for s in
read_statement(...)], indent=2, ensure_ascii=False)`` gives, without holding the statements:
each entry is dumped as :func:`~rapprochement.parsers.iter_statement` yields it and spooled to a
temporary file (a statement's header fields come before its entries in the JSON, but only after
them in some files: an MT940 closing balance), then the statement is written around them.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from rapprochement.model import Entry, Statement
from rapprochement.parsers import iter_statement

__all__ = ["Tally", "write_json"]

_ENTRIES = '\n    "entries": []'
_ZERO = Decimal(0)


def _dump(value: Any, indent: str) -> str:
    text = json.dumps(value, indent=2, ensure_ascii=False)
    return indent + text.replace("\n", "\n" + indent)


class Tally:
    """The running credits and debits of a statement's booked entries, as they stream by."""

    __slots__ = ("credits", "debits")

    def __init__(self) -> None:
        self.credits = self.debits = _ZERO

    def add(self, entry: Entry) -> None:
        """Count one entry (booked ones only, as :meth:`Statement.reconciles` does)."""
        if entry.status == "booked":
            if entry.amount > 0:
                self.credits += entry.amount
            else:
                self.debits -= entry.amount

    def close(self, st: Statement) -> bool:
        """Whether ``st``'s balances add up with the entries counted (or cannot be checked:
        :meth:`Statement.reconciles` is None); the tally starts again at zero."""
        ok = True
        if st.opening_balance is not None and st.closing_balance is not None:
            expected = st.opening_balance.amount + self.credits - self.debits
            ok = st.closing_balance.amount == expected
        self.credits = self.debits = _ZERO
        return ok


def _write_statement(out: IO[str], st: Statement, spool: IO[str], first: bool) -> None:
    text = _dump(st.model_dump(mode="json"), "  ")
    # keys are dumped in field order; a string value never holds a raw line break, so the
    # empty entries list is found once, at the statement's own indentation
    cut = text.index(_ENTRIES)
    out.write(("\n" if first else ",\n") + text[:cut])
    if spool.tell():
        out.write('\n    "entries": [')
        spool.seek(0)
        shutil.copyfileobj(spool, out)
        out.write("\n    ]")
    else:
        out.write(_ENTRIES)
    out.write(text[cut + len(_ENTRIES) :])
    spool.seek(0)
    spool.truncate()


def write_json(
    files: Iterable[Path], out: IO[str], *, fmt: str | None = None, strict: bool = False
) -> bool:
    """Write every statement of ``files`` to ``out`` as a JSON list; returns False when a
    statement's balances do not add up.

    The output is written as the files are read: when a file fails, what was written before
    it stays written (the exit code tells).
    """
    ok = True
    first = True
    out.write("[")
    with tempfile.TemporaryFile("w+", encoding="utf-8", newline="") as spool:
        tally = Tally()
        for path in files:
            count = 0
            for item in iter_statement(path, format=fmt, strict=strict):
                if isinstance(item, Entry):
                    spool.write(
                        ("\n" if count == 0 else ",\n")
                        + _dump(item.model_dump(mode="json"), "      ")
                    )
                    count += 1
                    tally.add(item)
                    continue
                _write_statement(out, item, spool, first)
                first = False
                ok &= tally.close(item)
                count = 0
    out.write("]\n" if first else "\n]\n")
    return ok
