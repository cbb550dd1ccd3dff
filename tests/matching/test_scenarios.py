"""Scenario folders (tests/scenarios/<name>/): inputs beside the expected allocations.

Each folder holds ``transactions.csv``, ``invoices.csv``, optional ``remittances.csv`` and
``customers.csv``, and ``expected.csv`` (``transaction_id, invoice_id, amount, status, kind``).
``*`` in ``invoice_id`` or ``status`` accepts any value; an empty ``invoice_id`` is an
overpayment row. The allocations must be exactly the expected rows (no more, no fewer).
An optional ``config.json`` holds :class:`~rapprochement.MatchConfig` fields the scenario
runs with (e.g. a low ``auto_threshold``: weights fitted on other books, whose learned
threshold lets a guess score above it).
"""

from __future__ import annotations

import json
import math
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

import rapprochement
from rapprochement.matching.result import explanation_of

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"
NAMES = sorted(p.name for p in SCENARIOS.iterdir() if (p / "expected.csv").is_file())


def _csv(path: Path) -> pd.DataFrame | None:
    if not path.is_file():
        return None
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def run(name: str) -> rapprochement.ReconciliationResult:
    """Reconcile one scenario folder."""
    d = SCENARIOS / name
    tx = _csv(d / "transactions.csv")
    inv = _csv(d / "invoices.csv")
    assert tx is not None
    assert inv is not None
    cfg = d / "config.json"
    config = (
        rapprochement.MatchConfig.model_validate_json(cfg.read_text()) if cfg.is_file() else None
    )
    return rapprochement.reconcile(
        tx,
        inv,
        remittances=_csv(d / "remittances.csv"),
        customers=_csv(d / "customers.csv"),
        config=config,
    )


@pytest.mark.parametrize("name", NAMES)
def test_scenario(name: str) -> None:
    res = run(name)
    exp = _csv(SCENARIOS / name / "expected.csv")
    assert exp is not None
    got = res.allocations
    assert len(got) == len(exp), f"{name}:\n{got.drop(columns='explanation')}"
    rows = [
        (r.transaction_id, r.invoice_id or "", r.amount, r.status, r.kind) for r in got.itertuples()
    ]
    for e in exp.itertuples():
        match = [
            g
            for g in rows
            if g[0] == e.transaction_id
            and e.invoice_id in ("*", g[1])
            and g[2] == Decimal(e.amount)
            and e.status in ("*", g[3])
            and g[4] == e.kind
        ]
        assert match, f"{name}: expected {tuple(e)[1:]} in\n{got.drop(columns='explanation')}"
        rows.remove(match[0])


def test_ambiguous_equal_amounts_are_listed_and_never_auto() -> None:
    res = run("equal_amount_ambiguity_refused")
    assert list(res.ambiguous["transaction_id"]) == ["T1"]
    assert len(res.ambiguous["alternatives"].iat[0]) >= 2
    assert (res.allocations["status"] != "auto").all()


def test_duplicate_payment_leaves_the_second_unmatched() -> None:
    res = run("duplicate_payment")
    assert list(res.unmatched_transactions["transaction_id"]) == ["T2"]


def test_partial_payment_leaves_the_rest_open() -> None:
    res = run("grouped_with_one_partial")
    left = res.open_invoices.set_index("invoice_id")["open_amount"]
    assert left["FA-2026-000103"] == Decimal("400.00")


def test_explanation_adds_up_to_the_score() -> None:
    import math

    from rapprochement.matching import explanation_of

    res = run("one_to_one_reference")
    row = res.allocations.iloc[0]
    total = sum(c.weight for c in explanation_of(row["explanation"]))
    assert 1 / (1 + math.exp(-total)) == pytest.approx(row["score"], abs=1e-9)
    text = res.explain("T1")
    assert "prior" in text
    assert "p = " in text


def test_summary_counts() -> None:
    res = run("overpayment_recorded")
    s = res.summary()
    assert s["transactions"] == 1
    assert s["allocations"] == 2
    assert s["by_kind"] == {"one_to_one": 1, "overpayment": 1}
    assert s["unmatched_transactions"] == 0


def test_twin_payment_before_the_invoice_keeps_it_and_the_repeat_is_a_duplicate() -> None:
    res = run("duplicate_paid_before_invoice")
    dup = res.duplicates
    assert list(dup["transaction_id"]) == ["T2"]
    assert list(dup["duplicate_of"]) == ["T1"]
    assert list(dup["invoice_id"]) == ["FA-2026-000688"]


