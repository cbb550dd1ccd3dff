"""Chance agreement of a book (:mod:`rapprochement.matching.chance`): the estimate is
deterministic, does not depend on input order, counts equal amounts over every pair, and a
small book's correction is shrunk toward the training weights and bounded."""

from __future__ import annotations

import json
import math
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

import rapprochement
from rapprochement.matching import engine
from rapprochement.matching.chance import (
    Chance,
    book_chance,
    corrections,
    pooled,
    shift_frame,
    shift_terms,
)
from rapprochement.matching.config import MatchConfig
from rapprochement.matching.result import explanation_of
from rapprochement.matching.scoring import load_weights

_TRAIN = {
    "amount": {"exact": 0.0005, "partial": 0.49, "over_large": 0.41},
    "name": {"exact": 0.004, "low": 0.97},
}


def _book(n_tx: int, n_inv: int, seed: int, equal: float = 0.0) -> tuple[pd.DataFrame, ...]:
    """A random book; a share ``equal`` of payments and items is 49.00 (a subscription)."""
    rng = np.random.default_rng(seed)

    def amounts(n: int) -> list[str]:
        cents = rng.integers(1_000, 900_000, n)
        cents[rng.random(n) < equal] = 4_900
        return [f"{c / 100:.2f}" for c in cents]

    tx = pd.DataFrame(
        {
            "transaction_id": [f"T{k:05d}" for k in range(n_tx)],
            "booking_date": [f"2026-03-{1 + k % 28:02d}" for k in range(n_tx)],
            "amount": amounts(n_tx),
            "currency": "EUR",
            "counterparty_name": [f"Client {k % 37} SARL" for k in range(n_tx)],
            "counterparty_iban": "",
            "remittance_info": "VIREMENT",
        }
    )
    inv = pd.DataFrame(
        {
            "invoice_id": [f"F{k:05d}" for k in range(n_inv)],
            "customer_id": [f"C{k % 41}" for k in range(n_inv)],
            "customer_name": [f"Client {k % 41} SARL" for k in range(n_inv)],
            "amount": amounts(n_inv),
            "currency": "EUR",
            "issue_date": [f"2026-02-{1 + k % 28:02d}" for k in range(n_inv)],
            "due_date": [f"2026-03-{1 + k % 28:02d}" for k in range(n_inv)],
        }
    )
    return tx, inv


def _chance(tx: pd.DataFrame, inv: pd.DataFrame, config: MatchConfig | None = None) -> Chance:
    t, i, _ = engine.prepare(tx, inv)
    (part,) = engine.partitions(t, i, None)
    return book_chance(part.tx, part.inv, config or MatchConfig(), part.currency)


def test_the_estimate_is_deterministic_and_order_independent() -> None:
    tx, inv = _book(400, 500, seed=1)
    config = MatchConfig(chance_sample=5_000)  # fewer than 400 x 500: pairs are drawn
    first = _chance(tx, inv, config)
    assert first.n > 4_000
    assert _chance(tx, inv, config) == first
    shuffled = _chance(
        tx.sample(frac=1.0, random_state=3), inv.sample(frac=1.0, random_state=4), config
    )
    assert shuffled == first


def test_amounts_agree_by_chance_only_between_strangers() -> None:
    # every payer pays its own item exactly, and no two amounts are alike: no chance agreement
    tx, inv = _subscriptions(dense=False)
    c = _chance(tx, inv)
    assert c.n == 60 * 60
    assert c.strangers < c.n
    assert c.share["amount"]["exact"] == 0.0
    assert c.share["payer"]["unknown/exact"] > 0.01  # the payer's own item, 1 pair in 60
    # the same book where every item is 49.00: every stranger agrees
    assert _chance(*_subscriptions(dense=True)).share["amount"]["exact"] == 1.0


def test_a_dense_book_weighs_equal_amounts_down() -> None:
    tx, inv = _book(300, 300, seed=3, equal=0.3)
    shifts = corrections(_chance(tx, inv), _TRAIN, MatchConfig())
    shift, share = shifts["amount"]["exact"]
    assert share > 0.05  # about 0.3 x 0.3 of random pairs are 49.00 against 49.00
    assert shift == -MatchConfig().chance_max_shift  # bounded
    # a share as at training moves nothing
    same = Chance(10**6, {"amount": {"exact": 0.0005, "partial": 0.49, "over_large": 0.41}})
    assert "amount" not in corrections(same, _TRAIN, MatchConfig())


