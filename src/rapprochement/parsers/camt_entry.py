"""One CAMT ``Ntry`` element → one :class:`~rapprochement.model.Entry` with its transactions.

Paths are local names (ISO 20022 camt.052/053/054, versions .001.01 to .001.13); see
``docs/formats/camt.md`` for the table of what is read from where. Models are built with
``model_construct``: every value is converted to its final type here, so validation would only
cost time (the tests check that ``model_validate(model_dump())`` round-trips).
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from rapprochement.model import Entry, EntryStatus, SourceRef, Transaction
from rapprochement.parsers.camt_tree import Node, NodePaths, build_node
from rapprochement.parsers.camt_tx import charges, fx, transaction
from rapprochement.parsers.camt_values import (
    Constructor,
    Findings,
    excess_decimals,
    parse_date,
    parse_decimal,
    valid_currency,
)

if TYPE_CHECKING:
    import datetime as dt

    from lxml.etree import _Element

__all__ = ["EntryReader"]

_ENTRY = Constructor(Entry)
_TRANSACTION = Constructor(Transaction)
_SOURCE = Constructor(SourceRef)
_STATUS: dict[str, EntryStatus] = {"BOOK": "booked", "PDNG": "pending", "INFO": "info"}
_TRUE = frozenset({"true", "1"})


class EntryReader:
    """Reads the entries of one statement, recording problems as findings.

    Args:
        findings: the statement's finding collector.
        base: the statement's source reference (file, statement index, member).
        account_currency: the account currency, used only when an entry has no ``Ccy``
            (with a finding saying so).
    """

    __slots__ = ("_base", "_ccy", "_f", "_p")

    def __init__(self, findings: Findings, base: SourceRef, account_currency: str | None) -> None:
        self._p = NodePaths()
        self._f = findings
        self._base = base
        self._ccy = account_currency

    # -- values ------------------------------------------------------------------------------

    def _amount(self, el: Any, where: str) -> tuple[Decimal, str | None] | None:
        """Unsigned amount and currency of an ``Amt``-like element, None (with a finding)."""
        if el is None:
            return None
        if type(el) is dict:
            self._f.add("bad-amount", "error", f"{where} is not an amount element", where)
            return None
        amount = parse_decimal(el.text or "")
        if amount is None:
            self._f.add("bad-amount", "error", f"{where}: {el.text!r} is not an amount", where)
            return None
        return amount, el.get("Ccy")

    def _date(self, el: Node, path: str, where: str) -> dt.date | None:
        p = self._p
        text = p.first_text(el, path + "/Dt", path + "/DtTm")
        if text is None:
            return None
        d = parse_date(text)
        if d is None:
            self._f.add("bad-date", "warning", f"{where}/{path}: {text!r} is not a date", where)
        return d

    # -- the entry ---------------------------------------------------------------------------

    def read(self, ntry: _Element, xpath: str) -> Entry | None:
        """The entry of ``ntry`` (XPath ``xpath``), or None when it cannot be read honestly."""
        p, f = self._p, self._f
        el = build_node(ntry)
        got = self._amount(p.find(el, "Amt"), xpath + "/Amt")
        if got is None:
            f.add("entry-skipped", "error", f"{xpath} has no readable Amt; entry skipped", xpath)
            return None
        unsigned, ccy = got
        if not valid_currency(ccy):
            if self._ccy is None:
                f.add(
                    "missing-currency",
                    "error",
                    f"{xpath}/Amt has no valid Ccy ({ccy!r}) and the account has no currency;"
                    " entry skipped",
                    xpath,
                )
                return None
            f.add(
                "missing-currency",
                "warning",
                f"{xpath}/Amt has no valid Ccy ({ccy!r}); read in the account currency {self._ccy}",
                xpath,
            )
            ccy = self._ccy
        assert ccy is not None
        if excess_decimals(unsigned, ccy):
            f.add(
                "excess-decimals",
                "warning",
                f"{xpath}/Amt {unsigned} has more decimals than {ccy} allows; kept exactly",
                xpath,
            )
        ind = p.text(el, "CdtDbtInd")
        if ind not in ("CRDT", "DBIT"):
            f.add(
                "missing-indicator",
                "warning",
                f"{xpath}/CdtDbtInd is {ind!r}, not CRDT or DBIT; read as a credit",
                xpath,
            )
        debit = ind == "DBIT"
        amount = -unsigned if debit and unsigned else unsigned
        status = self._status(el, xpath)
        details = [tx for nd in p.findall(el, "NtryDtls") for tx in p.findall(nd, "TxDtls")]
        batch_count = self._batch_count(el)
        reversal = (p.text(el, "RvslInd") or "").lower() in _TRUE
        if details:
            txs = self._details(details, amount, ccy, debit, reversal, xpath)
        else:
            txs = (self._from_entry(el, amount, ccy),)
        if batch_count is not None and details and batch_count != len(details):
            f.add(
                "batch-count-mismatch",
                "info",
                f"{xpath}: Btch/NbOfTxs says {batch_count} payments, {len(details)} TxDtls given",
                xpath,
            )
        source = _SOURCE(
            file=self._base.file,
            statement_index=self._base.statement_index,
            line=line if isinstance(line := ntry.sourceline, int) else None,
            xpath=xpath,
            member=self._base.member,
        )
        return _ENTRY(
            amount=amount,
            currency=ccy,
            booking_date=self._date(el, "BookgDt", xpath),
            value_date=self._date(el, "ValDt", xpath),
            status=status,
            reversal=reversal,
            bank_transaction_code=self._bank_code(el),
            bank_reference=p.text(el, "AcctSvcrRef"),
            customer_reference=p.text(el, "NtryRef"),
            additional_info=p.text(el, "AddtlNtryInf"),
            is_batch=batch_count is not None or len(details) > 1,
            batch_count=batch_count,
            transactions=txs,
            source=source,
            fingerprint="",
        )

    def _status(self, el: Node, xpath: str) -> EntryStatus:
        code = self._p.first_text(el, "Sts/Cd", "Sts/Prtry", "Sts")
        status = _STATUS.get(code or "")
        if status is None:
            self._f.add(
                "unknown-status",
                "warning",
                f"{xpath}/Sts is {code!r}, not BOOK, PDNG or INFO; read as booked",
                xpath,
            )
            return "booked"
        return status

    def _bank_code(self, el: Node) -> str | None:
        p = self._p
        code = p.find(el, "BkTxCd")
        if type(code) is not dict:
            return None
        domain = p.text(code, "Domn/Cd")
        if domain is not None:
            family = p.text(code, "Domn/Fmly/Cd")
            sub = p.text(code, "Domn/Fmly/SubFmlyCd")
            return "/".join(x for x in (domain, family, sub) if x)
        return p.text(code, "Prtry/Cd")

    def _batch_count(self, el: Node) -> int | None:
        p = self._p
        texts = [
            p.text(nd, "Btch/NbOfTxs")
            for nd in p.findall(el, "NtryDtls")
            if type(nd) is dict and "Btch" in nd
        ]
        counts = [t for t in texts if t is not None]
        if not counts or not all(t.isdigit() for t in counts):
            return None
        return sum(int(t) for t in counts)

    # -- transactions ------------------------------------------------------------------------

    def _from_entry(self, el: Node, amount: Decimal, ccy: str) -> Transaction:
        instructed, instructed_ccy, rate = fx(el)
        return _TRANSACTION(
            amount=amount,
            currency=ccy,
            charges=charges(el),
            instructed_amount=instructed,
            instructed_currency=instructed_ccy,
            exchange_rate=rate,
            extra={},
        )

    def _details(
        self,
        details: list[Node],
        amount: Decimal,
        ccy: str,
        debit: bool,
        reversal: bool,
        xpath: str,
    ) -> tuple[Transaction, ...]:
        p, f = self._p, self._f
        amounts: list[tuple[Decimal, str] | None] = []
        for i, tx in enumerate(details, 1):
            where = f"{xpath}/NtryDtls/TxDtls[{i}]"
            node = p.find(tx, "Amt")
            if node is None:
                node = p.find(tx, "AmtDtls/TxAmt/Amt")
            got = self._amount(node, where)
            if got is None:
                amounts.append(None)
                continue
            unsigned, dccy = got
            ind = p.text(tx, "CdtDbtInd")
            neg = debit if ind is None else ind == "DBIT"
            amounts.append((-unsigned if neg and unsigned else unsigned, dccy or ccy))
        missing = [i for i, a in enumerate(amounts) if a is None]
        known = [a for a in amounts if a is not None]
        if len(details) == 1 and missing:
            amounts = [(amount, ccy)]
        elif missing:
            rest = amount - sum((a for a, c in known if c == ccy), Decimal(0))
            for i in missing:
                amounts[i] = (rest, ccy) if len(missing) == 1 else (amount, ccy)
            f.add(
                "detail-amount-missing",
                "warning",
                f"{xpath}: {len(missing)} of {len(details)} TxDtls have no amount; "
                + (
                    "the missing one is the entry amount minus the others"
                    if len(missing) == 1
                    else "each carries the entry amount, marked extra['amount_from']='entry'"
                ),
                xpath,
            )
        elif len(details) > 1 and all(c == ccy for _, c in known):
            total = sum((a for a, _ in known), Decimal(0))
            if total != amount:
                f.add(
                    "batch-sum-mismatch",
                    "warning",
                    f"{xpath}: the {len(details)} TxDtls sum to {total}, the entry is {amount}",
                    xpath,
                )
        out = []
        for i, (tx, got) in enumerate(zip(details, amounts, strict=True)):
            assert got is not None
            ind = p.text(tx, "CdtDbtInd")
            credit = (ind != "DBIT") if ind in ("CRDT", "DBIT") else not debit
            # A reversal is booked opposite to the original payment, whose parties it keeps.
            t = transaction(tx, got[0], got[1], payer_is_counterparty=credit != reversal)
            if i in missing and len(details) > 1:
                t.extra["amount_from"] = "remainder" if len(missing) == 1 else "entry"
            out.append(t)
        return tuple(out)