def test_held_allocations_say_which_gate_held_them() -> None:
    for name, reason in (
        ("amount_alone_is_not_a_payer", "the amount alone"),
        ("transposed_digits_are_a_keying_error", "two digits swapped"),
        ("payer_name_exact_for_one_look_alike_is_not_automatic", "look-alike customer"),
    ):
        held = run(name).allocations
        held = held[held["status"] == "suggested"]
        assert len(held)
        for expl in held["explanation"]:
            gates = [c for c in json.loads(expl) if c["feature"] == "gate"]
            assert len(gates) == 1
            assert reason in gates[0]["value"]
            assert gates[0]["weight"] == 0.0


def test_a_tie_scores_as_a_coin_toss_and_names_its_rivals() -> None:
    for name in ("equal_amount_ambiguity_refused", "no_penny_allocation_between_equal_invoices"):
        al = run(name).allocations
        amb = al[al["transaction_id"] == "T1"]
        assert (amb["status"] == "suggested").all()
        assert (amb["score"] <= 0.5).all()
        for expl in amb["explanation"]:
            rows = json.loads(expl)
            tie = [c for c in rows if c["feature"] == "rivals_tie"]
            assert len(tie) == 1
            assert tie[0]["value"].startswith("tie between ")
            assert tie[0]["weight"] < 0  # the contributions still add up to the score
            total = sum(c["weight"] for c in rows)
            assert abs(1 / (1 + math.exp(-total)) - float(amb["score"].iloc[0])) < 1e-6


def test_a_provider_payout_settles_the_orders_its_report_names() -> None:
    """A PayPal payout: one bank line, a report naming orders of four customers by the
    provider's charge ids, and the provider's fees as a negative line (issue 12)."""
    al = run("provider_payout_report_names_orders_of_many_customers").allocations
    assert set(al["invoice_id"]) == {"ord-101-ab", "ord-102-cd", "ord-103-ef", "ord-104-gh"}
    assert (al["status"] == "auto").all()
    assert sum(al["amount"]) == Decimal("555.09")
    # each order carries its share of the fees and is closed (ADR 0015)
    assert (al["kind"] == "fee").all()
    left = run("provider_payout_report_names_orders_of_many_customers").open_invoices
    assert list(left["invoice_id"]) == ["ord-105-ij"]


def test_a_payment_across_two_records_of_one_company_names_the_merge() -> None:
    al = run("one_company_filed_twice_in_the_master_data").allocations
    rows = [c for c in json.loads(al["explanation"].iloc[0]) if c["feature"] == "entity"]
    assert len(rows) == 1
    assert "Menuiserie Lefèvre SARL (C1) = Menuiserie Lefebre SARL (C2)" in rows[0]["value"]
    assert set(run("one_company_filed_twice_in_the_master_data").open_invoices["customer_id"]) >= {
        "C2",
        "C3",
        "C4",
    }  # the result keeps each invoice's own record


def test_a_payer_named_by_its_customer_number_says_so() -> None:
    al = run("customer_number_names_the_payer_a_factor_pays_for").allocations
    rows = [c for c in json.loads(al["explanation"].iloc[0]) if c["feature"] == "payer"]
    assert rows == [
        {
            "feature": "payer",
            "value": "customer number 000103 quoted in the text: Garage Lemoine SAS (C000103)",
            "weight": 0.0,
        }
    ]
    # an IBAN alone, no number quoted: no such row
    al = run("one_company_filed_twice_in_the_master_data").allocations
    assert not [c for e in al["explanation"] for c in json.loads(e) if c["feature"] == "payer"]


def test_every_suggestion_names_its_rivals_and_why_they_lose_or_tie() -> None:
    res = run("suggestion_shows_its_rivals")
    rv = {r.transaction_id: r for r in res.rivals.itertuples()}
    tie = rv["T2"]  # two equal invoices of the payer, no reference: a coin toss
    chosen = res.allocations.set_index("transaction_id").at["T2", "invoice_id"]
    assert tie.relation == "tie"
    assert set(tie.rival) == {"F-4001", "F-4002"} - {chosen}
    assert tie.score == pytest.approx(0.5)
    weaker = rv["T4"]  # the other 500.00 invoice, not named by the text
    assert (weaker.rival, weaker.relation) == (("F-3002",), "weaker")
    assert "reference=none" in weaker.why
    taken = rv["T3"]  # the 1 290.00 invoice, which T1 settles
    assert (taken.rival, taken.relation) == (("F-2044",), "taken")
    assert "(T1)" in taken.why
    for tid in ("T2", "T3", "T4"):  # the explanation carries them, at zero weight
        expl = res.allocations.set_index("transaction_id").at[tid, "explanation"]
        rows = [c for c in explanation_of(expl) if c.feature == "rival"]
        assert len(rows) == 1
        assert rows[0].weight == 0.0
    assert "rival = " in res.explain("T2")


