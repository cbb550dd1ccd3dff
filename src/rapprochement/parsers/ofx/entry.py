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

from rapprochement.model import Entry, Finding, SourceRef, Transaction
from rapprochement.parsers._common.assemble import assemble
from rapprochement.parsers._common.values import NO_CURRENCY, usable_currency
from rapprochement.parsers.ofx.text import parse_amount_text, parse_date, unescape

__all__ = ["LEAF", "build_entry", "clean_iban", "make_source", "read_fields"]

#: One opening tag and the text after it (closing tags never match: they start with ``/``).
LEAF = re.compile(r"<([A-Za-z][A-Za-z0-9._-]*)[^<>]*>([^<]*)")

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


_findall = LEAF.findall
_TX_SET = {
    "amount", "currency", "counterparty_name", "counterparty_iban", "counterparty_account",
    "counterparty_bic", "remittance_info", "remittance_lines", "instructed_amount",
    "instructed_currency", "exchange_rate", "extra",
}  # fmt: skip
_ENTRY_SET = {
    "amount", "currency", "booking_date", "value_date", "status", "bank_transaction_code",
    "bank_reference", "customer_reference", "transactions", "source",
}  # fmt: skip
_SOURCE_SET = {"file", "statement_index", "line", "member"}


def read_fields(body: str, *, upper: bool = False) -> dict[str, str]:
    """``tag -> text`` of a STMTTRN body: text stripped, entities decoded, tags upper-cased
    when ``upper`` (files with lower-case tags)."""
    pairs = _findall(body)
    if upper:
        pairs = [(k.upper(), v) for k, v in pairs]
    fields = {k: v.strip() for k, v in pairs}
    if "&" in body:
        fields = {k: unescape(v) for k, v in fields.items()}
    return fields


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


def build_entry(
    fields: dict[str, str],
    currency: str,
    source: SourceRef,
    findings: list[Finding],
) -> Entry:
    """The entry for one STMTTRN; problems are appended to ``findings``, never raised.

    ``fields`` maps each tag of the STMTTRN body to its text, stripped and with entities
    decoded (empty string for an empty tag). An unreadable amount gives an entry of status
    ``info`` and amount 0 (the raw text kept in ``extra["TRNAMT"]``) with an ``error`` finding,
    so the line stays visible and counted but adds nothing to the totals; an unreadable date
    leaves the date empty with a ``warning`` finding.
    """
    g = fields.get
    status = "booked"
    extra: dict[str, str] = {}
    raw_amount = g("TRNAMT", "")
    try:
        amount = parse_amount_text(raw_amount)
    except ValueError:
        amount = Decimal(0)
        status = "info"
        extra["TRNAMT"] = raw_amount
        findings.append(
            Finding(
                code="bad-amount",
                severity="error",
                message=f"STMTTRN has no readable TRNAMT ({raw_amount!r}); "
                "the entry is kept with status 'info' and amount 0",
                source=source,
            )
        )
    raw = g("DTPOSTED")
    try:
        # no DTPOSTED: the value date stands in (parsers._checks, with its finding)
        booking = parse_date(raw) if raw else None
    except ValueError as exc:
        booking = _bad_date("DTPOSTED", exc, source, findings)
    value_key = "DTAVAIL" if "DTAVAIL" in fields else "DTUSER"
    raw = g(value_key)
    try:
        value_date = parse_date(raw) if raw else None
    except ValueError as exc:
        value_date = _bad_date(value_key, exc, source, findings)

    entry_ccy = currency
    instructed_ccy = rate = instructed = None
    sym = g("CURSYM")
    if sym or "CURRENCY" in fields or "ORIGCURRENCY" in fields:
        sym = (sym or g("CURRENCY") or "").upper()
        rate = _rate(g("CURRATE"))
        if usable_currency(sym):
            foreign = sym != currency and currency != NO_CURRENCY
            if "ORIGCURRENCY" not in fields:
                # CURRENCY: TRNAMT itself is in CURSYM (OFX 2.1.1 §5.2).
                entry_ccy = sym
                if foreign and status == "booked":
                    instructed = amount
            if foreign:
                instructed_ccy = sym
            else:
                rate = None
        else:
            rate = None
            findings.append(
                Finding(
                    code="bad-currency",
                    severity="warning",
                    message=f"STMTTRN CURSYM {sym!r} is not an ISO 4217 currency code; the"
                    f" amount is read in the statement's currency {currency}",
                    source=source,
                )
            )

    if not _MAPPED.issuperset(fields):
        for key, text in fields.items():  # in file order: the same output on every run
            if text and key not in _MAPPED:
                extra[key] = text
    if value_key == "DTAVAIL" and g("DTUSER"):
        extra["DTUSER"] = fields["DTUSER"]

    acct = g("ACCTID") or None
    cp_iban = clean_iban(acct) if acct else None
    bank_id = g("BANKID", "").upper()
    name = g("EXTDNAME") or g("NAME") or None
    if g("EXTDNAME") and g("NAME") and fields["NAME"] != name:
        extra["NAME"] = fields["NAME"]
    memo = g("MEMO") or None
    checknum = g("CHECKNUM") or None
    refnum = g("REFNUM") or None
    if checknum and refnum:
        extra["REFNUM"] = refnum

    # Every field in declaration order (the order model_dump_json writes them in).
    tx = assemble(
        Transaction,
        {
            "amount": amount,
            "currency": entry_ccy,
            "counterparty_name": name,
            "counterparty_iban": cp_iban,
            "counterparty_account": None if cp_iban else acct,
            "counterparty_bic": bank_id if bank_id and _BIC_SHAPE.fullmatch(bank_id) else None,
            "ultimate_party_name": None,
            "remittance_info": memo or "",
            "remittance_lines": (memo,) if memo else (),
            "structured_reference": None,
            "referred_documents": (),
            "end_to_end_id": None,
            "mandate_id": None,
            "creditor_id": None,
            "instruction_id": None,
            "bank_reference": None,
            "purpose": None,
            "return_reason": None,
            "charges": None,
            "instructed_amount": instructed,
            "instructed_currency": instructed_ccy,
            "exchange_rate": rate,
            "extra": extra,
        },
        _TX_SET,
    )
    return assemble(
        Entry,
        {
            "amount": amount,
            "currency": entry_ccy,
            "booking_date": booking,
            "value_date": value_date,
            "status": status,
            "reversal": False,
            "bank_transaction_code": g("TRNTYPE") or None,
            "bank_reference": g("FITID") or None,
            "customer_reference": checknum or refnum,
            "additional_info": None,
            "is_batch": False,
            "batch_count": None,
            "transactions": (tx,),
            "source": source,
            "fingerprint": "",
            "charges": None,
        },
        _ENTRY_SET,
    )


def _bad_date(
    key: str, exc: ValueError, source: SourceRef, findings: list[Finding]
) -> dt.date | None:
    """Record an unreadable date; the date stays empty."""
    findings.append(
        Finding(
            code="bad-date",
            severity="warning",
            message=f"STMTTRN {key}: {exc}; the date is left empty",
            source=source,
        )
    )
    return None


def _rate(raw: str | None) -> Decimal | None:
    if not raw:
        return None
    try:
        rate = parse_amount_text(raw)
    except ValueError:
        return None
    return rate if rate > 0 else None


def make_source(file: str | None, index: int, line: int, member: str | None) -> SourceRef:
    """The source reference of an entry (built without validation: all values are typed)."""
    return assemble(
        SourceRef,
        {"file": file, "statement_index": index, "line": line, "xpath": None, "member": member},
        _SOURCE_SET,
    )
