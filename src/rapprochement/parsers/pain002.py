"""pain.002 customer payment status reports (ISO 20022 ``CstmrPmtStsRpt``): which collections
the creditor's bank rejected, and why. Not a statement: no balance, no booked entry, so it has
its own reader and models (:func:`read_status_report` → :class:`StatusReport`).

Paths read (versions .001.03 to .001.10 and later; namespace ignored):

- ``GrpHdr/MsgId``, ``GrpHdr/CreDtTm``; ``OrgnlGrpInfAndSts/OrgnlMsgId``, ``GrpSts``;
- ``OrgnlPmtInfAndSts/OrgnlPmtInfId``, ``PmtInfSts``;
- ``OrgnlPmtInfAndSts/TxInfAndSts``: ``OrgnlEndToEndId``, ``OrgnlInstrId``, ``TxSts`` (RJCT,
  ACCP, ACSC, PDNG...; inherited from ``PmtInfSts`` / ``GrpSts`` when absent),
  ``StsRsnInf/Rsn/Cd`` (or ``Prtry``), ``StsRsnInf/AddtlInf``, ``OrgnlTxRef/Amt/InstdAmt``
  (+ ``@Ccy``), ``OrgnlTxRef/ReqdColltnDt``, ``OrgnlTxRef/Dbtr/Nm`` (``Dbtr/Pty/Nm`` from
  .001.10), ``OrgnlTxRef/DbtrAcct/Id/IBAN``, ``OrgnlTxRef/MndtRltdInf/MndtId``.

The XML is parsed without network access, DTD or entity expansion. A file that is not a
pain.002, or a transaction status without an end-to-end id, a status, or with a bad amount or
date, raises :class:`~rapprochement.errors.MalformedStatementError` naming the file and the
XPath.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from pathlib import Path

from lxml import etree
from pydantic import BaseModel, ConfigDict, Field

from rapprochement.errors import MalformedStatementError
from rapprochement.parsers.camt.tree import SAFE_XML
from rapprochement.reasons import reason_text

__all__ = ["StatusReport", "TransactionStatus", "read_status_report"]

_El = etree._Element


class TransactionStatus(BaseModel):
    """The status of one original transaction (``TxInfAndSts``)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    end_to_end_id: str = Field(description="OrgnlEndToEndId: the collection's end-to-end id.")
    status: str = Field(description="TxSts (RJCT = rejected), inherited when absent.")
    reason_code: str = Field("", description="StsRsnInf/Rsn/Cd or Prtry (AM04, MD01...).")
    reason_info: str = Field("", description="StsRsnInf/AddtlInf, joined.")
    instruction_id: str | None = Field(None, description="OrgnlInstrId.")
    amount: Decimal | None = Field(None, description="OrgnlTxRef/Amt/InstdAmt.")
    currency: str | None = Field(None, description="Its Ccy attribute.")
    collection_date: dt.date | None = Field(None, description="OrgnlTxRef/ReqdColltnDt.")
    debtor_name: str | None = Field(None, description="OrgnlTxRef/Dbtr/Nm (or Dbtr/Pty/Nm).")
    debtor_iban: str | None = Field(None, description="OrgnlTxRef/DbtrAcct/Id/IBAN.")
    mandate_id: str | None = Field(None, description="OrgnlTxRef/MndtRltdInf/MndtId.")
    payment_information_id: str | None = Field(None, description="OrgnlPmtInfId.")
    source: str = Field(description="XPath of the TxInfAndSts element in the file.")

    @property
    def rejected(self) -> bool:
        """True for a rejection (``RJCT``)."""
        return self.status == "RJCT"

    @property
    def reason(self) -> str:
        """``AM04 (insufficient funds)``."""
        return reason_text(self.reason_code)


