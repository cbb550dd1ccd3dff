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
from rapprochement.parsers.camt.tree import (
    Node,
    build_node,
    leaf_text,
    node_get,
    node_text,
    text1,
)
from rapprochement.parsers.camt.tx import NO_FX as _NO_FX
from rapprochement.parsers.camt.tx import charges, fx, transaction
from rapprochement.parsers.camt.values import (
    Constructor,
    Findings,
    decimals_allowed,
    decimals_in,
    excess_decimals,
    parse_count,
    parse_date,
    parse_decimal,
    valid_currency,
)

if TYPE_CHECKING:
    import datetime as dt

    from lxml.etree import _Element

__all__ = ["EntryReader", "amount_of"]

_ENTRY = Constructor(Entry)
_TRANSACTION = Constructor(Transaction)
_SOURCE = Constructor(SourceRef)
_STATUS: dict[str, EntryStatus] = {"BOOK": "booked", "PDNG": "pending", "INFO": "info"}
_TRUE = frozenset({"true", "1"})


def amount_of(el: Any) -> tuple[Decimal, str | None] | None:
    """Unsigned amount and ``Ccy`` of an ``Amt``-like leaf, None when absent or unreadable."""
    if el is None or type(el) is dict:
        return None
    amount = parse_decimal(el.text or "")
    if amount is None:
        return None
    return amount, el.get("Ccy")


