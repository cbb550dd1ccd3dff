"""pain.002 payment status reports: rejected collections with their end-to-end id, reason and
amount, in versions .001.03 and .001.10; broken files name the file and the XPath."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from rapprochement.errors import MalformedStatementError
from rapprochement.parsers.pain002 import read_status_report

HERE = Path(__file__).resolve().parents[1] / "fixtures" / "pain002"


def test_v03_report_lists_rejections_with_reason_amount_and_debtor() -> None:
    report = read_status_report(HERE / "pain002_v03_rejects.xml")
    assert (report.version, report.message_id, report.original_message_id) == (
        "pain.002.001.03", "STS-20260305-0007", "MSG-SDD-0301",
    )  # fmt: skip
    assert [t.end_to_end_id for t in report.rejections] == ["SDD-FA-500", "SDD-FA-777"]
    first = report.rejections[0]
    assert (first.reason_code, first.reason, first.reason_info) == (
        "AM04", "AM04 (insufficient funds)", "PROVISION INSUFFISANTE",
    )  # fmt: skip
    assert (first.amount, first.currency, first.collection_date) == (
        Decimal("500.00"), "EUR", dt.date(2026, 3, 2),
    )  # fmt: skip
    assert (first.debtor_name, first.mandate_id) == ("ECHO SARL", "MDT-ECHO-01")
    assert first.source == "/Document/CstmrPmtStsRpt/OrgnlPmtInfAndSts[1]/TxInfAndSts[1]"
    assert report.transactions[2].status == "ACCP"


def test_v10_status_is_inherited_and_party_paths_are_read() -> None:
    (tx,) = read_status_report(HERE / "pain002_v10_reject.xml").transactions
    assert (tx.status, tx.reason_code, tx.reason_info) == (
        "RJCT", "AC04", "COMPTE CLOTURE MANDAT A RENOUVELER",
    )  # fmt: skip
    assert (tx.debtor_name, tx.collection_date) == ("Golf et Fils", dt.date(2026, 3, 10))


@pytest.mark.parametrize(
    ("xml", "where"),
    [
        (
            b"<Document><CstmrPmtStsRpt><GrpHdr><MsgId>M</MsgId></GrpHdr><OrgnlPmtInfAndSts>"
            b"<TxInfAndSts><TxSts>RJCT</TxSts></TxInfAndSts></OrgnlPmtInfAndSts></CstmrPmtStsRpt>"
            b"</Document>",
            "TxInfAndSts[1]/OrgnlEndToEndId",
        ),
        (
            b"<Document><CstmrPmtStsRpt><GrpHdr><MsgId>M</MsgId></GrpHdr><OrgnlPmtInfAndSts>"
            b"<TxInfAndSts><OrgnlEndToEndId>E</OrgnlEndToEndId><TxSts>RJCT</TxSts><OrgnlTxRef>"
            b"<Amt><InstdAmt Ccy='EUR'>12,50</InstdAmt></Amt></OrgnlTxRef></TxInfAndSts>"
            b"</OrgnlPmtInfAndSts></CstmrPmtStsRpt></Document>",
            "OrgnlTxRef/Amt/InstdAmt",
        ),
        (b"<Document><BkToCstmrStmt/></Document>", "/Document"),
        (b"<Document><CstmrPmtStsRpt>", "line"),
    ],
    ids=["no-e2e", "comma-amount", "not-pain002", "truncated"],
)
def test_a_broken_report_names_the_file_and_the_xpath(xml: bytes, where: str) -> None:
    with pytest.raises(MalformedStatementError) as info:
        read_status_report(xml, filename="sts.xml")
    assert info.value.file == "sts.xml"
    assert where in (info.value.location or "")


def test_entities_are_not_expanded() -> None:
    xml = (
        b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b"<Document><CstmrPmtStsRpt><GrpHdr><MsgId>&x;</MsgId></GrpHdr></CstmrPmtStsRpt>"
        b"</Document>"
    )
    try:
        message_id = read_status_report(xml, filename="x.xml").message_id
    except MalformedStatementError:
        message_id = ""
    assert "root:" not in message_id