class StatusReport(BaseModel):
    """A pain.002 file: the status of the transactions of an original message."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    message_id: str = Field(description="GrpHdr/MsgId.")
    created: str | None = Field(None, description="GrpHdr/CreDtTm, as written.")
    original_message_id: str | None = Field(None, description="OrgnlGrpInfAndSts/OrgnlMsgId.")
    group_status: str | None = Field(None, description="OrgnlGrpInfAndSts/GrpSts.")
    version: str = Field(description="pain.002.001.NN from the namespace, or 'pain.002'.")
    file: str = Field(description="File the report was read from.")
    transactions: tuple[TransactionStatus, ...] = Field(description="In document order.")

    @property
    def rejections(self) -> tuple[TransactionStatus, ...]:
        """The rejected transactions."""
        return tuple(t for t in self.transactions if t.rejected)


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _kids(el: _El, name: str) -> list[_El]:
    return [c for c in el if _local(c.tag) == name]


def _find(el: _El | None, path: str) -> _El | None:
    for name in path.split("/"):
        if el is None:
            return None
        found = _kids(el, name)
        el = found[0] if found else None
    return el


def _text(el: _El | None, path: str) -> str | None:
    node = _find(el, path)
    text = None if node is None or node.text is None else node.text.strip()
    return text or None


def _reason(el: _El) -> tuple[str, str]:
    codes, infos = [], []
    for sts in _kids(el, "StsRsnInf"):
        code = _text(sts, "Rsn/Cd") or _text(sts, "Rsn/Prtry")
        if code:
            codes.append(code)
        infos += [i.text.strip() for i in _kids(sts, "AddtlInf") if i.text and i.text.strip()]
    return (codes[0] if codes else ""), " ".join(infos)


class _Reader:
    def __init__(self, file: str) -> None:
        self.file = file

    def fail(self, message: str, xpath: str, hint: str) -> MalformedStatementError:
        return MalformedStatementError(message, file=self.file, location=xpath, hint=hint)

    def amount(self, ref: _El | None, xpath: str) -> tuple[Decimal | None, str | None]:
        node = _find(ref, "Amt/InstdAmt")
        if node is None or not (node.text or "").strip():
            return None, None
        try:
            value = Decimal(node.text.strip())  # type: ignore[union-attr]
        except InvalidOperation:
            raise self.fail(
                f"amount {node.text!r} is not a decimal number",
                f"{xpath}/OrgnlTxRef/Amt/InstdAmt",
                "ISO 20022 amounts use a dot: 123.45",
            ) from None
        if not value.is_finite():
            raise self.fail("amount is not finite", f"{xpath}/OrgnlTxRef/Amt/InstdAmt", "")
        return value, node.get("Ccy")

    def date(self, ref: _El | None, xpath: str) -> dt.date | None:
        node = _find(ref, "ReqdColltnDt")
        text = None if node is None else (_text(node, "Dt") or (node.text or "").strip())
        if not text:
            return None
        try:
            return dt.date.fromisoformat(text[:10])
        except ValueError:
            raise self.fail(
                f"collection date {text!r} is not a date",
                f"{xpath}/OrgnlTxRef/ReqdColltnDt",
                "expected YYYY-MM-DD",
            ) from None

    def transaction(
        self, tx: _El, inherited: str | None, pmt_id: str | None, xp: str
    ) -> TransactionStatus:
        e2e = _text(tx, "OrgnlEndToEndId")
        if e2e is None:
            raise self.fail(
                "transaction status without OrgnlEndToEndId",
                f"{xp}/OrgnlEndToEndId",
                "the report cannot be tied to a collection without the end-to-end id",
            )
        status = _text(tx, "TxSts") or inherited
        if status is None:
            raise self.fail(
                f"no status for end-to-end id {e2e}",
                f"{xp}/TxSts",
                "expected TxSts (RJCT, ACCP...) or a PmtInfSts / GrpSts above it",
            )
        code, info = _reason(tx)
        ref = _find(tx, "OrgnlTxRef")
        amount, ccy = self.amount(ref, xp)
        return TransactionStatus(
            end_to_end_id=e2e,
            status=status.upper(),
            reason_code=code.upper(),
            reason_info=info,
            instruction_id=_text(tx, "OrgnlInstrId"),
            amount=amount,
            currency=ccy,
            collection_date=self.date(ref, xp),
            debtor_name=_text(ref, "Dbtr/Nm") or _text(ref, "Dbtr/Pty/Nm"),
            debtor_iban=_text(ref, "DbtrAcct/Id/IBAN"),
            mandate_id=_text(ref, "MndtRltdInf/MndtId"),
            payment_information_id=pmt_id,
            source=xp,
        )


_PARSER = etree.XMLParser(**SAFE_XML)


def read_status_report(source: str | Path | bytes, *, filename: str | None = None) -> StatusReport:
    """Read a pain.002 payment status report (a path, or its bytes with ``filename``).

    Raises:
        MalformedStatementError: not XML, not a pain.002, or a transaction status that cannot
            be read (the message names the file and the XPath).
    """
    if isinstance(source, bytes):
        data, file = source, filename or "<bytes>"
    else:
        file = filename or str(source)
        try:
            data = Path(source).read_bytes()
        except OSError as exc:
            raise MalformedStatementError(
                f"cannot read: {exc.strerror}", file=file, hint="check the path"
            ) from None
    reader = _Reader(file)
    try:
        root = etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise reader.fail(f"not well-formed XML: {exc.msg}", f"line {exc.lineno}", "") from None
    rpt = _find(root, "CstmrPmtStsRpt")
    if _local(root.tag) != "Document" or rpt is None:
        raise reader.fail(
            "not a pain.002 payment status report",
            f"/{_local(root.tag)}",
            "expected Document/CstmrPmtStsRpt",
        )
    ns = root.tag[1:].split("}", 1)[0] if root.tag.startswith("{") else ""
    version = ns.rsplit(":", 1)[-1] if "pain.002" in ns else "pain.002"
    msg_id = _text(rpt, "GrpHdr/MsgId")
    if msg_id is None:
        raise reader.fail("no message id", "/Document/CstmrPmtStsRpt/GrpHdr/MsgId", "")
    group_status = _text(rpt, "OrgnlGrpInfAndSts/GrpSts")
    txs: list[TransactionStatus] = []
    base = "/Document/CstmrPmtStsRpt/OrgnlPmtInfAndSts"
    for i, pmt in enumerate(_kids(rpt, "OrgnlPmtInfAndSts"), 1):
        inherited = _text(pmt, "PmtInfSts") or group_status
        pmt_id = _text(pmt, "OrgnlPmtInfId")
        for j, tx in enumerate(_kids(pmt, "TxInfAndSts"), 1):
            txs.append(reader.transaction(tx, inherited, pmt_id, f"{base}[{i}]/TxInfAndSts[{j}]"))
    return StatusReport(
        message_id=msg_id,
        created=_text(rpt, "GrpHdr/CreDtTm"),
        original_message_id=_text(rpt, "OrgnlGrpInfAndSts/OrgnlMsgId"),
        group_status=group_status,
        version=version,
        file=file,
        transactions=tuple(txs),
    )