def test_a_third_partys_learned_iban_says_nothing_against_another_customer() -> None:
    res = run("learned_third_party_iban_is_not_another_customers_account")
    levels = {
        r.transaction_id: {c.feature: c.value for c in explanation_of(r.explanation)}
        for r in res.allocations.itertuples()
    }
    # the parent company learned as C1's payer pays C2: not C1's own account
    assert levels["T1"]["iban"] == "unknown"
    # C3's own account paying C1's invoice is still evidence of another payer
    assert levels["T2"]["iban"] == "other"


def test_a_payment_repeated_by_another_channel_is_the_duplicate() -> None:
    res = run("duplicate_paid_by_another_channel")
    # the cheque two days after the ACH payment, naming the same invoice: the earlier pays it
    assert list(res.duplicates["transaction_id"]) == ["T2"]
    assert list(res.duplicates["duplicate_of"]) == ["T1"]
    assert list(res.unmatched_transactions["transaction_id"]) == ["T2"]


def test_a_discount_the_bank_states_in_a_camt_statement_is_booked_as_a_discount() -> None:
    """The scenario ``bank_stated_discount_is_a_discount`` read from the statement itself: the
    CAMT ``RfrdDocAmt`` (due 1250.00, discount 20.00, remitted 1230.00) reaches the matcher
    as a remittance line, with no ``remittances`` argument."""
    fixture = SCENARIOS.parent / "fixtures" / "camt" / "camt053_v08_referred_amounts.xml"
    statements = rapprochement.read_statement(fixture)
    inv = _csv(SCENARIOS / "bank_stated_discount_is_a_discount" / "invoices.csv")
    assert inv is not None
    got = rapprochement.reconcile(statements, inv).allocations
    assert [(r.invoice_id, r.amount, r.kind) for r in got.itertuples()] == [
        ("F-2041", Decimal("1230.00"), "discount")
    ]


def test_a_repeat_quoting_the_invoice_is_the_duplicate_of_the_earlier_payment() -> None:
    res = run("repeat_quoting_the_invoice_after_a_payment_that_quoted_nothing")
    assert list(res.duplicates["transaction_id"]) == ["T2"]
    assert list(res.duplicates["duplicate_of"]) == ["T1"]


def test_a_part_payment_nothing_names_is_listed_as_ambiguous_not_suggested() -> None:
    res = run("part_payment_nothing_names_is_not_suggested")
    assert "T1" not in set(res.allocations["transaction_id"])
    assert list(res.ambiguous["transaction_id"]) == ["T1"]
    assert res.ambiguous["alternatives"].iat[0] == [("109752",)]


def test_a_payout_report_line_naming_no_order_leaves_its_money_and_says_so() -> None:
    """The report names a 24.90 charge by a payment id no order carries (two open orders of
    24.90 have none): the other lines are read, the line's money is not guessed onto either
    order; it stays on the payment (ADR 0015)."""
    res = run("provider_payout_report_line_naming_no_order_leaves_its_money")
    left = res.unmatched_transactions.set_index("transaction_id")["remaining"]
    assert left["T1"] == Decimal("23.88")  # 24.90 less its share of the fees
    assert {"ord-503-cc", "ord-504-dd"} <= set(res.open_invoices["invoice_id"])
    for expl in res.allocations["explanation"]:
        notes = [c for c in explanation_of(expl) if c.feature == "report"]
        assert len(notes) == 1
        assert "names no open item" in notes[0].value
        assert notes[0].weight == 0.0


def test_a_collectors_payout_without_report_settles_its_open_charges_net_of_learned_fees() -> None:
    """Two Stripe payouts come with their reports (150 bp + 0.25 per charge); the third has
    none: the two charges of the same id shape open in the payouts' timing, net of that fee
    schedule, are exactly the payout (ADR 0015). The order without a payment id of the same
    amount and the charge issued too early stay open."""
    res = run("collector_payout_without_report_settles_its_open_charges")
    t3 = res.allocations[res.allocations["transaction_id"] == "T3"]
    levels = {c.feature: c.value for c in explanation_of(t3["explanation"].iat[0])}
    assert (levels["iban"], levels["name"], levels["amount"]) == ("collector",) * 2 + ("stated",)
    assert set(res.open_invoices["invoice_id"]) == {"ord-608-hh", "ord-609-ii"}
    assert res.notes.empty


