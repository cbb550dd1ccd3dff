"""Test data: statement files written with demo.writers, invoice CSVs, and a ledger dump by
natural keys (independent of insertion order and surrogate ids)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

from demo.writers import Line, camt053, mt940
from sqlalchemy import select

from rapprochement.store import Ledger
from rapprochement.store import schema as t

ACCOUNT = "FR7630004000031234567890143"
ACME_IBAN = "FR7630006000011234567890189"
BETA_IBAN = "DE89370400440532013000"
D = Decimal


def line(day: int, amount: str, name: str, iban: str, text: str, ref: str) -> Line:
    return Line(dt.date(2026, 3, day), Decimal(amount), name, iban, text, ref)


LINES = [
    line(2, "1200.00", "ACME SA", ACME_IBAN, "Facture FA-001", "R1"),
    line(3, "300.00", "BETA GMBH", BETA_IBAN, "Rechnung 2026", "R2"),
    line(4, "-45.90", "BANQUE", "", "Frais de tenue de compte", "R3"),
    line(5, "450.00", "ACME HOLDING", "FR1420041010050500013M02606", "paiement", "R4"),
    line(6, "75.00", "GAMMA SARL", "BE68539007547034", "FA-004 FA-005", "R5"),
]


def write_mt940(path: Path, lines: list[Line], stmt_id: str = "S1", opening: str = "1000") -> Path:
    path.write_text(mt940(ACCOUNT, stmt_id, Decimal(opening), lines), encoding="latin-1")
    return path


def write_camt(path: Path, lines: list[Line], stmt_id: str = "C1", opening: str = "1000") -> Path:
    path.write_text(camt053(ACCOUNT, stmt_id, Decimal(opening), lines), encoding="utf-8")
    return path


INVOICES_CSV = """\
invoice_id,customer_id,customer_name,amount,currency,issue_date,due_date,reference,\
customer_iban
FA-001,C1,Acme SA,1200.00,EUR,2026-02-01,2026-03-03,FA-001,FR7630006000011234567890189
FA-002,C2,Beta GmbH,300.00,EUR,2026-02-05,2026-03-07,FA-002,
FA-003,C1,Acme SA,450.00,EUR,2026-02-10,2026-03-12,FA-003,
FA-004,C3,Gamma SARL,50.00,EUR,2026-02-11,2026-03-13,FA-004,
FA-005,C3,Gamma SARL,25.00,EUR,2026-02-12,2026-03-14,FA-005,
FA-006,C4,Delta SAS,999.00,EUR,2026-02-12,2026-03-14,FA-006,
"""


def write_invoices(path: Path, text: str = INVOICES_CSV) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def dump(ledger: Ledger) -> dict[str, Any]:
    """Everything imported, by natural keys, sorted."""
    with ledger.engine.connect() as conn:
        e, s, x = t.entries.c, t.statements.c, t.transactions.c
        entries = sorted(
            tuple(r)
            for r in conn.execute(
                select(e.fingerprint, e.booking_date, e.amount_minor, e.currency, e.status)
            )
        )
        statements = sorted(
            tuple(r) for r in conn.execute(select(s.statement_key, s.statement_id, s.entry_count))
        )
        links = sorted(
            tuple(r)
            for r in conn.execute(
                select(s.statement_key, e.fingerprint).select_from(
                    t.statement_entries.join(
                        t.statements, t.statements.c.id == t.statement_entries.c.statement_pk
                    ).join(t.entries, t.entries.c.id == t.statement_entries.c.entry_pk)
                )
            )
        )
        txs = sorted(
            tuple(r)
            for r in conn.execute(
                select(x.transaction_id, x.amount_minor, x.counterparty_name, x.remittance_info)
            )
        )
    return {"entries": entries, "statements": statements, "links": links, "transactions": txs}


# ---- CAMT messages of one booking: a camt.053 batch line and its camt.054 details ----------

_DOC = {
    "053": ("camt.053.001.08", "BkToCstmrStmt", "Stmt"),
    "054": ("camt.054.001.08", "BkToCstmrDbtCdtNtfctn", "Ntfctn"),
    "052": ("camt.052.001.08", "BkToCstmrAcctRpt", "Rpt"),
}
_TX = """<TxDtls><Refs><EndToEndId>{e2e}</EndToEndId></Refs>
<Amt Ccy="EUR">{amount}</Amt><CdtDbtInd>CRDT</CdtDbtInd>
<RltdPties><Dbtr><Nm>{name}</Nm></Dbtr><DbtrAcct><Id><IBAN>{iban}</IBAN></Id></DbtrAcct></RltdPties>
<RmtInf><Ustrd>{text}</Ustrd></RmtInf></TxDtls>"""
DETAILS = [
    _TX.format(e2e="E1", amount="1200.00", name="ACME SA", iban=ACME_IBAN, text="Facture FA-001"),
    _TX.format(e2e="E2", amount="300.00", name="BETA GMBH", iban=BETA_IBAN, text="FA-002"),
]


def camt_entry(
    ref: str, amount: str, details: list[str], status: str = "BOOK", batch: int | None = None
) -> str:
    """A credit ``Ntry`` booked 2026-03-03 (``batch``: its ``Btch/NbOfTxs``)."""
    btch = f"<Btch><NbOfTxs>{batch}</NbOfTxs></Btch>" if batch else ""
    return f"""<Ntry><Amt Ccy="EUR">{amount}</Amt><CdtDbtInd>CRDT</CdtDbtInd>
<Sts><Cd>{status}</Cd></Sts><BookgDt><Dt>2026-03-03</Dt></BookgDt>
<ValDt><Dt>2026-03-03</Dt></ValDt><AcctSvcrRef>{ref}</AcctSvcrRef>
<NtryDtls>{btch}{"".join(details)}</NtryDtls></Ntry>"""


def camt_file(path: Path, kind: str, entries: list[str], balances: str = "") -> Path:
    ns, root, block = _DOC[kind]
    path.write_text(
        f"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:{ns}"><{root}>
<GrpHdr><MsgId>M-{kind}</MsgId><CreDtTm>2026-03-03T20:00:00</CreDtTm></GrpHdr>
<{block}><Id>{kind}-1</Id><Acct><Id><IBAN>{ACCOUNT}</IBAN></Id><Ccy>EUR</Ccy></Acct>
{balances}{"".join(entries)}</{block}></{root}></Document>""",
        encoding="utf-8",
    )
    return path


def camt_balance(code: str, amount: str) -> str:
    return (
        f'<Bal><Tp><CdOrPrtry><Cd>{code}</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">{amount}</Amt>'
        "<CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2026-03-03</Dt></Dt></Bal>"
    )


def batch_statement(tmp: Path) -> Path:
    """camt.053: the batch booked as one line (no details), and an interest line."""
    return camt_file(
        tmp / "s.xml",
        "053",
        [
            camt_entry("BATCH-0303-77", "1500.00", [], batch=2),
            camt_entry("INT-0303-01", "12.50", []),
        ],
        camt_balance("OPBD", "100.00") + camt_balance("CLBD", "1612.50"),
    )


def batch_notification(tmp: Path) -> Path:
    """camt.054: the same booking (same ``AcctSvcrRef``) with its two payments."""
    entry = camt_entry("BATCH-0303-77", "1500.00", DETAILS, batch=2)
    return camt_file(tmp / "n.xml", "054", [entry])
