"""One OFX ``STMTTRN`` (statement transaction) to one :class:`~rapprochement.model.Entry`.

The body of a ``STMTTRN`` is read with a single regex pass into a flat ``tag -> text`` map: its
only nested aggregates (``PAYEE``, ``BANKACCTTO``/``CCACCTTO``, ``CURRENCY``/``ORIGCURRENCY``)
have leaf names of their own, so nothing is lost by flattening. Field mapping (OFX 2.1.1
§11.4.4.1):

=================================  ===============================================
``TRNTYPE``                        ``Entry.bank_transaction_code``
``DTPOSTED``                       ``Entry.booking_date``
``DTAVAIL`` else ``DTUSER``        ``Entry.value_date`` (the other one in ``extra``)
``TRNAMT`` (sign = direction)      ``Entry.amount`` (credit > 0)
``FITID``                          ``Entry.bank_reference``
``CHECKNUM`` else ``REFNUM``       ``Entry.customer_reference``
``EXTDNAME`` / ``NAME`` / PAYEE    ``Transaction.counterparty_name``
``MEMO``                           ``Transaction.remittance_info``
``BANKACCTTO``/``CCACCTTO``        ``Transaction.counterparty_iban`` / ``_account``
``CURRENCY`` (CURSYM, CURRATE)     the amount is in CURSYM: ``Entry.currency``, instructed
``ORIGCURRENCY``                   ``Transaction.instructed_currency`` and ``exchange_rate``
anything else                      ``Transaction.extra`` verbatim
=================================  ===============================================
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any, TypeVar

from pydantic import BaseModel

from rapprochement.model import Entry, Finding, SourceRef, Transaction
from rapprochement.parsers.ofx_text import parse_amount_text, parse_date, unescape

__all__ = ["LEAF", "build_entry", "clean_iban", "make_source"]

M = TypeVar("M", bound=BaseModel)

#: One opening tag and the text after it (closing tags never match: they start with ``/``).
LEAF = re.compile(r"<([A-Za-z][A-Za-z0-9._-]*)[^<>]*>([^<]*)")

_CCY = re.compile(r"[A-Z]{3}")
_IBAN_SHAPE = re.compile(r"[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}")
_BIC_SHAPE = re.compile(r"[A-Z]{4}[A-Z]{2}[A-Z0-9]{2}(?:[A-Z0-9]{3})?")

#: Tags mapped to a model field (everything else non-empty goes to ``Transaction.extra``).
_MAPPED = frozenset(
    {
        "TRNTYPE", "DTPOSTED", "DTUSER", "DTAVAIL", "TRNAMT", "FITID", "CHECKNUM", "REFNUM",
        "NAME", "EXTDNAME", "PAYEE", "MEMO", "BANKACCTTO", "CCACCTTO", "BANKID", "BRANCHID",
        "ACCTID", "ACCTTYPE", "ACCTKEY", "CURRENCY", "ORIGCURRENCY", "CURSYM", "CURRATE",
    }
)  # fmt: skip


def _defaults(cls: type[BaseModel]) -> dict[str, Any]:
    # Every field, in declaration order (so reprs read as usual); required ones are always given.
    return {
        name: None if field.is_required() or field.default_factory else field.default
        for name, field in cls.model_fields.items()
    }


_TX_DEFAULTS = _defaults(Transaction)
_ENTRY_DEFAULTS = _defaults(Entry)
_SET = object.__setattr__
_FIELDS_SETS: dict[tuple[type[BaseModel], int], set[str]] = {}


def _construct(cls: type[M], defaults: dict[str, Any], values: dict[str, Any]) -> M:
    """``cls.model_construct(**values)`` without its per-field default lookups (5x faster).

    Only for values already of the right type (the hot path builds them so): no validation.
    Fields with a default factory must be given.
    """
    obj = cls.__new__(cls)
    data = defaults.copy()
    data.update(values)
    _SET(obj, "__dict__", data)
    # One fields-set per call site, shared: frozen models never mutate it (model_copy copies it
    # first), and fewer container objects keep the garbage collector's passes short.
    key = (cls, len(values))
    fields_set = _FIELDS_SETS.get(key)
    if fields_set is None or len(fields_set) != len(values) or not fields_set.issuperset(values):
        fields_set = _FIELDS_SETS[key] = set(values)
    _SET(obj, "__pydantic_fields_set__", fields_set)
    _SET(obj, "__pydantic_extra__", None)
    _SET(obj, "__pydantic_private__", None)
    return obj


def clean_iban(value: str) -> str | None:
    """The compact IBAN when ``value`` is a valid IBAN, else None."""
    compact = value.replace(" ", "").upper()
    if not _IBAN_SHAPE.fullmatch(compact):
        return None
    from schwifty import IBAN  # imported lazily: only IBAN-shaped account ids pay for it

    try:
        return str(IBAN(compact).compact)
    except ValueError:
        return None


def _text(fields: dict[str, str], key: str) -> str | None:
    raw = fields.get(key)
    if raw is None:
        return None
    value = raw.strip()
    if not value:
        return None
    return unescape(value) if "&" in value else value


def build_entry(
    fields: dict[str, str],
    currency: str,
    source: SourceRef,
    findings: list[Finding],
) -> Entry:
    """The entry for one STMTTRN; problems are appended to ``findings``, never raised.

    An unreadable amount gives an entry of status ``info`` and amount 0 (the raw text kept in
    ``extra["TRNAMT"]``) with an ``error`` finding, so the line stays visible and counted but adds
    nothing to the totals; an unreadable date leaves the date empty with a ``warning`` finding.
    """
    status = "booked"
    extra: dict[str, str] = {}
    raw_amount = fields.get("TRNAMT", "")
    try:
        amount = parse_amount_text(raw_amount)
    except ValueError:
        amount = Decimal(0)
        status = "info"
        extra["TRNAMT"] = raw_amount.strip()
        findings.append(
            Finding(
                code="bad-amount",
                severity="error",
                message=f"STMTTRN has no readable TRNAMT ({raw_amount.strip()!r}); "
                "the entry is kept with status 'info' and amount 0",
                source=source,
            )
        )
    booking = _date(fields, "DTPOSTED", source, findings, required=True)
    value_key = "DTAVAIL" if "DTAVAIL" in fields else "DTUSER"
    value_date = _date(fields, value_key, source, findings, required=False)

    entry_ccy = currency
    instructed_ccy = rate = instructed = None
    sym = _text(fields, "CURSYM")
    if "CURRENCY" in fields or "ORIGCURRENCY" in fields or sym:
        leaf_ccy = (_text(fields, "CURRENCY") or "").upper()
        sym = (sym or leaf_ccy).upper()
        rate = _rate(fields)
        if _CCY.fullmatch(sym):
            foreign = sym != currency and currency != "XXX"
            if "ORIGCURRENCY" not in fields:
                # CURRENCY: TRNAMT itself is in CURSYM (OFX 2.1.1 §5.2).
                entry_ccy = sym
                if foreign and status == "booked":
                    instructed = amount
            if foreign:
                instructed_ccy = sym
            else:
                rate = None

    for key in fields.keys() - _MAPPED:
        value = _text(fields, key)
        if value is not None:
            extra[key] = value
    if value_key == "DTAVAIL" and "DTUSER" in fields:
        dtuser = _text(fields, "DTUSER")
        if dtuser:
            extra["DTUSER"] = dtuser

    acct = _text(fields, "ACCTID")
    cp_iban = clean_iban(acct) if acct else None
    bank_id = (_text(fields, "BANKID") or "").upper()
    name = _text(fields, "EXTDNAME") or _text(fields, "NAME")
    if "EXTDNAME" in fields and "NAME" in fields:
        short = _text(fields, "NAME")
        if short and short != name:
            extra["NAME"] = short
    memo = _text(fields, "MEMO")
    checknum = _text(fields, "CHECKNUM")
    refnum = _text(fields, "REFNUM")
    if checknum and refnum:
        extra["REFNUM"] = refnum

    tx = _construct(Transaction, _TX_DEFAULTS, {
        "amount": amount,
        "currency": entry_ccy,
        "counterparty_name": name,
        "counterparty_iban": cp_iban,
        "counterparty_account": None if cp_iban else acct,
        "counterparty_bic": bank_id if _BIC_SHAPE.fullmatch(bank_id) else None,
        "remittance_info": memo or "",
        "remittance_lines": (memo,) if memo else (),
        "instructed_amount": instructed,
        "instructed_currency": instructed_ccy,
        "exchange_rate": rate,
        "extra": extra,
    })  # fmt: skip
    return _construct(Entry, _ENTRY_DEFAULTS, {
        "amount": amount,
        "currency": entry_ccy,
        "booking_date": booking,
        "value_date": value_date,
        "status": status,
        "bank_transaction_code": _text(fields, "TRNTYPE"),
        "bank_reference": _text(fields, "FITID"),
        "customer_reference": checknum or refnum,
        "transactions": (tx,),
        "source": source,
    })  # fmt: skip


def _rate(fields: dict[str, str]) -> Decimal | None:
    raw = _text(fields, "CURRATE")
    if raw is None:
        return None
    try:
        rate = parse_amount_text(raw)
    except ValueError:
        return None
    return rate if rate > 0 else None


def _date(
    fields: dict[str, str],
    key: str,
    source: SourceRef,
    findings: list[Finding],
    *,
    required: bool,
) -> dt.date | None:
    raw = fields.get(key)
    value = raw.strip() if raw else ""
    if not value:
        if required:
            findings.append(
                Finding(
                    code="missing-date",
                    severity="warning",
                    message=f"STMTTRN has no {key}; its booking date is left empty",
                    source=source,
                )
            )
        return None
    try:
        return parse_date(value)
    except ValueError as exc:
        findings.append(
            Finding(
                code="bad-date",
                severity="warning",
                message=f"STMTTRN {key}: {exc}; the date is left empty",
                source=source,
            )
        )
        return None


_SOURCE_DEFAULTS = _defaults(SourceRef)


def make_source(file: str | None, index: int, line: int, member: str | None) -> SourceRef:
    """The source reference of an entry (built without validation: all values are typed)."""
    return _construct(
        SourceRef,
        _SOURCE_DEFAULTS,
        {"file": file, "statement_index": index, "line": line, "member": member},
    )
