"""One CAMT ``TxDtls`` (or an entry without details) → :class:`~rapprochement.model.Transaction`.

Paths are local names, looked up in the entry tree of :mod:`rapprochement.parsers.camt_tree`;
``docs/formats/camt.md`` lists what is read from where.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from rapprochement.model import ReferredDocument, Transaction
from rapprochement.parsers.camt_tree import Node, NodePaths
from rapprochement.parsers.camt_values import (
    Constructor,
    join_remittance,
    parse_date,
    parse_decimal,
)

if TYPE_CHECKING:
    import datetime as dt

__all__ = ["charges", "fx", "transaction"]

_P = NodePaths()
_TRANSACTION = Constructor(Transaction)
_DOCUMENT = Constructor(ReferredDocument)
_DOC_AMOUNTS = (
    ("amount", "RmtdAmt"),
    ("due_amount", "DuePyblAmt"),
    ("discount", "DscntApldAmt"),
    ("credit_note_amount", "CdtNoteAmt"),
    ("adjustment", "AdjstmntAmtAndRsn"),
)
_EXTRA_REFS = (
    ("tx_id", "Refs/TxId"),
    ("payment_info_id", "Refs/PmtInfId"),
    ("message_id", "Refs/MsgId"),
    ("uetr", "Refs/UETR"),
    ("clearing_ref", "Refs/ClrSysRef"),
    ("additional_tx_info", "AddtlTxInf"),
    ("return_info", "RtrInf/AddtlInf"),
)


def _document(
    number: str | None,
    type_: str | None,
    date: dt.date | None,
    ref: str | None,
    amounts: dict[str, Decimal],
) -> ReferredDocument:
    return _DOCUMENT(
        number=number,
        type=type_,
        date=date,
        amount=amounts.get("amount"),
        due_amount=amounts.get("due_amount"),
        discount=amounts.get("discount"),
        credit_note_amount=amounts.get("credit_note_amount"),
        adjustment=amounts.get("adjustment"),
        creditor_reference=ref,
    )


def _compact(iban: str | None) -> str | None:
    return "".join(iban.split()).upper() if iban else None


def _plain_amount(el: Node, path: str) -> Decimal | None:
    """An optional amount below ``el`` (``X`` or ``X/Amt``), None when absent or bad."""
    node = _P.find(el, path)
    if type(node) is dict:
        node = _P.find(node, "Amt")
    if node is None or type(node) is dict:
        return None
    return parse_decimal(node.text or "")


_REF_EXTRAS = (
    ("tx_id", "TxId"),
    ("payment_info_id", "PmtInfId"),
    ("message_id", "MsgId"),
    ("uetr", "UETR"),
    ("clearing_ref", "ClrSysRef"),
)
_NO_FX: tuple[Decimal | None, str | None, Decimal | None] = (None, None, None)


def _sub(node: Node, name: str) -> Node | None:
    """The first child node ``name`` of ``node`` when it is a subtree, else None."""
    bucket = node.get(name)
    if bucket is None:
        return None
    first = bucket[0]
    return first if type(first) is dict else None


def _parties(tx: Node, role: str) -> tuple[str | None, str | None, str | None, str | None]:
    """Counterparty name, IBAN, other account id and ultimate party name for ``role``."""
    parties = _sub(tx, "RltdPties")
    if parties is None:
        return None, None, None, None
    iban = _compact(_P.text(parties, f"{role}Acct/Id/IBAN"))
    return (
        _P.first_text(parties, f"{role}/Nm", f"{role}/Pty/Nm", f"{role}/Agt/FinInstnId/Nm"),
        iban,
        None if iban else _P.text(parties, f"{role}Acct/Id/Othr/Id"),
        _P.first_text(parties, f"Ultmt{role}/Nm", f"Ultmt{role}/Pty/Nm"),
    )


def transaction(tx: Node, amount: Decimal, ccy: str, *, payer_is_counterparty: bool) -> Transaction:
    # Each group of lookups is skipped when its parent element is absent (most are, on most
    # entries): every lookup below it would give None, at the cost of a call each.
    role = "Dbtr" if payer_is_counterparty else "Cdtr"
    lines: list[str] = []
    docs: list[ReferredDocument] = []
    unassigned: list[str] = []
    structured: str | None = None
    rmt = _sub(tx, "RmtInf")
    if rmt is not None:
        lines = _P.texts(rmt, "Ustrd")
        for strd in _P.findall(rmt, "Strd"):
            ref = _P.text(strd, "CdtrRefInf/Ref")
            structured = structured or ref
            docs.extend(_documents(strd, ref, unassigned))
            lines.extend(_P.texts(strd, "AddtlRmtInf"))
    extra: dict[str, str] = {}
    refs = _sub(tx, "Refs")
    e2e = mandate = instruction = bank_ref = None
    if refs is not None:
        e2e = _P.text(refs, "EndToEndId")
        if e2e is not None and e2e.upper() == "NOTPROVIDED":
            e2e = None
        mandate = _P.text(refs, "MndtId")
        instruction = _P.text(refs, "InstrId")
        bank_ref = _P.text(refs, "AcctSvcrRef")
        for key, path in _REF_EXTRAS:
            value = _P.text(refs, path)
            if value is not None:
                extra[key] = value
    instructed, instructed_ccy, rate = fx(tx) if "AmtDtls" in tx else _NO_FX
    for key, path in _EXTRA_REFS[len(_REF_EXTRAS) :]:
        value = _P.text(tx, path)
        if value is not None:
            extra[key] = value
    if unassigned:
        extra["referred_document_amounts"] = "; ".join(unassigned)
    name, iban, account, ultimate = _parties(tx, role)
    agents = _sub(tx, "RltdAgts")
    return _TRANSACTION(
        amount=amount,
        currency=ccy,
        counterparty_name=name,
        counterparty_iban=iban,
        counterparty_account=account,
        counterparty_bic=None
        if agents is None
        else _P.first_text(agents, f"{role}Agt/FinInstnId/BIC", f"{role}Agt/FinInstnId/BICFI"),
        ultimate_party_name=ultimate,
        remittance_info=join_remittance(lines),
        remittance_lines=tuple(lines),
        structured_reference=structured,
        referred_documents=tuple(docs),
        end_to_end_id=e2e,
        mandate_id=mandate,
        creditor_id=_creditor_id(tx) if "RltdPties" in tx else None,
        instruction_id=instruction,
        bank_reference=bank_ref,
        purpose=_P.first_text(tx, "Purp/Cd", "Purp/Prtry") if "Purp" in tx else None,
        return_reason=_P.first_text(tx, "RtrInf/Rsn/Cd", "RtrInf/Rsn/Prtry")
        if "RtrInf" in tx
        else None,
        charges=charges(tx) if "Chrgs" in tx else None,
        instructed_amount=instructed,
        instructed_currency=instructed_ccy,
        exchange_rate=rate,
        extra=extra,
    )


def _creditor_id(tx: Node) -> str | None:
    for othr in _P.findall(tx, "RltdPties/Cdtr/Id/PrvtId/Othr") + _P.findall(
        tx, "RltdPties/Cdtr/Pty/Id/PrvtId/Othr"
    ):
        if (_P.text(othr, "SchmeNm/Prtry") or "").upper() == "SEPA":
            return _P.text(othr, "Id")
    return None


def _documents(strd: Node, ref: str | None, unassigned: list[str]) -> list[ReferredDocument]:
    """The RfrdDocInf of one Strd; its RfrdDocAmt goes to the document when there is one.

    With several documents in one Strd the amounts cannot be attributed: they are listed
    in ``unassigned`` (kept in ``extra``) rather than guessed.
    """
    amounts: dict[str, Decimal] = {}
    amt_el = _P.find(strd, "RfrdDocAmt")
    if amt_el is not None:
        for field, tag in _DOC_AMOUNTS:
            value = _plain_amount(amt_el, tag)
            if value is not None:
                amounts[field] = value
    infos = _P.findall(strd, "RfrdDocInf")
    if not infos:
        if not amounts:
            return []
        return [_document(None, None, None, ref, amounts)]
    if len(infos) > 1 and amounts:
        unassigned.extend(f"{k}={v}" for k, v in amounts.items())
    docs = []
    for info in infos:
        related = _P.first_text(info, "RltdDt/Dt", "RltdDt")
        docs.append(
            _document(
                _P.text(info, "Nb"),
                _P.first_text(info, "Tp/CdOrPrtry/Cd", "Tp/CdOrPrtry/Prtry"),
                parse_date(related) if related else None,
                ref,
                amounts if len(infos) == 1 else {},
            )
        )
    return docs


def charges(el: Node) -> Decimal | None:
    blocks = _P.findall(el, "Chrgs")
    if not blocks:
        return None
    total = _plain_amount(blocks[0], "TtlChrgsAndTaxAmt")
    if total is not None:
        return total
    values: list[Decimal | None] = []
    for block in blocks:
        leaves = _P.findall(block, "Amt") + [_P.find(r, "Amt") for r in _P.findall(block, "Rcrd")]
        values.extend(
            None if leaf is None or type(leaf) is dict else parse_decimal(leaf.text or "")
            for leaf in leaves
        )
    if not values or any(v is None for v in values):
        return None
    return sum((v for v in values if v is not None), Decimal(0))


def fx(el: Node) -> tuple[Decimal | None, str | None, Decimal | None]:
    inst = _P.find(el, "AmtDtls/InstdAmt/Amt")
    instructed = parse_decimal(inst.text or "") if inst is not None else None
    rate_text = _P.first_text(
        el,
        "AmtDtls/InstdAmt/CcyXchg/XchgRate",
        "AmtDtls/TxAmt/CcyXchg/XchgRate",
        "AmtDtls/CntrValAmt/CcyXchg/XchgRate",
    )
    rate = parse_decimal(rate_text) if rate_text else None
    ccy = inst.get("Ccy") if inst is not None and instructed is not None else None
    return instructed, ccy, rate
