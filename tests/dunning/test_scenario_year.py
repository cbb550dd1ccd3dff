"""A year of invoices, payments, disputes and promises, replayed day by day.

Every day the planner runs on the ledger's state of that morning, its actions are recorded,
and it runs a second time (which must plan nothing). The full list of actions and amounts is
checked against hand computations (default French policy, shipped rate tables).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pandas as pd
import pytest

from rapprochement.dunning import DunningAction, default_french_policy, plan_dunning

D = Decimal
day = dt.date.fromisoformat

# invoice id, customer, name, amount, issue, due, status
INVOICES = [
    ("A1", "ALPHA", "Alpha SARL", "1500.00", "2025-01-10", "2025-02-09", "open"),
    ("B1", "BETA", "Beta SAS", "1200.00", "2025-03-01", "2025-03-31", "open"),
    ("B2", "BETA", "Beta SAS", "800.00", "2025-03-01", "2025-03-31", "open"),
    ("B3", "BETA", "Beta SAS", "500.00", "2025-10-01", "2025-10-31", "open"),
    ("G1", "GAMMA", "Gamma SA", "900.00", "2025-03-01", "2025-03-31", "open"),
    ("D1", "DELTA", "Delta EURL", "3000.00", "2025-05-31", "2025-06-30", "open"),
    ("E1", "EPS", "Epsilon", "5.00", "2025-09-01", "2025-09-30", "open"),
    ("Z1", "ZETA", "Zeta", "700.00", "2025-02-01", "2025-03-03", "credited"),
    ("Z2", "ZETA", "Zeta", "-700.00", "2025-02-15", "2025-03-03", "open"),
]
# invoice id, payment date, amount
PAYMENTS = [
    ("A1", "2025-02-08", "1500.00"),
    ("G1", "2025-06-10", "900.00"),
    ("D1", "2025-08-05", "1000.00"),
    ("D1", "2025-08-12", "2000.00"),
]
PAID = pd.DataFrame(
    [{"invoice_id": i, "payment_date": day(p), "amount": D(a)} for i, p, a in PAYMENTS]
)
EVENTS = pd.DataFrame(
    [
        {"invoice_id": "G1", "kind": "dispute", "start": day("2025-04-05"),
         "end": day("2025-05-20"), "note": "quantity contested"},
        {"invoice_id": "D1", "kind": "promise", "start": day("2025-07-12"),
         "end": day("2025-07-31"), "note": "will pay by end of July"},
    ]
)  # fmt: skip

# date, customer, level, invoices, total claimed (open + interest + 40 € per invoice)
EXPECTED = [
    ("2025-02-04", "ALPHA", "friendly", "A1", "1500.00"),
    ("2025-03-26", "BETA", "friendly", "B1 B2", "2000.00"),
    ("2025-03-26", "GAMMA", "friendly", "G1", "900.00"),
    # friendly skipped? no: on 03-26 reminder1 (due + 7 + 3 grace = 04-10) is not yet due.
    ("2025-04-10", "BETA", "reminder1", "B1 B2", "2000.00"),
    # G1 is disputed on 04-10: nothing for Gamma.
    # reminder2 = 04-10 + 15. 2025-H1 rate = ECB 3.15 + 10 = 13.15 %, 25 days (Apr 1-25):
    #   B1 1200 x 13.15 % x 25/365 = 3945/365 = 10.808 -> 10.81
    #   B2  800 x 13.15 % x 25/365 = 2630/365 =  7.205 ->  7.21
    #   2000 + 18.02 + 2 x 40 = 2098.02
    ("2025-04-25", "BETA", "reminder2", "B1 B2", "2098.02"),
    # phone = 04-25 + 7; 32 days: 5049.6/365 = 13.834 -> 13.83; 3366.4/365 = 9.223 -> 9.22
    ("2025-05-02", "BETA", "phone", "B1 B2", "2103.05"),
    # formal notice = 05-02 + 10; 42 days: 6627.6/365 = 18.158 -> 18.16; 4418.4/365 = 12.105
    #   -> 12.11; 2000 + 30.27 + 80 = 2110.27
    ("2025-05-12", "BETA", "formal_notice", "B1 B2", "2110.27"),
    # dispute on G1 ended 05-20 (inclusive): reminder1 the next day.
    ("2025-05-21", "GAMMA", "reminder1", "G1", "900.00"),
    # litigation = 05-12 + 15; 57 days: 8994.6/365 = 24.643 -> 24.64; 5996.4/365 = 16.429
    #   -> 16.43; 2000 + 41.07 + 80 = 2121.07
    ("2025-05-27", "BETA", "litigation", "B1 B2", "2121.07"),
    # G1 reminder2 = 05-21 + 15; 66 days (Apr 1 - Jun 5), 900 x 13.15 % x 66/365
    #   = 7811.1/365 = 21.400 -> 21.40; 900 + 21.40 + 40 = 961.40. G1 paid 06-10: no phone.
    ("2025-06-05", "GAMMA", "reminder2", "G1", "961.40"),
    ("2025-06-25", "DELTA", "friendly", "D1", "3000.00"),
    ("2025-07-10", "DELTA", "reminder1", "D1", "3000.00"),
    # promise 07-12..07-31 pauses reminder2 (due 07-25); broken on 08-01.
    # 2025-H2 rate = 2.15 + 10 = 12.15 %; 32 days (Jul 1 - Aug 1): 3000 x 12.15 % x 32/365
    #   = 11664/365 = 31.956 -> 31.96; 3000 + 31.96 + 40 = 3071.96
    ("2025-08-01", "DELTA", "reminder2", "D1", "3071.96"),
    # 1000 paid 08-05, open 2000; phone 08-08, 39 days: 2000 x 12.15 % x 39/365
    #   = 9477/365 = 25.964 -> 25.96; the 1000 paid late bore interest Jul 1 - Aug 5
    #   (36 days): 1000 x 12.15 % x 36/365 = 4374/365 = 11.984 -> 11.98;
    #   2000 + 25.96 + 11.98 + 40 = 2077.94. Paid in full 08-12.
    ("2025-08-08", "DELTA", "phone", "D1", "2077.94"),
    # E1 (5.00) gets the friendly reminder (no minimum) but never reminder1 (minimum 10).
    ("2025-09-25", "EPS", "friendly", "E1", "5.00"),
    # B3 starts its own sequence while B1/B2 sit at litigation: one statement per customer
    # lists the three, each at its own level; the statement's level is the highest
    # (litigation). 10-26 is a Sunday: the friendly level waits for Monday 10-27.
    # B1/B2 interest Apr 1 - Oct 27: 91 days at 13.15 % and 119 days at 12.15 %:
    #   B1 1200: 39.34 + 47.53 = 86.87; B2 800: 26.23 + 31.69 = 57.92; B3 not yet due: no
    #   penalty; 2000 + 500 + 144.79 + 80 = 2724.79
    ("2025-10-27", "BETA", "litigation", "B1 B2 B3", "2724.79"),
    ("2025-11-10", "BETA", "litigation", "B1 B2 B3", "2775.78"),
    ("2025-11-25", "BETA", "litigation", "B1 B2 B3", "2788.26"),
    ("2025-12-02", "BETA", "litigation", "B1 B2 B3", "2794.10"),
    ("2025-12-12", "BETA", "litigation", "B1 B2 B3", "2802.41"),
    # B3's litigation level is due 12-27, a Saturday: Monday 12-29
    ("2025-12-29", "BETA", "litigation", "B1 B2 B3", "2816.56"),
]


def open_items_on(today: dt.date) -> pd.DataFrame:
    rows: list[dict[str, Any]] = []
    for inv, cust, name, amount, issue, due, status in INVOICES:
        if day(issue) > today:
            continue
        paid = sum((D(a) for i, p, a in PAYMENTS if i == inv and day(p) <= today), D("0.00"))
        rows.append(
            {"invoice_id": inv, "customer_id": cust, "customer_name": name,
             "amount": D(amount), "currency": "EUR", "issue_date": day(issue),
             "due_date": day(due), "open_amount": D(amount) - paid if status == "open" else D(0),
             "reference": f"FA-{inv}", "status": status}
        )  # fmt: skip
    return pd.DataFrame(rows)


def replay_year() -> list[DunningAction]:
    policy = default_french_policy()
    records: list[dict[str, object]] = []
    done: list[DunningAction] = []
    today = dt.date(2025, 1, 1)
    while today <= dt.date(2025, 12, 31):
        items = open_items_on(today)
        history = pd.DataFrame(records)
        actions = plan_dunning(items, history, today, policy, events=EVENTS, payments=PAID)
        records.extend(a.to_record() for a in actions)
        done.extend(actions)
        again = plan_dunning(
            items, pd.DataFrame(records), today, policy, events=EVENTS, payments=PAID
        )
        assert again == [], f"second run on {today} planned {again}"
        today += dt.timedelta(days=1)
    return done


@pytest.fixture(scope="module")
def year() -> list[DunningAction]:
    return replay_year()


def test_a_year_of_dunning_plans_exactly_the_expected_actions_and_amounts(
    year: list[DunningAction],
) -> None:
    got = [
        (a.action_date.isoformat(), a.customer_id, a.level_name, " ".join(a.invoice_ids),
         str(a.total_claimed))
        for a in year
    ]  # fmt: skip
    assert got == EXPECTED


def test_penalty_letters_state_interest_and_the_40_euro_indemnity_per_invoice(
    year: list[DunningAction],
) -> None:
    actions = {(a.customer_id, a.level_name, a.action_date.isoformat()): a for a in year}
    notice = actions[("BETA", "formal_notice", "2025-05-12")]
    assert notice.channel == "registered_letter"
    assert notice.total_open == D("2000.00")
    assert notice.total_interest == D("30.27")
    assert notice.total_indemnity == D("80.00")
    assert notice.deadline == dt.date(2025, 5, 20)
    assert [i.penalty.interest for i in notice.items if i.penalty] == [D("18.16"), D("12.11")]
    friendly = actions[("BETA", "friendly", "2025-03-26")]
    assert all(i.penalty is None for i in friendly.items)
    # one statement per customer, each invoice at its own level, no penalty before the due date
    late = actions[("BETA", "litigation", "2025-10-27")]
    assert {i.invoice_id: i.level_name for i in late.items} == {
        "B1": "litigation",
        "B2": "litigation",
        "B3": "friendly",
    }
    assert late.levels == {"B3": 0}
    assert [i.invoice_id for i in late.items if i.penalty] == ["B1", "B2"]
