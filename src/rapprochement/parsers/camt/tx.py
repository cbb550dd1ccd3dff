"""One CAMT ``TxDtls`` (or an entry without details) → :class:`~rapprochement.model.Transaction`.

Paths are local names, looked up in the entry tree of :mod:`rapprochement.parsers.camt.tree`;
``docs/formats/camt.md`` lists what is read from where.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from rapprochement.model import ReferredDocument, Transaction
from rapprochement.parsers.camt.tree import (
    Node,
    NodePaths,
    node_first_text,
    node_text,
    node_texts,
    sub1,
    text1,
)
from rapprochement.parsers.camt.values import (
    Constructor,
    join_remittance,
    parse_date,
    parse_decimal,
)

if TYPE_CHECKING:
    import datetime as dt

__all__ = ["NO_FX", "charges", "fx", "transaction"]

_P = NodePaths()  # the Paths interface, for the rarer lookups below
_TRANSACTION = Constructor(Transaction)
_DOCUMENT = Constructor(ReferredDocument)
_DOC_AMOUNTS = (
    ("amount", "RmtdAmt"),
    ("due_amount", "DuePyblAmt"),
    ("discount", "DscntApldAmt"),
    ("credit_note_amount", "CdtNoteAmt"),
    ("adjustment", "AdjstmntAmtAndRsn"),
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
#: No foreign-exchange details: instructed amount, its currency, rate.
NO_FX: tuple[Decimal | None, str | None, Decimal | None] = (None, None, None)

#: Per counterparty role: the party, its account, the ultimate party and the agent elements.
_ROLES = {role: (role, f"{role}Acct", f"Ultmt{role}", f"{role}Agt") for role in ("Dbtr", "Cdtr")}


def _name(party: Node | None) -> str | None:
    """``Nm``, else ``Pty/Nm`` of a party (``UltmtDbtr``...), None when absent."""
    if party is None:
        return None
    name = text1(party, "Nm")
    if name is None and (pty := sub1(party, "Pty")) is not None:
        name = text1(pty, "Nm")
    return name


def _parties(parties: Node, role: str) -> tuple[str | None, str | None, str | None, str | None]:
    """Counterparty name, IBAN, other account id and ultimate party name for ``role``.

    Name: ``{role}/Nm``, ``{role}/Pty/Nm``, ``{role}/Agt/FinInstnId/Nm``; IBAN:
    ``{role}Acct/Id/IBAN``, else ``{role}Acct/Id/Othr/Id``; ``Ultmt{role}/Nm`` or ``…/Pty/Nm``.
    """
    party, account, ultimate, _ = _ROLES[role]
    found = sub1(parties, party)
    name = _name(found)
    if name is None and found is not None and "Agt" in found:
        name = node_text(found, "Agt/FinInstnId/Nm")
    iban = other = None
    acct = sub1(parties, account)
    if acct is not None and (ident := sub1(acct, "Id")) is not None:
        iban = _compact(text1(ident, "IBAN"))
        if iban is None and "Othr" in ident:
            other = node_text(ident, "Othr/Id")
    return name, iban, other, _name(sub1(parties, ultimate))


def _bic(agents: Node, role: str) -> str | None:
    """``{role}Agt/FinInstnId/BIC``, else ``…/BICFI``."""
    agent = sub1(agents, _ROLES[role][3])
    institution = None if agent is None else sub1(agent, "FinInstnId")
    if institution is None:
        return None
    return text1(institution, "BIC") or text1(institution, "BICFI")


def transaction(tx: Node, amount: Decimal, ccy: str, *, payer_is_counterparty: bool) -> Transaction:
    """The :class:`Transaction` of one ``TxDtls`` (``amount`` signed, ``ccy`` its currency).

    ``payer_is_counterparty``: the debtor is the counterparty (a credit), else the creditor.
    """
    # Each group of lookups is skipped when its parent element is absent (most are, on most
    # entries): every lookup below it would give None, at the cost of a call each.
    role = "Dbtr" if payer_is_counterparty else "Cdtr"
    lines: list[str] = []
    docs: list[ReferredDocument] = []
    unassigned: list[str] = []
    structured: str | None = None
    rmt = sub1(tx, "RmtInf")
    if rmt is not None:
        lines = [  # node_texts(rmt, "Ustrd"), inlined
            t
            for leaf in rmt.get("Ustrd", ())
            if type(leaf) is not dict and (t := leaf.text) and t.strip()
        ]
        for strd in rmt.get("Strd", ()):
            if type(strd) is not dict:
                continue
            ref = node_text(strd, "CdtrRefInf/Ref")
            structured = structured or ref
            if "RfrdDocAmt" in strd or "RfrdDocInf" in strd:
                docs.extend(_documents(strd, ref, unassigned))
            if "AddtlRmtInf" in strd:
                lines.extend(node_texts(strd, "AddtlRmtInf"))
    extra: dict[str, str] = {}
    refs = sub1(tx, "Refs")
    e2e = mandate = instruction = bank_ref = None
    if refs is not None:
        e2e = text1(refs, "EndToEndId")
        if e2e is not None and e2e.upper() == "NOTPROVIDED":
            e2e = None
        mandate = text1(refs, "MndtId")
        instruction = text1(refs, "InstrId")
        bank_ref = text1(refs, "AcctSvcrRef")
        for key, tag in _REF_EXTRAS:
            if tag in refs and (value := text1(refs, tag)) is not None:
                extra[key] = value
    instructed, instructed_ccy, rate = fx(tx) if "AmtDtls" in tx else NO_FX
    if "AddtlTxInf" in tx and (info := text1(tx, "AddtlTxInf")) is not None:
        extra["additional_tx_info"] = info
    if "RtrInf" in tx and (infos := node_texts(tx, "RtrInf/AddtlInf")):
        # RtrInf/AddtlInf (0..n, ≤105 chars each): the bank's words on the return, often the
        # original's remittance or invoice number; the return linker reads it as text
        extra["return_info"] = " ".join(i.strip() for i in infos if i.strip())
    if unassigned:
        extra["referred_document_amounts"] = "; ".join(unassigned)
    parties = sub1(tx, "RltdPties")
    if parties is None:
        name = iban = account = ultimate = creditor = None
    else:
        name, iban, account, ultimate = _parties(parties, role)
        cdtr = sub1(parties, "Cdtr")  # the creditor id sits below Cdtr/Id or Cdtr/Pty/Id
        creditor = _creditor_id(tx) if cdtr and ("Id" in cdtr or "Pty" in cdtr) else None
    agents = sub1(tx, "RltdAgts")
    # Every field, in declaration order (see Constructor.full).
    return _TRANSACTION.full(
        {
            "amount": amount,
            "currency": ccy,
            "counterparty_name": name,
            "counterparty_iban": iban,
            "counterparty_account": account,
            "counterparty_bic": None if agents is None else _bic(agents, role),
            "ultimate_party_name": ultimate,
            "remittance_info": join_remittance(lines) if lines else "",
            "remittance_lines": tuple(lines),
            "structured_reference": structured,
            "referred_documents": tuple(docs),
            "end_to_end_id": e2e,
            "mandate_id": mandate,
            "creditor_id": creditor,
            "instruction_id": instruction,
            "bank_reference": bank_ref,
            "purpose": node_first_text(tx, "Purp/Cd", "Purp/Prtry") if "Purp" in tx else None,
            "return_reason": node_first_text(tx, "RtrInf/Rsn/Cd", "RtrInf/Rsn/Prtry")
            if "RtrInf" in tx
            else None,
            "charges": charges(tx) if "Chrgs" in tx else None,
            "instructed_amount": instructed,
            "instructed_currency": instructed_ccy,
            "exchange_rate": rate,
            "extra": extra,
        }
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