def test_a_tiny_book_is_shrunk_toward_the_training_rates() -> None:
    # 1 pair in 4 agrees on the amount: 500 times the training rate, on 4 pairs only
    tiny = Chance(4, {"amount": {"exact": 0.25, "partial": 0.5, "over_large": 0.25}})
    shift, _ = corrections(tiny, _TRAIN, MatchConfig())["amount"]["exact"]
    assert -0.2 < shift < 0
    # the same rate on a large book is believed (up to the bound)
    large = Chance(10**6, tiny.share)
    assert corrections(large, _TRAIN, MatchConfig())["amount"]["exact"][0] == -2.0
    # no shrinkage at all: the tiny book's own rate
    raw = corrections(tiny, _TRAIN, MatchConfig(chance_prior_pairs=0, chance_max_shift=10))
    assert math.isclose(raw["amount"]["exact"][0], math.log(0.0005 / 0.25), abs_tol=1e-3)


def test_a_level_rarer_than_at_training_is_not_weighed_up() -> None:
    never = Chance(10**6, {"amount": {"exact": 0.0, "partial": 0.6, "over_large": 0.4}})
    shifts = corrections(never, _TRAIN, MatchConfig())
    assert "exact" not in shifts.get("amount", {})
    assert all(shift < 0 for lv in shifts.values() for shift, _ in lv.values())


def test_only_the_configured_features_are_corrected() -> None:
    book = Chance(10**6, {"amount": {"exact": 0.01}, "name": {"exact": 0.04}})
    assert set(corrections(book, _TRAIN, MatchConfig())) == {"amount"}  # the default
    both = MatchConfig(chance_features=("amount", "name"))
    assert set(corrections(book, _TRAIN, both)) == {"amount", "name"}


def test_training_rates_are_pooled_per_book() -> None:
    a = Chance(100, {"amount": {"exact": 0.002}}, items=10)
    b = Chance(10_000, {"amount": {"exact": 0.0}}, items=30)
    rates = pooled([a, b, Chance(0, {})])
    assert rates["amount"]["exact"] == 0.001  # each book weighs the same
    assert rates["amount"]["partial"] == 0.0


# ---- the engine with weights that carry training rates ---------------------------------------


def _weights_with_rates(tmp: Path) -> str:
    """The shipped weights with training rates as the generator's hard books have them (a
    random pair agrees on the amount 5 times in 10 000, on the payer's IBAN 12 in 10 000)."""
    doc = json.loads(resources.files("rapprochement.matching").joinpath("weights.json").read_text())
    doc["chance"] = {
        "amount": {"exact": 0.0005, "fee": 0.013, "partial": 0.49, "over": 0.073},
        "payer": {"known/exact": 0.0011, "unknown/exact": 0.0033, "unknown/low": 0.75},
        "items": {"open": 6390.0},
    }
    path = tmp / "weights.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    return str(path)


def _subscriptions(dense: bool) -> tuple[pd.DataFrame, pd.DataFrame]:
    """60 customers; each pays one open item by name. Dense: every item is the same 49.00
    (a subscription book); sparse: every item has its own amount."""
    n = 60
    amounts = ["49.00" if dense else f"{49 + 7 * k}.{k % 100:02d}" for k in range(n)]
    names = [f"{w} {k}" for k, w in enumerate(["Atelier", "Boulangerie", "Cabinet"] * 20)]
    inv = pd.DataFrame(
        {
            "invoice_id": [f"AB-{k:04d}" for k in range(n)],
            "customer_id": [f"C{k}" for k in range(n)],
            "customer_name": names,
            "amount": amounts,
            "currency": "EUR",
            "issue_date": "2026-02-01",
            "due_date": "2026-03-01",
        }
    )
    tx = pd.DataFrame(
        {
            "transaction_id": [f"T{k:04d}" for k in range(n)],
            "booking_date": "2026-03-02",
            "amount": amounts,
            "currency": "EUR",
            "counterparty_name": [x.upper() for x in names],
            "counterparty_iban": "",
            "remittance_info": "PRELEVEMENT ABONNEMENT",
        }
    )
    return tx, inv


