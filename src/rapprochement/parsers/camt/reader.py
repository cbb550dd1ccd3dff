"""CAMT (ISO 20022 bank-to-customer cash management): camt.053, camt.052 and camt.054.

Versions .001.01 to .001.13 are read by local element names, so one code path serves every
namespace; the version found in the namespace is kept in ``Statement.source_version``.

The file is streamed with ``lxml.etree.iterparse``: the statement header (account, balances,
transaction summary) is read when the first ``Ntry`` starts, each ``Ntry`` is turned into an
:class:`~rapprochement.model.Entry` when it ends and then cleared (the emptied elements before
it are deleted every 64 entries), so memory does not grow with the number of entries. XML is
parsed safely: no DTD loading, no network, no entity expansion, no huge-tree mode; a document
with a DOCTYPE is refused.

What is read from where is listed in ``docs/formats/camt.md``.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, BinaryIO

from lxml import etree

from rapprochement.errors import MalformedStatementError, UnsupportedVersionError
from rapprochement.model import SourceFormat, SourceRef, Statement
from rapprochement.parsers._common import Event, StatementBegin, collect
from rapprochement.parsers.camt.entry import EntryReader
from rapprochement.parsers.camt.header import StatementHeader, read_header, summary_findings
from rapprochement.parsers.camt.tree import SAFE_XML
from rapprochement.parsers.camt.values import Findings, Paths, local_name, namespace_of

if TYPE_CHECKING:
    from lxml.etree import _Element

__all__ = ["FORMAT", "iter_events", "parse", "sniff"]

#: The format family this module reads.
FORMAT = "camt"

#: Message element → (statement element, source format).
_MESSAGES: dict[str, tuple[str, SourceFormat]] = {
    "BkToCstmrStmt": ("Stmt", "camt.053"),
    "BkToCstmrAcctRpt": ("Rpt", "camt.052"),
    "BkToCstmrDbtCdtNtfctn": ("Ntfctn", "camt.054"),
}
_STATEMENT_TAGS = frozenset(v[0] for v in _MESSAGES.values())
_VERSION_RE = re.compile(r"\b([a-z]{4})\.(\d{3})\.(\d{3})\.(\d{2})\b")
_MAX_VERSION = 13
_SNIFF_MARKERS = (b"urn:iso:std:iso:20022:tech:xsd:", b"BkToCstmr")
_DOCTYPE_HINT = "CAMT files never need a DOCTYPE; remove it or ask the bank for a plain export"


def sniff(head: bytes) -> bool:
    """True when the first bytes look like an ISO 20022 XML document (CAMT or not)."""
    return head[:1] == b"<" and any(m in head for m in _SNIFF_MARKERS)


def parse(data: bytes, *, filename: str | None = None) -> list[Statement]:
    """Every statement of a CAMT document given as bytes."""
    return collect(iter_events(io.BytesIO(data), filename=filename, member=None))


def _version(ns: str) -> tuple[str, str] | None:
    """``("camt.053", "camt.053.001.08")`` from a namespace URI, None when it names none."""
    m = _VERSION_RE.search(ns)
    if m is None:
        return None
    family, number, variant, version = m.groups()
    return f"{family}.{number}", f"{family}.{number}.{variant}.{version}"


class _Doc:
    """What is known about the document while it streams."""

    __slots__ = ("checked", "created_at", "filename", "member", "root", "statements")

    def __init__(self, filename: str | None, member: str | None) -> None:
        self.filename = filename
        self.member = member
        self.checked = False
        self.statements = 0
        self.created_at: str | None = None
        self.root: _Element | None = None

    def error(
        self,
        cls: type[MalformedStatementError | UnsupportedVersionError],
        message: str,
        location: str | None,
        hint: str,
    ) -> Exception:
        where = (
            f"{self.member}: {location}" if self.member and location else (location or self.member)
        )
        return cls(message, file=self.filename, location=where, hint=hint)


def _check_root(doc: _Doc, root: _Element) -> None:
    """Refuse DOCTYPEs and ISO 20022 messages that are not camt.052/053/054."""
    doc.checked = True
    doc.root = root
    info = root.getroottree().docinfo
    if getattr(info, "doctype", "") or info.internalDTD is not None:
        raise doc.error(
            MalformedStatementError,
            "the document declares a DOCTYPE (entities refused)",
            "/",
            _DOCTYPE_HINT,
        )
    found = _version(namespace_of(root.tag))
    if found is None:
        for child in root:
            found = _version(namespace_of(child.tag) if isinstance(child.tag, str) else "")
            break
    if found is not None and found[0] not in ("camt.052", "camt.053", "camt.054"):
        raise doc.error(
            UnsupportedVersionError,
            f"{found[1]} is not a statement (only camt.052, camt.053 and camt.054 are read)",
            f"/{local_name(root.tag)}",
            "export the bank statement (camt.053) or report (camt.052) instead",
        )


def iter_events(stream: BinaryIO, *, filename: str | None, member: str | None) -> Iterator[Event]:
    """Stream the statements of a CAMT document (see :mod:`rapprochement.parsers._common`)."""
    doc = _Doc(filename, member)
    tags = [f"{{*}}{t}" for t in (*_STATEMENT_TAGS, "Ntry", "GrpHdr")]
    context = etree.iterparse(
        stream,
        events=("start", "end"),
        tag=tags,
        **SAFE_XML,
        # Whitespace-only text between elements (indentation) is never read: not building
        # those nodes makes parsing ~20 % faster. A blank leaf (``<Ustrd> </Ustrd>``) is kept.
        remove_blank_text=True,
    )
    try:
        yield from _walk(doc, context)
        if not doc.checked:
            raise doc.error(
                MalformedStatementError,
                "no ISO 20022 content found",
                "/",
                "check that this is a CAMT export",
            )
        if doc.statements == 0 and doc.root is not None:
            root = doc.root
            location = "/" + "/".join(
                local_name(e.tag) for e in (root, *list(root)[:1]) if isinstance(e.tag, str)
            )
            raise doc.error(
                MalformedStatementError,
                "the document holds no Stmt, Rpt or Ntfctn element",
                location,
                "a camt.053 needs BkToCstmrStmt/Stmt; this may be an empty or wrong export",
            )
    except etree.LxmlError as exc:
        line = getattr(exc, "lineno", None)
        msg = str(exc).strip() or type(exc).__name__
        hint = (
            _DOCTYPE_HINT
            if "entity" in msg.lower() or "doctype" in msg.lower()
            else "the XML is broken: check that the file is complete and well-formed"
        )
        raise doc.error(
            MalformedStatementError,
            f"not well-formed XML: {msg}",
            f"line {line}" if line else None,
            hint,
        ) from None


class _Current:
    """The statement being read."""

    __slots__ = ("entries", "findings", "header", "index", "ns", "reader", "tag", "xpath")

    def __init__(self, index: int, tag: str, ns: str) -> None:
        self.index = index
        self.tag = tag
        self.ns = ns
        self.xpath = f"{tag}[{index + 1}]"
        self.entries = 0
        self.header: StatementHeader | None = None
        self.findings: Findings | None = None
        self.reader: EntryReader | None = None


#: Ntry elements read between two releases of the elements before them (see _walk).
_RELEASE_EVERY = 64


def _walk(doc: _Doc, context: etree.iterparse) -> Iterator[Event]:
    cur: _Current | None = None
    per_message: dict[str, int] = {}
    names: dict[str, str] = {}  # full tag → local name (few distinct tags: those of iterparse)
    for event, el in context:
        if not doc.checked:
            _check_root(doc, el.getroottree().getroot())
        tag = el.tag
        name = names.get(tag)
        if name is None:
            name = local_name(tag)
            if len(names) < 64:
                names[tag] = name
        if name == "Ntry":
            if cur is None:
                continue
            if event == "start":
                if cur.header is None:
                    yield from _begin(doc, cur, el.getparent())
                continue
            n = cur.entries = cur.entries + 1
            assert cur.reader is not None
            assert cur.header is not None
            entry = cur.reader.read(el, f"{cur.xpath}/Ntry[{n}]")
            if entry is not None:
                cur.header.tally(entry)
                yield entry
            # Memory stays flat: each entry's subtree is freed now, the emptied elements
            # before it every few entries, in one call (cheaper than one by one).
            el.clear()
            if n % _RELEASE_EVERY == 0:
                _release(el)
        elif name == "GrpHdr":
            if event == "end":
                doc.created_at = Paths(namespace_of(tag)).text(el, "CreDtTm")
                _release(el)
        elif name in _STATEMENT_TAGS:
            parent = el.getparent()
            message = local_name(parent.tag) if parent is not None else ""
            if _MESSAGES.get(message.rstrip("V0123456789"), ("",))[0] != name:
                continue
            if event == "start":
                n = per_message.get(name, 0)
                per_message[name] = n + 1
                cur = _Current(doc.statements, name, namespace_of(tag))
                cur.xpath = f"{name}[{n + 1}]"
                continue
            if cur is None:  # pragma: no cover - start always precedes end
                continue
            if cur.header is None:
                yield from _begin(doc, cur, el)
            yield _finish(doc, cur, _MESSAGES[message.rstrip("V0123456789")][1])
            doc.statements += 1
            cur = None
            _release(el)


def _base(doc: _Doc, cur: _Current) -> SourceRef:
    return SourceRef.model_construct(
        file=doc.filename, statement_index=cur.index, line=None, xpath=cur.xpath, member=doc.member
    )


def _begin(doc: _Doc, cur: _Current, stmt: _Element | None) -> Iterator[Event]:
    base = _base(doc, cur)
    cur.findings = Findings(base)
    paths = Paths(cur.ns)
    assert stmt is not None
    cur.header = read_header(stmt, paths, cur.findings, cur.xpath)
    cur.reader = EntryReader(cur.findings, base, cur.header.currency)
    yield StatementBegin(
        index=cur.index, account=cur.header.account_iban or cur.header.account_number
    )


def _finish(doc: _Doc, cur: _Current, fmt: SourceFormat) -> Statement:
    assert cur.header is not None
    assert cur.findings is not None
    h = cur.header
    found = _version(cur.ns)
    version = found[1] if found else None
    if found is None or found[0] != fmt:
        cur.findings.add(
            "unknown-version",
            "info",
            f"namespace {cur.ns.strip('{}')!r} names no {fmt} version; read as {fmt}",
            None,
        )
    elif int(version[-2:] if version else "0") > _MAX_VERSION:
        cur.findings.add(
            "untested-version", "info", f"{version} is newer than the versions tested", None
        )
    summary_findings(h, cur.findings, cur.xpath, cur.entries)
    return Statement.model_construct(
        account_iban=h.account_iban,
        account_number=h.account_number,
        account_bic=h.account_bic,
        account_owner=h.account_owner,
        currency=h.currency,
        statement_id=h.statement_id,
        sequence=h.sequence,
        created_at=h.created_at(doc.created_at),
        period_start=h.period_start,
        period_end=h.period_end,
        opening_balance=h.opening,
        closing_balance=h.closing,
        available_balance=h.available,
        other_balances=tuple(h.others),
        entries=(),
        source_format=fmt,
        source_version=version,
        source=_base(doc, cur),
        findings=tuple(cur.findings.items),
    )


def _release(el: _Element) -> None:
    """Free a processed element and everything before it (keeps memory flat)."""
    el.clear()
    parent = el.getparent()
    if parent is not None:
        before = parent.index(el)
        if before:
            del parent[:before]
