"""A returned payment reaches collections: dunning plans and letters acknowledge it with its
reason, the HTML report lists it, and the payer's score counts it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pandas as pd

from rapprochement.dunning import default_french_policy, plan_dunning
from rapprochement.dunning.letters import render_letter
from rapprochement.kpi import payer_scores
from rapprochement.report import write_report
from rapprochement.store import Ledger
from tests.store.fake_matcher import fake_matcher
from tests.store.helpers import write_camt, write_invoices
from tests.store.test_returns import COLLECTION, INVOICES, RETURN

RETURNED_ON = dt.date(2026, 3, 9)


def _returned(ledger: Ledger, tmp_path: Path) -> None:
    ledger.import_invoices(write_invoices(tmp_path / "i.csv", INVOICES))
    ledger.import_statements(write_camt(tmp_path / "a.xml", [COLLECTION]))
    ledger.reconcile(matcher=fake_matcher)
    ledger.import_statements(write_camt(tmp_path / "b.xml", [RETURN], "S2", "500"))


def _plan(ledger: Ledger, day: dt.date, language: str = "fr") -> list:  # type: ignore[type-arg]
    return plan_dunning(
        ledger.open_items(day),
        ledger.dunning_history(),
        day,
        default_french_policy(language),  # type: ignore[arg-type]
        payments=ledger.payment_history(),
        returns=ledger.returns(),
    )


def test_a_letter_for_a_returned_debit_names_the_return_and_its_reason(
    ledger_url: str, tmp_path: Path
) -> None:
    with Ledger(ledger_url) as ledger:
        _returned(ledger, tmp_path)
        (action,) = _plan(ledger, dt.date(2026, 3, 20))
        item = next(i for i in action.items if i.invoice_id == "FA-500")
        assert (item.returned_on, item.return_reason) == (RETURNED_ON, "AM04")
        fr = render_letter(action)
        assert "retourné impayé par votre banque le 9 mars 2026" in fr.text
        assert "motif AM04 : provision insuffisante" in fr.text
        assert "motif AM04 : provision insuffisante" in fr.html
        en = render_letter(action, language="en")
        assert "returned unpaid by your bank on 9 March 2026" in en.text
        assert "reason AM04: insufficient funds" in en.html
        assert action.to_record()["payload"]["items"][0]["return_reason"] == "AM04"  # type: ignore[index]


def test_escalation_of_a_returned_debit_counts_from_the_return(
    ledger_url: str, tmp_path: Path
) -> None:
    """Due 1 March, returned 9 March: on 12 March the first reminder (due + 7 + grace) would
    already be due from the due date; from the return it is not (19 March). The invoice is late,
    so it never gets the pre-due level: it waits in the customer's statement, where the letter
    acknowledges the returned payment, and reaches the first reminder on 19 March."""
    with Ledger(ledger_url) as ledger:
        _returned(ledger, tmp_path)
        day = dt.date(2026, 3, 12)
        (action,) = _plan(ledger, day)
        levels = {i.invoice_id: i.level_name for i in action.invoices}
        assert levels == {"FA-500": None, "FA-501": "reminder1"}
        without = plan_dunning(
            ledger.open_items(day), None, day, default_french_policy("fr"), returns=None
        )
        assert [(a.invoice_ids, a.levels) for a in without] == [
            (("FA-500", "FA-501"), {"FA-500": 1, "FA-501": 1})
        ]
        back = next(i for i in action.items if i.invoice_id == "FA-500")
        # penalties still run from the due date
        assert (back.days_late, back.returned_on) == (11, dt.date(2026, 3, 9))
        history = pd.DataFrame([action.to_record()])
        (later,) = plan_dunning(
            ledger.open_items(dt.date(2026, 3, 19)), history, dt.date(2026, 3, 19),
            default_french_policy("fr"), returns=ledger.returns(),
        )  # fmt: skip
        assert later.levels == {"FA-500": 1}


def test_the_report_lists_returns_with_their_reason(ledger_url: str, tmp_path: Path) -> None:
    with Ledger(ledger_url) as ledger:
        _returned(ledger, tmp_path)
        html = write_report(ledger, tmp_path / "r.html", dt.date(2026, 3, 20)).read_text("utf-8")
    assert "Returned payments" in html
    assert "AM04 (insufficient funds)" in html
    assert "AM04 (provision insuffisante)" in html
    assert "FA-500" in html.split("Returned payments", 1)[1]


def test_a_returned_payment_lowers_the_payer_score(ledger_url: str, tmp_path: Path) -> None:
    with Ledger(ledger_url) as ledger:
        _returned(ledger, tmp_path)
        scores = payer_scores(
            ledger.payment_history(), dt.date(2026, 3, 20), returns=ledger.returns()
        )
    row = scores.set_index("customer_id").loc["C5"]
    assert row["returned_payments"] == 1
    assert row["invoices"] == 0  # the returned collection paid nothing
    assert row["segment"] == "watch"


def test_returned_payments_make_a_good_payer_watch_then_risky() -> None:
    history = pd.DataFrame(
        [(f"F{i}", "C1", "100.00", f"2026-0{i}-01", f"2026-0{i}-01", f"T{i}") for i in range(1, 5)],
        columns=[
            "invoice_id",
            "customer_id",
            "amount",
            "payment_date",
            "due_date",
            "transaction_id",
        ],
    )
    as_of = dt.date(2026, 6, 1)
    assert payer_scores(history, as_of)["segment"].iat[0] == "good"
    one = pd.DataFrame({"customer_id": ["C1"], "return_date": ["2026-05-02"]})
    assert payer_scores(history, as_of, returns=one)["segment"].iat[0] == "watch"
    two = pd.DataFrame({"customer_id": ["C1", "C1"], "return_date": ["2026-05-02", "2026-05-20"]})
    assert payer_scores(history, as_of, returns=two)["segment"].iat[0] == "risky"
    # a history row of a line that came back is not a payment
    back = pd.DataFrame(
        {"customer_ids": [["C1"]], "booking_date": [dt.date(2026, 4, 5)], "original_id": ["T4"]}
    )
    row = payer_scores(history, as_of, returns=back).iloc[0]
    assert (row["invoices"], row["returned_payments"]) == (3, 1)
    assert Decimal(row["share_late"]) == Decimal("0.00")