def _scores(res: rapprochement.ReconciliationResult) -> dict[tuple[str, str], float]:
    a = res.allocations
    return dict(
        zip(zip(a["transaction_id"], a["invoice_id"], strict=True), a["score"], strict=True)
    )


def test_a_dense_book_weighs_the_amount_less(tmp_path: Path) -> None:
    """The same payments, each naming its payer, settle the same items; where every item is
    49.00 the amount tells nothing, so each allocation scores lower and says why."""
    config = MatchConfig(weights_path=_weights_with_rates(tmp_path), chance_prior_pairs=100)
    dense = rapprochement.reconcile(*_subscriptions(True), config=config)
    sparse = rapprochement.reconcile(*_subscriptions(False), config=config)
    d, s = _scores(dense), _scores(sparse)
    assert set(d) == set(s) == {(f"T{k:04d}", f"AB-{k:04d}") for k in range(60)}
    assert all(d[k] < s[k] for k in d)
    expl = explanation_of(dense.allocations["explanation"].iat[0])
    terms = [c for c in expl if c.feature == "chance" and "amount=exact" in c.value]
    assert terms
    assert terms[0].weight < 0
    assert "weighed down" in terms[0].value
    assert "100 % of random pairs" in terms[0].value  # every stranger's item is 49.00 too
    # the flag off: the learned weights as they are, the dense book scored as the sparse one
    off = rapprochement.reconcile(
        *_subscriptions(True), config=config.model_copy(update={"chance_correction": False})
    )
    assert not any(
        c.feature == "chance" for c in explanation_of(off.allocations["explanation"].iat[0])
    )
    o = _scores(off)
    untied = [k for k in d if o[k] > 0.5]  # equal payments of look-alike payers are ties
    assert len(untied) > 30
    assert all(d[k] < o[k] for k in untied)


def test_the_result_does_not_depend_on_input_order(tmp_path: Path) -> None:
    config = MatchConfig(weights_path=_weights_with_rates(tmp_path), chance_sample=500)
    tx, inv = _subscriptions(True)
    first = rapprochement.reconcile(tx, inv, config=config)
    again = rapprochement.reconcile(
        tx.iloc[::-1].reset_index(drop=True), inv.sample(frac=1.0, random_state=5), config=config
    )
    assert _scores(again) == _scores(first)


def test_weights_without_rates_are_left_alone(tmp_path: Path) -> None:
    doc = json.loads(Path(_weights_with_rates(tmp_path)).read_text(encoding="utf-8"))
    del doc["chance"]  # weights fitted before the rates were stored
    path = tmp_path / "old.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    assert not load_weights(str(path)).chance
    tx, inv = _subscriptions(True)
    on = rapprochement.reconcile(tx, inv, config=MatchConfig(weights_path=str(path)))
    off = MatchConfig(weights_path=str(path), chance_correction=False)
    assert _scores(on) == _scores(rapprochement.reconcile(tx, inv, config=off))


def test_a_larger_book_lowers_only_readings_without_a_unique_level() -> None:
    train = {**_TRAIN, "items": {"open": 1_000.0}}
    big = Chance(10**6, {"amount": {"exact": 0.0005}}, items=4_000)
    shifts = corrections(big, train, MatchConfig())
    assert math.isclose(shifts["items"]["open"][0], math.log(1 / 4), abs_tol=1e-3)
    rows = pd.DataFrame(
        {
            "reference": ["none", "exact", "none", "none", "digits"],
            "iban": ["unknown", "unknown", "known", "unknown", "other"],
            "name": ["high", "low", "low", "exact", "medium"],
        }
    )
    got = shift_frame(rows, shifts)
    assert got[0] == got[4] == shifts["items"]["open"][0]  # a look-alike name, digits
    assert list(got[1:4]) == [0.0, 0.0, 0.0]  # the invoice's number, the IBAN, the exact name
    assert shift_terms(rows.iloc[0].to_dict(), shifts, train)[0][0].startswith("4000 open items")
    assert shift_terms(rows.iloc[1].to_dict(), shifts, train) == []
    # a smaller book keeps the training prior
    small = Chance(10**6, {"amount": {"exact": 0.0005}}, items=100)
    assert "items" not in corrections(small, train, MatchConfig())