class EntryReader:
    """Reads the entries of one statement, recording problems as findings.

    Args:
        findings: the statement's finding collector.
        base: the statement's source reference (file, statement index, member).
        account_currency: the account currency, used only when an entry has no ``Ccy``
            (with a finding saying so).
    """

    __slots__ = ("_base", "_ccy", "_f", "_file", "_index", "_member")

    def __init__(self, findings: Findings, base: SourceRef, account_currency: str | None) -> None:
        self._f = findings
        self._base = base
        self._file = base.file
        self._index = base.statement_index
        self._member = base.member
        self._ccy = account_currency

    # -- values ------------------------------------------------------------------------------

    def _bad_amount(self, el: Any, where: str) -> None:
        """The finding for an ``Amt``-like element that :func:`amount_of` could not read."""
        if type(el) is dict:
            self._f.add("bad-amount", "error", f"{where} is not an amount element", where)
        else:
            self._f.add("bad-amount", "error", f"{where}: {el.text!r} is not an amount", where)

    def _date(self, el: Node, name: str, where: str) -> dt.date | None:
        """The date of ``name/Dt`` (else ``name/DtTm``), None (with a finding when invalid)."""
        bucket = el.get(name)
        if bucket is None or type(node := bucket[0]) is not dict:
            return None
        text = text1(node, "Dt") or text1(node, "DtTm")
        if text is None:
            return None
        d = parse_date(text)
        if d is None:
            self._f.add("bad-date", "warning", f"{where}/{name}: {text!r} is not a date", where)
        return d

    # -- the entry ---------------------------------------------------------------------------

    def read(self, ntry: _Element, xpath: str) -> Entry | None:
        """The entry of ``ntry`` (XPath ``xpath``), or None when it cannot be read honestly."""
        f = self._f
        el = build_node(ntry)
        bucket = el.get("Amt")
        got = amount_of(amt := None if bucket is None else bucket[0])
        if got is None:
            if amt is not None:
                self._bad_amount(amt, xpath + "/Amt")
            f.add("entry-skipped", "error", f"{xpath} has no readable Amt; entry skipped", xpath)
            return None
        unsigned, ccy = got
        if not valid_currency(ccy):
            code = "missing-currency" if ccy is None else "bad-currency"
            what = "no Ccy" if ccy is None else f"Ccy {ccy!r}, not an ISO 4217 currency code,"
            if self._ccy is None:
                f.add(
                    code,
                    "error",
                    f"{xpath}/Amt has {what} and the account has no currency; entry skipped",
                    xpath,
                )
                return None
            f.add(
                code,
                "warning",
                f"{xpath}/Amt has {what}; read in the account currency {self._ccy}",
                xpath,
            )
            ccy = self._ccy
        assert ccy is not None
        assert amt is not None
        # Exact pre-check: a decimal read from text has as many decimals as written.
        if decimals_in(amt.text) > decimals_allowed(ccy) and excess_decimals(unsigned, ccy):
            f.add(
                "excess-decimals",
                "warning",
                f"{xpath}/Amt {unsigned} has more decimals than {ccy} allows; kept exactly",
                xpath,
            )
        ind = text1(el, "CdtDbtInd")
        if ind != "CRDT" and ind != "DBIT":
            f.add(
                "missing-indicator",
                "warning",
                f"{xpath}/CdtDbtInd is {ind!r}, not CRDT or DBIT; read as a credit",
                xpath,
            )
        debit = ind == "DBIT"
        amount = -unsigned if debit and unsigned else unsigned
        status = self._status(el, xpath)
        details: list[Node] = []
        counts: list[str | None] = []
        for nd in el.get("NtryDtls", ()):
            if type(nd) is dict:
                for tx in nd.get("TxDtls", ()):
                    details.append(tx if type(tx) is dict else {})  # a leaf: no detail read
                if "Btch" in nd:
                    counts.append(node_text(nd, "Btch/NbOfTxs"))
        batch_count = _batch_count(counts) if counts else None
        reversal = (text1(el, "RvslInd") or "").lower() in _TRUE
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
        line = ntry.sourceline
        source = _SOURCE.full(
            {
                "file": self._file,
                "statement_index": self._index,
                "line": line if isinstance(line, int) else None,
                "xpath": xpath,
                "member": self._member,
            }
        )
        # Every field, in declaration order (see Constructor.full).
        return _ENTRY.full(
            {
                "amount": amount,
                "currency": ccy,
                "booking_date": self._date(el, "BookgDt", xpath),
                "value_date": self._date(el, "ValDt", xpath),
                "status": status,
                "reversal": reversal,
                "bank_transaction_code": _bank_code(el),
                "bank_reference": text1(el, "AcctSvcrRef"),
                "customer_reference": text1(el, "NtryRef"),
                "additional_info": text1(el, "AddtlNtryInf"),
                "is_batch": batch_count is not None or len(details) > 1,
                "batch_count": batch_count,
                "transactions": txs,
                "source": source,
                "fingerprint": "",
                "charges": charges(el) if "Chrgs" in el else None,
            }
        )

    def _status(self, el: Node, xpath: str) -> EntryStatus:
        bucket = el.get("Sts")
        code = None
        if bucket is not None:
            sts = bucket[0]
            # New style: Sts/Cd or Sts/Prtry; old style: the code as text.
            code = text1(sts, "Cd") or text1(sts, "Prtry") if type(sts) is dict else leaf_text(sts)
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

    # -- transactions ------------------------------------------------------------------------

    def _detail_ccy(self, code: str | None, ccy: str, where: str) -> str:
        """A detail's ``Ccy``, else (absent, or not ISO 4217, with a finding) the entry's."""
        if code is None or code == ccy:
            return ccy
        if valid_currency(code):
            return code
        self._f.add(
            "bad-currency",
            "warning",
            f"{where}/Amt has no valid Ccy ({code!r}); read in the entry currency {ccy}",
            where,
        )
        return ccy

    def _from_entry(self, el: Node, amount: Decimal, ccy: str) -> Transaction:
        instructed, instructed_ccy, rate = fx(el) if "AmtDtls" in el else _NO_FX
        return _TRANSACTION(
            amount=amount,
            currency=ccy,
            charges=charges(el) if "Chrgs" in el else None,
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
        if len(details) == 1:  # the common case, without the batch bookkeeping below
            tx = details[0]
            bucket = tx.get("Amt")
            node = bucket[0] if bucket is not None else node_get(tx, "AmtDtls/TxAmt/Amt")
            ind = text1(tx, "CdtDbtInd")
            got = amount_of(node)
            dccy: str | None
            if got is None:  # the entry's amount, as for a batch with one detail missing
                if node is not None:
                    self._bad_amount(node, f"{xpath}/NtryDtls/TxDtls[1]")
                value, dccy = amount, ccy
            else:
                unsigned, dccy = (
                    got[0],
                    self._detail_ccy(got[1], ccy, f"{xpath}/NtryDtls/TxDtls[1]"),
                )
                neg = debit if ind is None else ind == "DBIT"
                value = -unsigned if neg and unsigned else unsigned
            credit = (ind != "DBIT") if ind == "CRDT" or ind == "DBIT" else not debit
            return (transaction(tx, value, dccy, payer_is_counterparty=credit != reversal),)
        f = self._f
        amounts: list[tuple[Decimal, str] | None] = []
        indicators: list[str | None] = []
        for i, tx in enumerate(details, 1):
            bucket = tx.get("Amt")
            node = bucket[0] if bucket is not None else node_get(tx, "AmtDtls/TxAmt/Amt")
            ind = text1(tx, "CdtDbtInd")
            indicators.append(ind)
            got = amount_of(node)
            if got is None:
                if node is not None:
                    self._bad_amount(node, f"{xpath}/NtryDtls/TxDtls[{i}]")
                amounts.append(None)
                continue
            unsigned, dccy = got[0], self._detail_ccy(got[1], ccy, f"{xpath}/NtryDtls/TxDtls[{i}]")
            neg = debit if ind is None else ind == "DBIT"
            amounts.append((-unsigned if neg and unsigned else unsigned, dccy))
        missing = [i for i, a in enumerate(amounts) if a is None]
        if missing:
            known = [a for a in amounts if a is not None]
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
        elif len(details) > 1 and all(c == ccy for _, c in amounts):  # type: ignore[misc]
            total = sum((a for a, _ in amounts), Decimal(0))  # type: ignore[misc]
            if total != amount:
                f.add(
                    "batch-sum-mismatch",
                    "warning",
                    f"{xpath}: the {len(details)} TxDtls sum to {total}, the entry is {amount}",
                    xpath,
                )
        out = []
        for i, (tx, got, ind) in enumerate(zip(details, amounts, indicators, strict=True)):
            assert got is not None
            credit = (ind != "DBIT") if ind == "CRDT" or ind == "DBIT" else not debit
            # A reversal is booked opposite to the original payment, whose parties it keeps.
            t = transaction(tx, got[0], got[1], payer_is_counterparty=credit != reversal)
            if i in missing:
                t.extra["amount_from"] = "remainder" if len(missing) == 1 else "entry"
            out.append(t)
        return tuple(out)


def _batch_count(texts: list[str | None]) -> int | None:
    """The sum of the ``Btch/NbOfTxs`` given, None when none is or one is not a number."""
    counts = [parse_count(t) for t in texts if t is not None]
    if not counts or None in counts:
        return None
    return sum(c for c in counts if c is not None)


def _bank_code(el: Node) -> str | None:
    """``Domn/Cd/Fmly/Cd/SubFmlyCd`` joined by ``/``, else the proprietary code."""
    bucket = el.get("BkTxCd")
    if bucket is None or type(code := bucket[0]) is not dict:
        return None
    domain = node_text(code, "Domn/Cd")
    if domain is not None:
        family = node_text(code, "Domn/Fmly/Cd")
        sub = node_text(code, "Domn/Fmly/SubFmlyCd")
        return "/".join(x for x in (domain, family, sub) if x)
    return node_text(code, "Prtry/Cd")
