"""OFX 1.x (SGML) and 2.x (XML) bank and credit-card statements.

Our own linear-time tokenizer, not ``ofxparse``: ofxparse's SGML handling grows with the square
of the entries (about 250 entries/s on a 50 000-entry file) and rejects real files (see
``docs/formats/ofx.md``). One regex walks the tags; each ``STMTTRN`` body is read in one
``findall`` (:mod:`rapprochement.parsers.ofx.entry`). SGML leaf tags may or may not be closed;
aggregates are recognised by name, so a missing closing tag closes what it encloses and a stray
one is ignored. OFX 2.x is read the same way and never handed to an XML parser: no DOCTYPE, no
entity is expanded (only ``&amp;``-style predefined entities and character references).

Mapping (OFX 2.1.1 §11.4): ``STMTRS`` (bank), ``CCSTMTRS`` (credit card) and ``INVSTMTRS``
(investment: only its ``INVBANKTRAN`` bank transactions are read, with an ``info`` finding) are
statements, several per file. ``BANKACCTFROM``/``CCACCTFROM``/``INVACCTFROM`` ``ACCTID`` →
account (IBAN when it is a valid one), ``CURDEF`` → currency, ``DTSTART``/``DTEND`` → period,
``LEDGERBAL`` → closing balance, ``AVAILBAL`` → available balance; OFX has no opening balance.
``SONRS/DTSERVER`` → ``created_at``. A response without statements (sign-on only, profile,
error status) gives no statement.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from typing import BinaryIO

from rapprochement.errors import MalformedStatementError
from rapprochement.model import Finding, SourceRef, Statement
from rapprochement.parsers._common import Event, StatementBegin, collect
from rapprochement.parsers.ofx.entry import build_entry, clean_iban, make_source, read_fields
from rapprochement.parsers.ofx.statement import OpenStatement, finish_statement
from rapprochement.parsers.ofx.text import decode_stream

__all__ = ["FORMAT", "iter_events", "parse", "sniff"]

FORMAT = "ofx"

_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9._-]*)[^<>]*>([^<]*)")
_TRN_END = re.compile(
    r"<(/?)(STMTTRN|BANKTRANLIST|INVBANKTRAN|STMTRS|CCSTMTRS|INVSTMTRS|LEDGERBAL|OFX)\s*>", re.I
)
_WINDOW = 16_384
#: Characters kept in the window after a tag (a STMTTRN body is searched _WINDOW ahead), and
#: the size the window is refilled to.
_MARGIN = 2 * _WINDOW
_REFILL = 1 << 20
_SNIFF = re.compile(rb"<OFX\s*>|<\?OFX\s", re.I)

_STATEMENTS = {"STMTRS": "bank", "CCSTMTRS": "credit card", "INVSTMTRS": "investment"}
_ACCOUNTS = frozenset({"BANKACCTFROM", "CCACCTFROM", "INVACCTFROM"})
_BALANCES = frozenset({"LEDGERBAL", "AVAILBAL"})
_RESPONSES = frozenset({"STMTTRNRS", "CCSTMTTRNRS", "INVSTMTTRNRS"})
#: Aggregates whose leaves are kept apart; leaves of any other aggregate belong to the nearest of
#: these. BALLIST, INVBAL, INVPOSLIST and SECLIST isolate leaves that would collide (DTASOF...).
_AGGREGATES = frozenset(
    {
        *_STATEMENTS, *_ACCOUNTS, *_BALANCES, *_RESPONSES, "SONRS", "STATUS",
        "BALLIST", "INVBAL", "INVPOSLIST", "SECLIST", "INV401KBAL",
    }
)  # fmt: skip


def sniff(head: bytes) -> bool:
    """True for an OFX 1.x header, an ``<?OFX ...?>`` instruction or an ``<OFX>`` tag."""
    return head[:9].upper() == b"OFXHEADER" or _SNIFF.search(head) is not None


def parse(data: bytes, *, filename: str | None = None) -> list[Statement]:
    """Every statement of an OFX file given as bytes."""
    return collect(iter_events(io.BytesIO(data), filename=filename, member=None))


def iter_events(
    stream: BinaryIO, *, filename: str | None = None, member: str | None = None
) -> Iterator[Event]:
    """Statements and entries of an OFX file, in file order (see :mod:`._common`).

    The file is streamed: its text is decoded a piece at a time (:func:`.ofx_text.decode_stream`)
    and the tokenizer holds a window of it, so memory stays flat in the entries (a stream that
    cannot seek is read whole).

    Raises:
        MalformedStatementError: no OFX tag at all after the header.
    """
    pieces, version, note = decode_stream(stream)
    reader = _Reader(_uncomment(pieces), filename, member, version, note)
    yield from reader.run()


def _uncomment(pieces: Iterator[str]) -> Iterator[str]:
    """The text with ``<!-- ... -->`` comments blanked (they may hide tags), keeping their line
    breaks so line numbers stay true. An unterminated comment is left as it is."""
    pending = ""
    for piece in pieces:
        pending += piece
        done, pending = _strip_comments(pending, final=False)
        if done:
            yield done
    done, _ = _strip_comments(pending, final=True)
    if done:
        yield done


def _strip_comments(text: str, *, final: bool) -> tuple[str, str]:
    """(text with its complete comments blanked, the tail that may still start one)."""
    parts: list[str] = []
    pos = 0
    while True:
        start = text.find("<!--", pos)
        if start < 0:
            keep = len(text) if final else max(pos, len(text) - 3)  # "<!-" cut at the end
            parts.append(text[pos:keep])
            return "".join(parts), text[keep:]
        end = text.find("-->", start + 4)
        if end < 0:
            keep = len(text) if final else start
            parts.append(text[pos:keep])
            return "".join(parts), text[keep:]
        parts.append(text[pos:start])
        parts.append("\n" * text.count("\n", start, end))
        pos = end + 3


class _Reader:
    """The tokenizer loop: a stack of known aggregates, statements emitted as they close."""

    def __init__(
        self,
        pieces: Iterator[str],
        filename: str | None,
        member: str | None,
        version: str | None,
        note: str | None,
    ) -> None:
        self.pieces = pieces
        self.text = ""
        self.eof = False
        self.tagged = False
        self.filename = filename
        self.member = member
        self.version = f"OFX {version}" if version else None
        self.note = note
        self.stack: list[tuple[str, dict[str, str]]] = [("", {})]
        self.current: OpenStatement | None = None
        self.count = 0
        self.created_at_raw: str | None = None
        self._line = 1
        self._line_pos = 0

    def line_at(self, pos: int) -> int:
        """1-based line of ``pos``; positions must only grow (linear over the file)."""
        if pos > self._line_pos:
            self._line += self.text.count("\n", self._line_pos, pos)
            self._line_pos = pos
        return self._line

    def grow(self) -> bool:
        """Append the next piece of text to the window; False at the end of the file."""
        piece = next(self.pieces, None)
        if piece is None:
            self.eof = True
            return False
        self.text += piece
        return True

    def slide(self, pos: int) -> bool:
        """Drop the window before ``pos`` (lines counted) and read on; False at the end."""
        self.line_at(pos)
        self.text = self.text[pos:]
        self._line_pos -= pos
        grew = self.grow()  # at least one piece: the window always moves on
        while grew and len(self.text) < _REFILL and self.grow():
            pass
        return grew

    def no_tag(self) -> MalformedStatementError:
        while self.slide(len(self.text)):
            pass
        line = self.line_at(len(self.text))
        return MalformedStatementError(
            "no OFX tag found after the header",
            file=self.filename,
            location=f"line {line}" if self.member is None else f"{self.member} line {line}",
            hint="the file may be truncated, compressed or not an OFX export",
        )

    def run(self) -> Iterator[Event]:
        search = _TAG.search
        trn_end = _TRN_END.search
        find = str.find
        pos = 0
        text = self.text
        while True:
            m = search(text, pos)
            # the window holds the match and _MARGIN characters after it, or the file's end
            if (m is None or len(text) - m.end() < _MARGIN) and not self.eof:
                self.slide(pos)
                text, pos = self.text, 0
                continue
            if m is None:
                if not self.tagged:
                    raise self.no_tag()
                break
            self.tagged = True
            pos = m.end()
            closing, raw_name, value = m.groups()
            name = raw_name.upper()
            if closing:
                if name in _AGGREGATES:
                    yield from self.close(name)
                continue
            if name == "STMTTRN":
                # Fast path: the closing tag within a bounded window, and nothing in between
                # that ends the transaction earlier (a STMTTRN body never holds these marks;
                # seeing one means its closing tag is missing; spelled out: a generator over
                # them cost 5 % of the parse); else the regex that knows every end.
                end = find(text, "</STMTTRN>", pos, pos + _WINDOW)
                body = text[pos:end] if end >= 0 else ""
                if end >= 0 and not (
                    "<STMTTRN>" in body
                    or "TRANLIST>" in body
                    or "STMTRS>" in body
                    or "<LEDGERBAL>" in body
                    or "</OFX>" in body
                ):
                    pos = end + 10
                else:
                    stop = trn_end(text, pos)
                    while stop is None and self.grow():  # a body longer than the window
                        text = self.text
                        stop = trn_end(text, pos)
                    body = text[pos : stop.start() if stop else len(text)]
                    if stop is None:
                        pos = len(text)
                    elif stop.group(1) and stop.group(2).upper() == "STMTTRN":
                        pos = stop.end()
                    else:
                        pos = stop.start()
                cur = self.current
                if cur is None:
                    continue  # a transaction outside any statement (fuzzed input): nothing to add
                fields = read_fields(body, upper=raw_name != name)
                if not cur.begun:
                    yield self.begin(cur)
                source = make_source(self.filename, cur.index, self.line_at(m.start()), self.member)
                if cur.ccy is None:
                    cur.ccy = cur.currency()
                yield build_entry(fields, cur.ccy, source, cur.findings)
                continue
            if name in _AGGREGATES:
                yield from self.open(name, m.start())
                continue
            self.stack[-1][1][name] = value
        while self.current is not None:
            cur = self.current
            cur.findings.append(
                Finding(
                    code="unterminated-statement",
                    severity="warning",
                    message=f"the file ends inside this {_STATEMENTS_TAG[cur.kind]} statement "
                    "(truncated?); what was read is kept",
                    source=self.source(cur),
                )
            )
            yield from self.close(_STATEMENTS_TAG[cur.kind])
            if self.current is cur:  # cannot happen (its tag is on the stack); never loop
                self.current = None
                yield self.statement(cur)

    def open(self, name: str, pos: int) -> Iterator[Event]:
        if name in _STATEMENTS:
            if self.current is not None:  # the previous statement was never closed
                yield from self.close(_STATEMENTS_TAG[self.current.kind])
            parent = self.stack[-1]
            status = parent[1].get("\x00status") if parent[0] in _RESPONSES else None
            self.current = OpenStatement(_STATEMENTS[name], self.count, self.line_at(pos), status)
            self.count += 1
            self.stack.append((name, self.current.fields))
            return
        self.stack.append((name, {}))

    def close(self, name: str) -> Iterator[Event]:
        stack = self.stack
        for depth in range(len(stack) - 1, 0, -1):
            if stack[depth][0] == name:
                break
        else:
            return  # a closing tag for nothing open: ignored
        while len(stack) > depth:
            popped, fields = stack.pop()
            yield from self.closed(popped, fields)

    def closed(self, name: str, fields: dict[str, str]) -> Iterator[Event]:
        parent = self.stack[-1]
        cur = self.current
        if name in _STATEMENTS:
            if cur is not None:
                self.current = None
                if not cur.begun:
                    yield self.begin(cur)
                yield self.statement(cur)
        elif name in _ACCOUNTS or name in _BALANCES:
            if cur is not None and parent[0] in _STATEMENTS:
                if name in _ACCOUNTS:
                    cur.account = fields
                else:
                    cur.fields["\x00" + name] = "\x00".join(
                        (fields.get("BALAMT", ""), fields.get("DTASOF", ""))
                    )
        elif name == "STATUS":
            severity = fields.get("SEVERITY", "").strip().upper()
            if severity:
                parent[1]["\x00status"] = severity
        elif name == "SONRS":
            raw = fields.get("DTSERVER", "").strip()
            self.created_at_raw = raw or None

    def source(self, cur: OpenStatement) -> SourceRef:
        return SourceRef(
            file=self.filename, statement_index=cur.index, line=cur.line, member=self.member
        )

    def begin(self, cur: OpenStatement) -> StatementBegin:
        cur.begun = True
        acct = cur.account_id()
        return StatementBegin(index=cur.index, account=(clean_iban(acct) or acct) if acct else None)

    def statement(self, cur: OpenStatement) -> Statement:
        return finish_statement(
            cur,
            source=self.source(cur),
            created_at_raw=self.created_at_raw,
            version=self.version,
            note=self.note,
        )


_STATEMENTS_TAG = {kind: tag for tag, kind in _STATEMENTS.items()}
