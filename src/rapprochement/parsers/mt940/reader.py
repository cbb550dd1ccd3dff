"""MT940 / MT942 (SWIFT customer statement and interim report) parser.

Reads the file by 64 KiB blocks of whole lines (memory does not grow with the number of
entries) and yields the events of :mod:`rapprochement.parsers._common`. Tags read (SWIFT
MT940/MT942 field numbers):

``:20:`` statement id (a new ``:20:`` starts a new statement) · ``:21:`` related reference ·
``:25:`` account (IBAN when it validates, else the account number, ``BLZ/Konto`` kept as is) ·
``:28C:`` sequence · ``:60F:``/``:60M:`` opening · ``:61:`` entry · ``:86:`` information (bank
dialects, see :mod:`~rapprochement.parsers.mt940.field86`) · ``:62F:``/``:62M:`` closing · ``:64:``
available · ``:65:`` forward available · MT942 ``:13D:`` creation time, ``:34F:`` floor limit,
``:90D:``/``:90C:`` totals. SWIFT blocks ``{1:}{2:}{4:`` and ``-}`` trailers, bank header lines
before ``:20:``, blank lines, ``-`` and ``@@`` separators are skipped.

Why our own parser and not the ``mt-940`` package: docs/adr/0002-own-mt940-parser.md.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from typing import BinaryIO

from rapprochement.errors import MalformedStatementError
from rapprochement.model import Entry, SourceRef, Statement, Transaction
from rapprochement.parsers._common import Event, collect
from rapprochement.parsers._common.lines import iter_blocks
from rapprochement.parsers.mt940.build import (
    set_dict,
    set_extra,
    set_fields_set,
    set_private,
    transaction_data,
)
from rapprochement.parsers.mt940.field86 import parse_86
from rapprochement.parsers.mt940.fields import FieldError, Line61, parse_line61
from rapprochement.parsers.mt940.parties import fill_counterparty
from rapprochement.parsers.mt940.statement import StatementBuilder

__all__ = ["FORMAT", "iter_events", "parse", "sniff"]

#: The format family this module reads.
FORMAT = "mt940"

_SNIFF = re.compile(
    rb"(?:^|[\r\n])[\x00-\x1f ]*(?:\{1:|\{2:|:(?:20|25|28C?|60[FM]|61|62[FM]|13D|34F):)"
)
_BLOCK2 = re.compile(r"\{2:[IO](\d{3})")
_TAG = re.compile(r":([0-9]{2}[A-Z]?|NS):")
_CONTROL = "".join(chr(c) for c in range(32) if c != 9)


# Fields-sets shared by every object built here (all fields given).
_SOURCE_SET = set(SourceRef.model_fields)
_ENTRY_SET = set(Entry.model_fields)
_new = object.__new__
_NO_LINES: list[str] = []  # the continuation lines of a one-line :61: (never changed)


def sniff(head: bytes) -> bool:
    """True when the first bytes hold an MT940/MT942 field tag or a SWIFT block header."""
    return _SNIFF.search(head) is not None


def parse(data: bytes, *, filename: str | None = None) -> list[Statement]:
    """All statements of an MT940/MT942 file's bytes."""
    return collect(iter_events(io.BytesIO(data), filename=filename, member=None))


class _Reader:
    """Turns fields (tag, lines, line number) into events; one instance per file."""

    def __init__(self, filename: str | None, member: str | None) -> None:
        self.filename = filename
        self.member = member
        self.stmt: StatementBuilder | None = None
        self.index = 0
        self.message_type: str | None = None
        self.out: list[Event] = []
        # The :61: waiting for its :86: (line61, line number).
        self.pending: tuple[Line61, int] | None = None
        self.pending_info: list[str] | None = None
        self.produced = 0

    # -- statements ---------------------------------------------------------------------------
    def _open(self, line: int) -> StatementBuilder:
        self.stmt = StatementBuilder(
            self.index,
            SourceRef(
                file=self.filename, statement_index=self.index, line=line, member=self.member
            ),
            self.message_type,
        )
        self.index += 1
        return self.stmt

    def close(self) -> None:
        """Finish the open statement (its last entry included)."""
        self._flush_entry()
        if self.stmt is not None:
            begin = self.stmt.begin_event()
            if begin is not None:
                self.out.append(begin)
            self.out.append(self.stmt.build())
            self.produced += 1
            self.stmt = None

    # -- entries ------------------------------------------------------------------------------
    def _flush_entry(self) -> None:
        if self.pending is None:
            return
        stmt = self.stmt
        assert stmt is not None
        line61, lineno = self.pending
        info = self.pending_info
        self.pending = None
        self.pending_info = None
        if not stmt.began:
            begin = stmt.begin_event()
            if begin is not None:
                self.out.append(begin)
        self.out.append(_entry(line61, lineno, info, stmt))

    def field(self, tag: str, lines: list[str], lineno: int) -> None:
        """Handle one complete field."""
        if tag == "86":
            if self.pending is not None and self.pending_info is None:
                self.pending_info = lines
            elif self.pending is not None and self.pending_info is not None:
                self.pending_info = [*self.pending_info, *lines]
            return
        if tag == "NS":
            return
        stmt = self.stmt
        if tag == "20":
            if stmt is not None:
                self.close()
            stmt = self._open(lineno)
        elif stmt is None:
            stmt = self._open(lineno)
        if self.pending is not None:
            self._flush_entry()
        if tag == "61":
            try:
                more = lines[1:] if len(lines) > 1 else _NO_LINES
                self.pending = (parse_line61(lines[0], more), lineno)
            except FieldError as exc:
                stmt.finding("bad-entry", "error", f"entry skipped: {exc}", lineno)
            return
        stmt.field(tag, lines, lineno)

    def block_header(self, line: str) -> str:
        """Read the message type of a ``{1:..}{2:..}{4:`` header; return what follows ``{4:``."""
        m = _BLOCK2.search(line)
        if m:
            self.message_type = m.group(1)
        _, sep, rest = line.partition("{4:")
        return rest if sep else ""