def test_a_collectors_payout_that_its_open_charges_do_not_explain_is_left_with_a_note() -> None:
    """One more charge of the collector is open in the timing: the charges no longer add up
    to the payout, and no part of them is guessed (some part adds up to almost anything)."""
    res = run("collector_payout_without_report_is_not_guessed")
    assert "T3" not in set(res.allocations["transaction_id"])
    assert list(res.notes["transaction_id"]) == ["T3"]
    assert "load the provider's settlement report" in res.explain("T3")


def test_a_withheld_part_payment_is_listed_as_ambiguous_with_its_reason() -> None:
    """A reading withheld as not worth a reviewer's time (ADR 0016) is in ``result.ambiguous``
    with why, and the payment's explanation says so instead of "unmatched"; a tie says tie."""
    res = run("part_payment_nothing_names_is_not_suggested")
    amb = res.ambiguous.set_index("transaction_id")
    assert list(res.ambiguous.columns) == ["transaction_id", "alternatives", "reason"]
    assert amb.at["T1", "reason"].startswith("withheld: far-fetched")
    text = res.explain("T1")
    assert "withheld: far-fetched" in text
    assert "109752" in text
    tie = run("equal_amount_ambiguity_refused").ambiguous
    assert list(tie["reason"]) == ["tie: several readings fit equally well"]


def test_look_alikes_paid_the_same_amount_the_same_day_are_a_listed_tie() -> None:
    res = run("look_alike_customers_paid_the_same_amount_the_same_day_are_a_tie")
    al = res.allocations
    assert (al["status"] == "suggested").all()
    assert (al["score"] <= 0.5).all()
    assert sorted(res.ambiguous["transaction_id"]) == ["T1", "T2"]
    for alts in res.ambiguous["alternatives"]:
        assert sorted(alts) == [("103595",), ("103596",)]
    for expl in al["explanation"]:
        assert any(c["feature"] == "rivals_tie" for c in json.loads(expl))


def test_guesses_withheld_whatever_their_score_are_listed() -> None:
    for name, why in (
        ("part_payment_nothing_names_is_withheld_whatever_its_score", "part payment"),
        ("more_than_an_invoice_nothing_names_from_an_unknown_payer_is_withheld", "more than"),
    ):
        res = run(name)
        assert "T1" not in set(res.allocations["transaction_id"])
        amb = res.ambiguous[res.ambiguous["transaction_id"] == "T1"]
        assert len(amb) == 1
        reason = str(amb["reason"].iat[0])
        assert reason.startswith("withheld: far-fetched: ")
        assert why in reason


def test_look_alike_twin_payments_are_a_tie_not_a_payment_and_its_duplicate() -> None:
    """Two payments of one amount, the same day, under one name that reads exactly one of two
    look-alike customers owing that amount: each settles an item, a coin toss listed as such."""
    res = run("look_alike_twin_payments_are_not_a_payment_and_its_duplicate")
    assert res.duplicates.empty
    assert set(res.allocations["invoice_id"]) == {"RE-1159", "RE-1160"}
    assert (res.allocations["score"] <= 0.5).all()
    assert set(res.ambiguous["transaction_id"]) == {"T1", "T2"}


def test_a_coin_toss_is_listed_as_ambiguous_with_its_rivals_not_suggested() -> None:
    """A payment of the amount of several equal items of its payer that nothing tells apart,
    some left open, and a part payment two items have room for alike: which item is a coin
    toss on the order of the input, so no item is suggested; every reading is listed."""
    for name, items in (
        ("payment_fitting_many_equal_items_of_its_payer_is_a_coin_toss", 4),
        ("part_payment_two_items_fit_as_well_is_a_coin_toss", 2),
        ("weekly_payments_quoting_one_po_are_not_duplicates", 3),
    ):
        res = run(name)
        assert "T1" not in set(res.allocations["transaction_id"])
        amb = res.ambiguous.set_index("transaction_id")
        assert str(amb.at["T1", "reason"]).startswith("withheld: a coin toss")
        assert len(amb.at["T1", "alternatives"]) == items
        assert res.duplicates.empty


def test_a_part_payment_naming_its_invoice_keeps_it_from_a_group_naming_nothing() -> None:
    res = run("part_payment_naming_its_invoice_keeps_it_from_a_group_naming_nothing")
    t2 = res.allocations[res.allocations["transaction_id"] == "T2"]
    assert "FA-2026-000631" not in set(t2["invoice_id"])
    left = res.open_invoices.set_index("invoice_id")["open_amount"]
    assert left["FA-2026-000631"] == Decimal("700.00")
