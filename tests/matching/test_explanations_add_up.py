"""Every allocation's explanation adds up to its score (the log-odds of ``score``), on a hard
book where payer IBANs are shared by several customers: the explanation of one allocation is
never another's with the same feature levels (the shared-IBAN term differs)."""

from __future__ import annotations

import json
import math

from benchmarks.generator import generate

import rapprochement

#: rows appended to an explanation that are not terms of the score (weight 0)
_NOT_TERMS = ("rival", "gate", "held")


def test_every_explanation_adds_up_to_its_score() -> None:
    ds = generate(1000, 2000, "hard")
    res = rapprochement.reconcile(
        ds.transactions, ds.invoices, remittances=ds.remittances, customers=ds.customers
    )
    off, shared, checked = [], 0, 0
    for tid, score, text in zip(
        res.allocations["transaction_id"],
        res.allocations["score"],
        res.allocations["explanation"],
        strict=True,
    ):
        terms = json.loads(text)
        p = float(score)
        if not 0.0 < p < 1.0:
            continue
        checked += 1
        shared += any(t["feature"] == "iban_customers" for t in terms)
        total = math.fsum(t["weight"] for t in terms if t["feature"] not in _NOT_TERMS)
        if abs(total - math.log(p / (1.0 - p))) > 1e-3:
            off.append(tid)
    assert checked > 2000
    assert shared  # the book has allocations whose payer IBAN several customers share
    assert off == []