def _entry(line61: Line61, lineno: int, info: list[str] | None, stmt: StatementBuilder) -> Entry:
    """The Entry of a :61: and its :86: lines (built without validation: every value is typed
    here, see :mod:`~rapprochement.parsers.mt940.build`; :func:`~.build.assemble` is spelled out for
    the three models, the hot path of every file)."""
    src = _new(SourceRef)
    set_dict(
        src,
        {
            "file": stmt.file,
            "statement_index": stmt.index,
            "line": lineno,
            "xpath": None,
            "member": stmt.member,
        },
    )
    set_fields_set(src, _SOURCE_SET)
    set_extra(src, None)
    set_private(src, None)
    value, booking, amount, reversal, _, ttype, cref, bref, supplementary, bad_date = line61
    if bad_date:
        stmt.finding("bad-date", "warning", f"impossible {bad_date}; date left empty", lineno)
    currency = stmt.currency or stmt.account_currency or stmt.entry_currency(lineno)
    stmt.count(amount)
    if info:
        fields = parse_86(info, amount > 0)
        raw: str | None = "\n".join(info)
    else:
        fields = {}
        raw = None
    if supplementary or cref or info:
        fill_counterparty(fields, cref, supplementary, info)
    if supplementary:
        fields.setdefault("extra", {})["supplementary_details"] = supplementary
    tx_dict, tx_set = transaction_data(amount, currency, fields)
    tx = _new(Transaction)
    set_dict(tx, tx_dict)
    set_fields_set(tx, tx_set)
    set_extra(tx, None)
    set_private(tx, None)
    entry = _new(Entry)
    set_dict(
        entry,
        {
            "amount": amount,
            "currency": currency,
            "booking_date": booking,
            "value_date": value,
            "status": "booked",
            "reversal": reversal,
            "bank_transaction_code": ttype,
            "bank_reference": bref,
            "customer_reference": cref,
            "additional_info": raw,
            "is_batch": False,
            "batch_count": None,
            "transactions": (tx,),
            "source": src,
            "fingerprint": "",
            "charges": None,
        },
    )
    set_fields_set(entry, _ENTRY_SET)
    set_extra(entry, None)
    set_private(entry, None)
    return entry


def iter_events(
    stream: BinaryIO, *, filename: str | None = None, member: str | None = None
) -> Iterator[Event]:
    """Events of an MT940/MT942 stream: per statement, its begin, entries, then the statement."""
    reader = _Reader(filename, member)
    field = reader.field
    out = reader.out
    tag: str | None = None
    lines: list[str] = []
    start = 0
    glue = False
    lineno = 0
    match = _TAG.match
    for block in iter_blocks(stream, filename=filename, member=member):
        for line in block.split("\n"):
            lineno += 1
            if line and line[0] < " ":
                line = line.lstrip(_CONTROL)
            if glue:
                # A tag broken across lines: ":" alone, then "86:..." (Sparkasse exports).
                glue = False
                line = ":" + line
            elif line == ":" and tag is not None:
                glue = True
                continue
            first = line[:1]
            if first == ":":
                m = match(line)
                if m is not None:
                    if tag is not None:
                        field(tag, lines, start)
                    tag = m.group(1)
                    lines = [line[m.end() :]]
                    start = lineno
                    continue
            elif first == "{":
                if tag is not None:
                    field(tag, lines, start)
                    tag = None
                line = reader.block_header(line)
                if not line:
                    continue
                m = match(line)
                if m is not None:
                    tag, lines, start = m.group(1), [line[m.end() :]], lineno
                continue
            elif (first == "-" and (line.rstrip() == "-" or line.startswith("-}"))) or line == "@@":
                if tag is not None:
                    field(tag, lines, start)
                    tag = None
                continue
            if tag is not None and line.strip():
                lines.append(line)
        # Events go out once per block of lines (64 KiB): memory stays flat.
        if out:
            yield from out
            out.clear()
    if tag is not None:
        field(tag, lines, start)
    reader.close()
    yield from out
    if reader.produced == 0:
        raise MalformedStatementError(
            "no MT940/MT942 statement found (no :20:, :25:, :60F: or :61: field)",
            file=filename,
            location=member,
            hint="check that the file is an MT940/MT942 export and not empty or cut short",
        )
