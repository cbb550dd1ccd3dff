"""Write a generated book's transactions as real bank files: CAMT.053.001.08, MT940, CFONB 120.

One statement per calendar month, balances consistent (each opening = the previous closing,
closing = opening + credits − debits), one entry per transaction, written in the frame's order.

How ids map back after parsing: each entry carries the dataset ``transaction_id`` as the bank's
reference (CAMT ``Ntry/AcctSvcrRef``; MT940 ``:61:`` bank reference after ``//``; CFONB the ``04``
reference, positions 105-120), and entries are
written in frame order, so ``transactions_frame(read_statement(path))`` has the same rows in the
same order. :func:`restore_ids` puts the dataset ids back (by position, checked against the amount
of every row) so the truth applies to the parsed frame unchanged.

What MT940 cannot carry: the payer name is cut at 54 characters (``?32`` + ``?33``, 27 each) and
the structured reference travels in the ``SVWZ+`` remittance text, as German banks do. What
CFONB 120 cannot carry: names and the end-to-end id are cut at 70 and 35 characters, and the
text is written in Latin-1 (what French banks send), so characters outside it become ``?``.
The files are streamed: memory does not grow with the number of transactions.
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from xml.sax.saxutils import escape

import pandas as pd

__all__ = [
    "ACCOUNT_BIC",
    "ACCOUNT_IBAN",
    "restore_ids",
    "write_camt053",
    "write_cfonb120",
    "write_mt940",
]

#: The seller's own account the statements are about (a valid French IBAN).
ACCOUNT_IBAN = "FR7630004000031234567890143"
ACCOUNT_BIC = "BNPAFRPPXXX"
_NS = "urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"


def _months(tx: pd.DataFrame) -> Iterator[tuple[int, pd.DataFrame]]:
    dates = pd.to_datetime(tx["booking_date"])
    keys = (dates.dt.year * 100 + dates.dt.month).to_numpy()
    starts = [0, *[i for i in range(1, len(keys)) if keys[i] != keys[i - 1]], len(keys)]
    for n, (a, b) in enumerate(itertools.pairwise(starts)):
        if b > a:
            yield n + 1, tx.iloc[a:b]


@dataclass(frozen=True)
class _Month:
    """One monthly statement: its number, rows, first and last booking dates, and balances
    (each opening the previous closing, closing = opening + credits − debits)."""

    n: int
    rows: pd.DataFrame
    first: dt.date
    last: dt.date
    opening: Decimal
    closing: Decimal

    def records(self) -> Any:
        return self.rows.itertuples(index=False)


def _statements(tx: pd.DataFrame, opening: Decimal) -> Iterator[_Month]:
    balance = opening
    for n, month in _months(tx):
        closing = balance + sum(month["amount"], Decimal(0))
        first, last = month["booking_date"].iloc[0], month["booking_date"].iloc[-1]
        yield _Month(n, month, first, last, balance, closing)
        balance = closing


def _x(value: Any) -> str:
    return escape(str(value), {'"': "&quot;"})


def _present(value: Any) -> bool:
    return isinstance(value, str) and value != ""


def _bal(code: str, amount: Decimal, day: dt.date) -> str:
    ind = "CRDT" if amount >= 0 else "DBIT"
    return (
        f"<Bal><Tp><CdOrPrtry><Cd>{code}</Cd></CdOrPrtry></Tp>"
        f'<Amt Ccy="EUR">{abs(amount):.2f}</Amt><CdtDbtInd>{ind}</CdtDbtInd>'
        f"<Dt><Dt>{day.isoformat()}</Dt></Dt></Bal>\n"
    )


def _camt_entry(r: Any) -> str:
    amount: Decimal = r.amount
    credit = amount >= 0
    ind = "CRDT" if credit else "DBIT"
    party, acct = ("Dbtr", "DbtrAcct") if credit else ("Cdtr", "CdtrAcct")
    fam = ("RCDT", "ESCT") if credit else ("ICDT", "ESCT")
    refs = f"<Refs><AcctSvcrRef>{_x(r.transaction_id)}</AcctSvcrRef>"
    if _present(r.end_to_end_id):
        refs += f"<EndToEndId>{_x(r.end_to_end_id)}</EndToEndId>"
    refs += "</Refs>"
    parties = ""
    if _present(r.counterparty_name) or _present(r.counterparty_iban):
        parties = "<RltdPties>"
        if _present(r.counterparty_name):
            parties += f"<{party}><Pty><Nm>{_x(r.counterparty_name[:140])}</Nm></Pty></{party}>"
        if _present(r.counterparty_iban):
            parties += f"<{acct}><Id><IBAN>{_x(r.counterparty_iban)}</IBAN></Id></{acct}>"
        parties += "</RltdPties>"
    rmt = ""
    if _present(r.remittance_info) or _present(r.structured_reference):
        rmt = "<RmtInf>"
        if _present(r.remittance_info):
            rmt += f"<Ustrd>{_x(r.remittance_info[:140])}</Ustrd>"
        if _present(r.structured_reference):
            rmt += (
                "<Strd><CdtrRefInf><Tp><CdOrPrtry><Cd>SCOR</Cd></CdOrPrtry></Tp>"
                f"<Ref>{_x(r.structured_reference)}</Ref></CdtrRefInf></Strd>"
            )
        rmt += "</RmtInf>"
    amt = f'<Amt Ccy="{_x(r.currency)}">{abs(amount):.2f}</Amt><CdtDbtInd>{ind}</CdtDbtInd>'
    return (
        f"<Ntry><NtryRef>{_x(r.transaction_id)}</NtryRef>{amt}<Sts><Cd>BOOK</Cd></Sts>"
        f"<BookgDt><Dt>{r.booking_date.isoformat()}</Dt></BookgDt>"
        f"<ValDt><Dt>{r.value_date.isoformat()}</Dt></ValDt>"
        f"<AcctSvcrRef>{_x(r.transaction_id)}</AcctSvcrRef>"
        f"<BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>{fam[0]}</Cd><SubFmlyCd>{fam[1]}</SubFmlyCd>"
        f"</Fmly></Domn></BkTxCd>"
        f"<NtryDtls><TxDtls>{refs}{amt}{parties}{rmt}</TxDtls></NtryDtls></Ntry>\n"
    )


def write_camt053(
    transactions: pd.DataFrame,
    path: str | os.PathLike[str],
    *,
    opening: Decimal = Decimal("25000.00"),
    account_iban: str = ACCOUNT_IBAN,
) -> int:
    """Write ``transactions`` (a generator frame) as a CAMT.053.001.08 file; returns its size.

    One ``Stmt`` per month, ``OPBD``/``CLBD`` balances chained, one ``Ntry`` per transaction with
    one ``TxDtls`` (parties, ``EndToEndId``, ``Ustrd`` and ``Strd/CdtrRefInf``).
    """
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write('<?xml version="1.0" encoding="UTF-8"?>\n')
        f.write(f'<Document xmlns="{_NS}"><BkToCstmrStmt>\n')
        f.write("<GrpHdr><MsgId>BENCH-CAMT053</MsgId><CreDtTm>2027-01-01T06:00:00</CreDtTm>")
        f.write("</GrpHdr>\n")
        for m in _statements(transactions, opening):
            n, first, last = m.n, m.first, m.last
            f.write(
                f"<Stmt><Id>BENCH-{n:03d}</Id><ElctrncSeqNb>{n}</ElctrncSeqNb>"
                f"<CreDtTm>{last.isoformat()}T20:00:00</CreDtTm>"
                f"<FrToDt><FrDtTm>{first.isoformat()}T00:00:00</FrDtTm>"
                f"<ToDtTm>{last.isoformat()}T23:59:59</ToDtTm></FrToDt>"
                f"<Acct><Id><IBAN>{account_iban}</IBAN></Id><Ccy>EUR</Ccy>"
                f"<Svcr><FinInstnId><BICFI>{ACCOUNT_BIC}</BICFI></FinInstnId></Svcr></Acct>\n"
            )
            f.write(_bal("OPBD", m.opening, first - dt.timedelta(days=1)))
            f.write(_bal("CLBD", m.closing, last))
            for r in m.records():
                f.write(_camt_entry(r))
            f.write("</Stmt>\n")
        f.write("</BkToCstmrStmt></Document>\n")
        return f.tell()


def _mt_amount(amount: Decimal) -> str:
    return f"{abs(amount):.2f}".replace(".", ",")


def _mt_bal(tag: str, amount: Decimal, day: dt.date) -> str:
    mark = "C" if amount >= 0 else "D"
    return f":{tag}:{mark}{day:%y%m%d}EUR{_mt_amount(amount)}\n"


def _chunks(text: str, size: int) -> list[str]:
    return [text[i : i + size] for i in range(0, len(text), size)] or [""]


def _mt_86(r: Any) -> str:
    credit = r.amount >= 0
    gvc, label = ("166", "GUTSCHRIFT") if credit else ("805", "UEBERWEISUNG")
    body = ""
    if _present(r.end_to_end_id):
        body += f"EREF+{r.end_to_end_id}"
    purpose = " ".join(p for p in (r.structured_reference, r.remittance_info) if _present(p))
    if purpose:
        body += f"SVWZ+{purpose}"
    subs = _chunks(body, 27)[:14] if body else []
    codes = [*(f"?{20 + i}" for i in range(10)), "?60", "?61", "?62", "?63"]
    out = f"{gvc}?00{label}?100000" + "".join(c + s for c, s in zip(codes, subs, strict=False))
    if _present(r.counterparty_iban):
        out += f"?31{r.counterparty_iban}"
    if _present(r.counterparty_name):
        name = r.counterparty_name[:54].rstrip()
        out += f"?32{name[:27]}" + (f"?33{name[27:]}" if len(name) > 27 else "")
    lines = _chunks(out, 65)
    return ":86:" + "\n".join(lines) + "\n"


def write_mt940(
    transactions: pd.DataFrame,
    path: str | os.PathLike[str],
    *,
    opening: Decimal = Decimal("25000.00"),
    account_iban: str = ACCOUNT_IBAN,
) -> int:
    """Write ``transactions`` as an MT940 file (German ``?nn`` :86: with SEPA keywords, lines of
    65 characters); returns its size. One statement (``:20:`` … ``:62F:``) per month.
    """
    with open(path, "w", encoding="utf-8", newline="\r\n") as f:
        for m in _statements(transactions, opening):
            f.write(f":20:BENCH{m.n:05d}\n:25:{account_iban}\n:28C:{m.n:05d}/1\n")
            f.write(_mt_bal("60F", m.opening, m.first - dt.timedelta(days=1)))
            for r in m.records():
                mark = "C" if r.amount >= 0 else "D"
                typ = "NTRF" if r.amount >= 0 else "NMSC"
                f.write(
                    f":61:{r.value_date:%y%m%d}{r.booking_date:%m%d}{mark}{_mt_amount(r.amount)}"
                    f"{typ}NONREF//{r.transaction_id}\n"
                )
                f.write(_mt_86(r))
            f.write(_mt_bal("62F", m.closing, m.last))
            f.write("-\n")
        return f.tell()


_SIGNED = ("{ABCDEFGHI", "}JKLMNOPQR")


def _cf_amount(amount: Decimal) -> str:
    digits = f"{abs(int(amount.scaleb(2))):014d}"
    return digits[:-1] + _SIGNED[amount < 0][int(digits[-1])]


def _cf_head(code: str, rib: tuple[str, str, str], op: str, day: dt.date) -> str:
    bank, desk, account = rib
    return f"{code}{bank}    {desk}EUR2 {account}{op}{day:%d%m%y}"


def _cf_record(code: str, rib: tuple[str, str, str], day: dt.date, amount: Decimal) -> str:
    return f"{_cf_head(code, rib, '  ', day)}{' ' * 50}{_cf_amount(amount)}{' ' * 16}\n"


def _cf_05(rib: tuple[str, str, str], op: str, day: dt.date, qualifier: str, data: str) -> str:
    return f"{_cf_head('05', rib, op, day)}     {qualifier}{data[:70]:<70}  \n"


def _cf_movement(rib: tuple[str, str, str], r: Any) -> str:
    credit = r.amount >= 0
    op = "05" if credit else "06"
    label = ("VIR SEPA RECU" if credit else "VIR SEPA EMIS")[:31]
    out = (
        f"{_cf_head('04', rib, op, r.booking_date)}  {r.value_date:%d%m%y}{label:<31}"
        f"{' ' * 11}{_cf_amount(r.amount)}{str(r.transaction_id)[:16]:<16}\n"
    )
    if _present(r.counterparty_name):
        out += _cf_05(rib, op, r.booking_date, "NPY" if credit else "NBE", r.counterparty_name)
    if _present(r.counterparty_iban):
        out += _cf_05(rib, op, r.booking_date, "CPY" if credit else "CBE", r.counterparty_iban)
    if _present(r.remittance_info):
        parts = _chunks(r.remittance_info, 70)
        for k, part in enumerate(parts):
            out += _cf_05(rib, op, r.booking_date, "LCC" if k == 0 else "LC2", part)
    if _present(r.structured_reference):
        out += _cf_05(rib, op, r.booking_date, "LCS", r.structured_reference)
    if _present(r.end_to_end_id):
        out += _cf_05(rib, op, r.booking_date, "RCN", r.end_to_end_id[:35])
    return out


def write_cfonb120(
    transactions: pd.DataFrame,
    path: str | os.PathLike[str],
    *,
    opening: Decimal = Decimal("25000.00"),
    account_iban: str = ACCOUNT_IBAN,
) -> int:
    """Write ``transactions`` as a CFONB 120 file (Latin-1, CRLF): per month a ``01`` old balance,
    a ``04`` movement and its ``05`` complements (``NPY``/``NBE`` name, ``CPY``/``CBE`` IBAN,
    ``LCC``/``LC2`` remittance, ``LCS`` reference, ``RCN`` end-to-end id) per transaction, and a
    ``07`` new balance; returns its size. ``account_iban`` must be French (its RIB is written).
    """
    rib = (account_iban[4:9], account_iban[9:14], account_iban[14:25])
    with open(path, "w", encoding="latin-1", errors="replace", newline="\r\n") as f:
        for m in _statements(transactions, opening):
            f.write(_cf_record("01", rib, m.first - dt.timedelta(days=1), m.opening))
            for r in m.records():
                f.write(_cf_movement(rib, r))
            f.write(_cf_record("07", rib, m.last, m.closing))
        return f.tell()


def restore_ids(parsed: pd.DataFrame, original: pd.DataFrame) -> pd.DataFrame:
    """``parsed`` (from ``transactions_frame``) with the dataset ``transaction_id`` put back.

    Rows are matched by position (the writers keep the order); every amount is checked.

    Raises:
        ValueError: the row counts or any amount differ (the file did not round-trip).
    """
    if len(parsed) != len(original):
        raise ValueError(f"parsed {len(parsed)} transactions, wrote {len(original)}")
    a = [Decimal(str(v)) for v in parsed["amount"]]
    bad = [i for i, (x, y) in enumerate(zip(a, original["amount"], strict=True)) if x != y]
    if bad:
        raise ValueError(f"{len(bad)} amounts differ after parsing, first at row {bad[0]}")
    out = parsed.copy()
    out["transaction_id"] = original["transaction_id"].to_numpy()
    return out
