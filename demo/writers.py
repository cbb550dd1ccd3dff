"""Small writers of bank statement files (CAMT.053, MT940, OFX) for the demo and benchmarks.

They write what a bank would send for a list of :class:`Line` (one payment per entry), with
correct opening and closing balances, so the files round-trip through
:func:`rapprochement.read_statement` without findings.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from xml.sax.saxutils import escape

__all__ = ["Line", "camt053", "mt940", "ofx"]


@dataclass(frozen=True)
class Line:
    """One bank line: signed amount (credit > 0), payer, remittance; optionally a bank
    transaction code (CAMT ``Domain/Family/SubFamily``, MT940 type such as ``NRTI``), a return
    reason code, the reversal mark, and an end-to-end id other than ``ref``."""

    date: dt.date
    amount: Decimal
    name: str
    iban: str
    remittance: str
    ref: str
    code: str | None = None
    reason: str | None = None
    reversal: bool = False
    e2e: str | None = None


def _bk_tx_cd(code: str | None) -> str:
    if not code or code.count("/") != 2:
        return ""
    d, f, sub = code.split("/")
    return (
        f"<BkTxCd><Domn><Cd>{d}</Cd><Fmly><Cd>{f}</Cd><SubFmlyCd>{sub}</SubFmlyCd></Fmly>"
        "</Domn></BkTxCd>"
    )


def _closing(opening: Decimal, lines: list[Line]) -> Decimal:
    return opening + sum((x.amount for x in lines), Decimal(0))


def mt940(account: str, stmt_id: str, opening: Decimal, lines: list[Line]) -> str:
    """An MT940 statement with SEPA ``:86:`` keywords (EREF, SVWZ) and a Dutch-style name."""
    first = lines[0].date if lines else dt.date(2026, 1, 1)
    last = lines[-1].date if lines else first

    def bal(tag: str, d: dt.date, v: Decimal) -> str:
        mark = "C" if v >= 0 else "D"
        return f":{tag}:{mark}{d:%y%m%d}EUR{abs(v):.2f}".replace(".", ",")

    out = [f":20:{stmt_id}", f":25:{account}", ":28C:1/1", bal("60F", first, opening)]
    for x in lines:
        mark = ("R" if x.reversal else "") + ("C" if x.amount >= 0 else "D")
        if x.reversal:  # RC: reversal of a credit (a debit), RD: of a debit (a credit)
            mark = "RC" if x.amount < 0 else "RD"
        amt = f"{abs(x.amount):.2f}".replace(".", ",")
        kind = x.code if x.code and "/" not in x.code else "NTRF"
        out.append(f":61:{x.date:%y%m%d}{x.date:%m%d}{mark}{amt}{kind}NONREF//{x.ref}")
        rtrn = f"/RTRN/{x.reason}" if x.reason else ""
        info = f"/EREF/{x.e2e or x.ref}{rtrn}/NAME/{x.name}/IBAN/{x.iban}/REMI/{x.remittance}"
        out.append(":86:" + info[:65])
        rest = info[65:]
        while rest:
            out.append(rest[:65])
            rest = rest[65:]
    out.append(bal("62F", last, _closing(opening, lines)))
    return "\r\n".join(out) + "\r\n-\r\n"


def camt053(account: str, stmt_id: str, opening: Decimal, lines: list[Line]) -> str:
    """A camt.053.001.08 statement, one ``Ntry`` with one ``TxDtls`` per line."""
    first = lines[0].date if lines else dt.date(2026, 1, 1)
    last = lines[-1].date if lines else first

    def bal(code: str, d: dt.date, v: Decimal) -> str:
        ind = "CRDT" if v >= 0 else "DBIT"
        return (
            f"<Bal><Tp><CdOrPrtry><Cd>{code}</Cd></CdOrPrtry></Tp>"
            f'<Amt Ccy="EUR">{abs(v):.2f}</Amt><CdtDbtInd>{ind}</CdtDbtInd>'
            f"<Dt><Dt>{d.isoformat()}</Dt></Dt></Bal>"
        )

    ntry = []
    for x in lines:
        ind = "CRDT" if x.amount >= 0 else "DBIT"
        party = "Dbtr" if x.amount >= 0 else "Cdtr"
        ntry.append(
            f'<Ntry><Amt Ccy="EUR">{abs(x.amount):.2f}</Amt><CdtDbtInd>{ind}</CdtDbtInd>'
            + ("<RvslInd>true</RvslInd>" if x.reversal else "")
            + f"<Sts><Cd>BOOK</Cd></Sts><BookgDt><Dt>{x.date.isoformat()}</Dt></BookgDt>"
            f"<ValDt><Dt>{x.date.isoformat()}</Dt></ValDt><AcctSvcrRef>{x.ref}</AcctSvcrRef>"
            + _bk_tx_cd(x.code)
            + f"<NtryDtls><TxDtls><Refs><EndToEndId>{x.e2e or x.ref}</EndToEndId></Refs>"
            f'<Amt Ccy="EUR">{abs(x.amount):.2f}</Amt><CdtDbtInd>{ind}</CdtDbtInd>'
            f"<RltdPties><{party}><Nm>{escape(x.name)}</Nm></{party}>"
            f"<{party}Acct><Id><IBAN>{x.iban}</IBAN></Id></{party}Acct></RltdPties>"
            f"<RmtInf><Ustrd>{escape(x.remittance)}</Ustrd></RmtInf>"
            + (f"<RtrInf><Rsn><Cd>{x.reason}</Cd></Rsn></RtrInf>" if x.reason else "")
            + "</TxDtls></NtryDtls></Ntry>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"><BkToCstmrStmt>'
        f"<GrpHdr><MsgId>{stmt_id}</MsgId><CreDtTm>{last.isoformat()}T18:00:00</CreDtTm></GrpHdr>"
        f"<Stmt><Id>{stmt_id}</Id><CreDtTm>{last.isoformat()}T18:00:00</CreDtTm>"
        f"<FrToDt><FrDtTm>{first.isoformat()}T00:00:00</FrDtTm>"
        f"<ToDtTm>{last.isoformat()}T23:59:59</ToDtTm></FrToDt>"
        f"<Acct><Id><IBAN>{account}</IBAN></Id><Ccy>EUR</Ccy></Acct>"
        + bal("OPBD", first, opening)
        + bal("CLBD", last, _closing(opening, lines))
        + "".join(ntry)
        + "</Stmt></BkToCstmrStmt></Document>\n"
    )


def ofx(account: str, opening: Decimal, lines: list[Line]) -> str:
    """An OFX 1.02 (SGML) bank statement; OFX has no opening balance, only LEDGERBAL."""
    first = lines[0].date if lines else dt.date(2026, 1, 1)
    last = lines[-1].date if lines else first
    tx = []
    for x in lines:
        kind = "CREDIT" if x.amount >= 0 else "DEBIT"
        tx.append(
            f"<STMTTRN><TRNTYPE>{kind}<DTPOSTED>{x.date:%Y%m%d}<TRNAMT>{x.amount:.2f}"
            f"<FITID>{x.ref}<NAME>{escape(x.name[:32])}<MEMO>{escape(x.remittance)}</STMTTRN>"
        )
    return (
        "OFXHEADER:100\nDATA:OFXSGML\nVERSION:102\nSECURITY:NONE\nENCODING:USASCII\n"
        "CHARSET:1252\nCOMPRESSION:NONE\nOLDFILEUID:NONE\nNEWFILEUID:NONE\n\n"
        "<OFX><SIGNONMSGSRSV1><SONRS><STATUS><CODE>0<SEVERITY>INFO</STATUS>"
        f"<DTSERVER>{last:%Y%m%d}<LANGUAGE>FRA</SONRS></SIGNONMSGSRSV1>"
        "<BANKMSGSRSV1><STMTTRNRS><TRNUID>1<STATUS><CODE>0<SEVERITY>INFO</STATUS><STMTRS>"
        f"<CURDEF>EUR<BANKACCTFROM><BANKID>30004<ACCTID>{account}<ACCTTYPE>CHECKING"
        f"</BANKACCTFROM><BANKTRANLIST><DTSTART>{first:%Y%m%d}<DTEND>{last:%Y%m%d}"
        + "".join(tx)
        + f"</BANKTRANLIST><LEDGERBAL><BALAMT>{_closing(opening, lines):.2f}"
        f"<DTASOF>{last:%Y%m%d}</LEDGERBAL></STMTRS></STMTTRNRS></BANKMSGSRSV1></OFX>\n"
    )
