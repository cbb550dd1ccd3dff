"""Small statement files of every format, built from a few values, for the tests that feed the
same case (a huge amount, a missing date, a bad currency, markup in a name) to every parser.

Each builder writes one statement with one entry (plus an opening and a closing balance where
the format has them) and takes its values as the format writes them.
"""

from __future__ import annotations

FORMATS = ("mt940", "camt", "ofx", "cfonb", "csv")


def mt940(
    *,
    amount: str = "50,00",
    mark: str = "C",
    entry_date: str = "0102",
    currency: str = "EUR",
    opening: str = "100,00",
    closing: str = "150,00",
    info: str = "/REMI/FA-2026-001/NAME/DUPONT SARL",
) -> bytes:
    """``:61:2601020102C50,00NTRF...`` in a statement with ``:60F:`` and ``:62F:``."""
    return (
        f":20:STMT1\r\n:25:NL91ABNA0417164300\r\n:28C:1/1\r\n"
        f":60F:C260102{currency}{opening}\r\n"
        f":61:260102{entry_date}{mark}{amount}NTRFNONREF//B1\r\n:86:{info}\r\n"
        f":62F:C260102{currency}{closing}\r\n-"
    ).encode()


def camt(
    *,
    amount: str = "50.00",
    currency: str = "EUR",
    dates: str = "<BookgDt><Dt>2026-01-02</Dt></BookgDt><ValDt><Dt>2026-01-02</Dt></ValDt>",
    opening: str = "100.00",
    closing: str = "150.00",
    name: str = "DUPONT SARL",
    remittance: str = "FA-2026-001",
    detail_amount: str | None = None,
    charges: str | None = None,
) -> bytes:
    """A camt.053.001.08 statement: OPBD and CLBD balances, one booked credit with one detail."""
    detail = f'<Amt Ccy="{currency}">{detail_amount}</Amt>' if detail_amount else ""
    chrgs = f'<Chrgs><TtlChrgsAndTaxAmt Ccy="{currency}">{charges}</TtlChrgsAndTaxAmt></Chrgs>'
    bal = (
        '<Bal><Tp><CdOrPrtry><Cd>{code}</Cd></CdOrPrtry></Tp><Amt Ccy="{ccy}">{amount}</Amt>'
        "<CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2026-01-02</Dt></Dt></Bal>"
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"><BkToCstmrStmt>'
        "<GrpHdr><MsgId>M1</MsgId></GrpHdr><Stmt><Id>S1</Id>"
        f"<Acct><Id><IBAN>DE89370400440532013000</IBAN></Id><Ccy>{currency}</Ccy></Acct>"
        + bal.format(code="OPBD", ccy=currency, amount=opening)
        + bal.format(code="CLBD", ccy=currency, amount=closing)
        + f'<Ntry><Amt Ccy="{currency}">{amount}</Amt><CdtDbtInd>CRDT</CdtDbtInd>'
        f"<Sts><Cd>BOOK</Cd></Sts>{dates}<BkTxCd/><NtryDtls><TxDtls>{detail}"
        f"{chrgs if charges else ''}"
        f"<RltdPties><Dbtr><Nm>{name}</Nm></Dbtr></RltdPties>"
        f"<RmtInf><Ustrd>{remittance}</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>"
        "</Stmt></BkToCstmrStmt></Document>"
    ).encode("utf-8")


def ofx(
    *,
    amount: str = "50.00",
    currency: str = "EUR",
    dates: str = "<DTPOSTED>20260102",
    balance: str = "150.00",
    name: str = "DUPONT SARL",
    memo: str = "FA-2026-001",
    extra: str = "",
) -> bytes:
    """An OFX 1.x (SGML) bank statement with one STMTTRN and its LEDGERBAL."""
    return (
        "OFXHEADER:100\r\nDATA:OFXSGML\r\nVERSION:102\r\nCHARSET:1252\r\n\r\n"
        "<OFX><BANKMSGSRSV1><STMTTRNRS><TRNUID>1<STMTRS>"
        f"<CURDEF>{currency}<BANKACCTFROM><BANKID>1<ACCTID>DE89370400440532013000"
        "<ACCTTYPE>CHECKING</BANKACCTFROM><BANKTRANLIST><DTSTART>20260101<DTEND>20260131\r\n"
        f"<STMTTRN><TRNTYPE>CREDIT{dates}<TRNAMT>{amount}<FITID>F1"
        f"<NAME>{name}<MEMO>{memo}{extra}</STMTTRN>\r\n"
        f"</BANKTRANLIST><LEDGERBAL><BALAMT>{balance}<DTASOF>20260131</LEDGERBAL>"
        "</STMTRS></STMTTRNRS></BANKMSGSRSV1></OFX>\r\n"
    ).encode("cp1252", errors="replace")


def _cfonb(
    code: str, currency: str, decimals: str, date: str, vdate: str, label: str, amount: str
) -> str:
    head = f"{code}30004    00823{currency}{decimals} 00010246875  {date}"
    record = f"{head}  {vdate}{label.ljust(31)[:31]}  0000001  {amount}{'REF1'.ljust(16)}"
    assert len(record) == 120, len(record)
    return record


def cfonb(
    *,
    amount: str = "0000000005000{",
    currency: str = "EUR",
    decimals: str = "2",
    date: str = "020126",
    vdate: str = "020126",
    label: str = "VIR SEPA RECU /DE DUPONT SARL",
    opening: str = "0000000010000{",
    closing: str = "0000000015000{",
) -> bytes:
    """``01`` (opening), one ``04`` movement, ``07`` (closing); amounts as CFONB writes them
    (13 digits and a sign character, ``decimals`` decimals)."""
    records = [
        _cfonb("01", currency, decimals, "010126", "      ", "", opening),
        _cfonb("04", currency, decimals, date, vdate, label, amount),
        _cfonb("07", currency, decimals, "020126", "      ", "", closing),
    ]
    return ("\r\n".join(records) + "\r\n").encode("latin-1", errors="replace")


def csv(
    *,
    amount: str = "50,00",
    currency: str = "EUR",
    booking: str = "02/01/2026",
    value: str = "02/01/2026",
    balance: str = "150,00",
    label: str = "VIR SEPA RECU /DE DUPONT SARL FA-2026-001",
) -> bytes:
    """A French-style export: ``Date;Date de valeur;Libellé;Montant;Devise;Solde``."""
    return (
        "Date;Date de valeur;Libellé;Montant;Devise;Solde\r\n"
        f"{booking};{value};{label};{amount};{currency};{balance}\r\n"
    ).encode()
