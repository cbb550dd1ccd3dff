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


def transaction(tx: Node, amount: Decimal, ccy: str, *, payer_is_counterparty: bool) -> Transaction:
    role = "Dbtr" if payer_is_counterparty else "Cdtr"
    lines = _P.texts(tx, "RmtInf/Ustrd")
    docs: list[ReferredDocument] = []
    unassigned: list[str] = []
    structured: str | None = None
    for strd in _P.findall(tx, "RmtInf/Strd"):
        ref = _P.text(strd, "CdtrRefInf/Ref")
        structured = structured or ref
        docs.extend(_documents(strd, ref, unassigned))
        lines.extend(_P.texts(strd, "AddtlRmtInf"))
    e2e = _P.text(tx, "Refs/EndToEndId")
    if e2e is not None and e2e.upper() == "NOTPROVIDED":
        e2e = None
    instructed, instructed_ccy, rate = fx(tx)
    extra: dict[str, str] = {}
    for key, path in _EXTRA_REFS:
        value = _P.text(tx, path)
        if value is not None:
            extra[key] = value
    if unassigned:
        extra["referred_document_amounts"] = "; ".join(unassigned)
    iban = _compact(_P.text(tx, f"RltdPties/{role}Acct/Id/IBAN"))
    return _TRANSACTION(
        amount=amount,
        currency=ccy,
        counterparty_name=_P.first_text(
            tx,
            f"RltdPties/{role}/Nm",
            f"RltdPties/{role}/Pty/Nm",
            f"RltdPties/{role}/Agt/FinInstnId/Nm",
        ),
        counterparty_iban=iban,
        counterparty_account=None if iban else _P.text(tx, f"RltdPties/{role}Acct/Id/Othr/Id"),
        counterparty_bic=_P.first_text(
            tx, f"RltdAgts/{role}Agt/FinInstnId/BIC", f"RltdAgts/{role}Agt/FinInstnId/BICFI"
        ),
        ultimate_party_name=_P.first_text(
            tx, f"RltdPties/Ultmt{role}/Nm", f"RltdPties/Ultmt{role}/Pty/Nm"
        ),
        remittance_info=join_remittance(lines),
        remittance_lines=tuple(lines),
        structured_reference=structured,
        referred_documents=tuple(docs),
        end_to_end_id=e2e,
        mandate_id=_P.text(tx, "Refs/MndtId"),
        creditor_id=_creditor_id(tx),
        instruction_id=_P.text(tx, "Refs/InstrId"),
        bank_reference=_P.text(tx, "Refs/AcctSvcrRef"),
        purpose=_P.first_text(tx, "Purp/Cd", "Purp/Prtry"),
        return_reason=_P.first_text(tx, "RtrInf/Rsn/Cd", "RtrInf/Rsn/Prtry"),
        charges=charges(tx),
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
