"""The hard world with the bank lines that are not customer payments, and returns.

:func:`lines_world` takes a generated hard book and adds, per customer payment (seeded):

- ``non_customer`` lines that look like payments: tax refunds (DGFIP), loan drawdowns (BPI
  FRANCE), card settlements and transfers from the company's second account, each *credit*
  and, half of the time, of exactly the amount of an open invoice (the trap the issue
  describes); plus URSSAF debits and fees carrying a bank transaction code;
- ``returns`` of one-to-one payments: a debit of the same amount a few days later, from the
  same payer, with the original's end-to-end id (when it had one), a SEPA reason code, and in
  half of the cases the return bank code ``PMNT/IDDT/UPDD``; the text is ``RETOUR PRLV
  <invoice>`` or ``REJET``.

Truth: ``lines`` (transaction id → category, ``return`` for returns, ``unrelated`` for the
book's own non-invoice lines) and ``returns`` (return id
→ original id). The generated columns ``bank_transaction_code``, ``code_scheme``,
``return_reason`` are added to the transactions frame (empty for the book's own lines).
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal

import pandas as pd

from benchmarks.generator import Dataset, generate

__all__ = ["OWN_ACCOUNT", "SECOND_ACCOUNT", "LinesWorld", "lines_world"]

OWN_ACCOUNT = "FR7630004000031234567890143"
SECOND_ACCOUNT = "FR7610107001011234567890129"
_REASONS = ("AM04", "MD06", "AC04", "MS02", "MD01")


@dataclass(frozen=True)
class LinesWorld:
    """A hard book with non-customer lines and returns, and their truth."""

    data: Dataset
    transactions: pd.DataFrame
    lines: dict[str, str]
    returns: dict[str, str]


def _non_customer(rng: random.Random, amounts: list[Decimal]) -> tuple[str, str, str, Decimal, str]:
    """(category, name, text, amount, iban) of one line."""
    kind = rng.choice(("tax", "loan", "card", "internal", "social", "fees"))
    equal = rng.random() < 0.5 and amounts
    amount = rng.choice(amounts) if equal else Decimal(rng.randint(1000, 500000)).scaleb(-2)
    n = rng.randint(10000, 99999)
    if kind == "tax":
        return "tax", "DGFIP", f"REMBOURSEMENT CREDIT TVA {n}", amount, ""
    if kind == "loan":
        return "loan", "BPI FRANCE", f"VERSEMENT PRET {n}", amount, ""
    if kind == "card":
        return "card_settlement", "CB REMISE", f"REMISE CB {n}", amount, ""
    if kind == "internal":
        return "internal_transfer", "MA SOCIETE", "ALIMENTATION", amount, SECOND_ACCOUNT
    if kind == "social":
        return "social_charges", "URSSAF ILE DE FRANCE", f"COTISATIONS {n}", -amount, ""
    return "fees", "", f"COMMISSION {n}", -Decimal(rng.randint(100, 5000)).scaleb(-2), ""


def lines_world(
    seed: int, n_payments: int, *, non_customer: float = 0.1, returns: float = 0.03
) -> LinesWorld:
    """The hard book of ``seed`` with non-customer lines and returns added (see module doc)."""
    data = generate(seed, n_payments, "hard")
    rng = random.Random(seed * 7919 + 13)
    tx = data.transactions.copy()
    for col in ("bank_transaction_code", "code_scheme", "return_reason"):
        tx[col] = pd.Series([""] * len(tx), dtype=object)
    amounts = sorted({a for a in data.invoices["amount"] if a > 0})
    start, end = tx["booking_date"].min(), tx["booking_date"].max()
    rows: list[dict[str, object]] = []
    # the book's own unrelated lines (fees, salaries, taxes, card settlements) count too
    unrelated = data.truth.loc[data.truth["kind"] == "unrelated", "transaction_id"]
    truth_lines: dict[str, str] = dict.fromkeys(map(str, unrelated), "unrelated")
    for i in range(round(non_customer * n_payments)):
        cat, name, text, amount, iban = _non_customer(rng, amounts)
        tid = f"NC{i + 1:06d}"
        day = start + dt.timedelta(days=rng.randint(0, (end - start).days))
        code = "PMNT/ICDT/CHRG" if cat == "fees" and rng.random() < 0.5 else ""
        rows.append(_row(tid, day, amount, name, iban, text, code, ""))
        truth_lines[tid] = cat
    truth = data.truth
    singles = truth[(truth["kind"] == "one_to_one")].drop_duplicates("transaction_id")
    by_id = tx.set_index("transaction_id")
    picks = singles.sample(n=min(len(singles), round(returns * n_payments)), random_state=seed)
    truth_returns: dict[str, str] = {}
    for j, (orig, invoice) in enumerate(
        zip(picks["transaction_id"], picks["invoice_id"], strict=True)
    ):
        o = by_id.loc[orig]
        tid = f"RT{j + 1:06d}"
        reason = rng.choice(_REASONS)
        text = f"RETOUR PRLV {invoice}" if rng.random() < 0.6 else f"REJET {reason}"
        code = "PMNT/IDDT/UPDD" if rng.random() < 0.5 else ""
        day = o["booking_date"] + dt.timedelta(days=rng.randint(3, 12))
        row = _row(tid, day, -o["amount"], o["counterparty_name"], o["counterparty_iban"] or "",
                   text, code, reason)  # fmt: skip
        row["end_to_end_id"] = o["end_to_end_id"]
        rows.append(row)
        truth_lines[tid] = "return"
        truth_returns[tid] = str(orig)
    extra = pd.DataFrame(rows, columns=list(tx.columns))
    out = pd.concat([tx, extra], ignore_index=True)
    out = out.sort_values(["booking_date", "transaction_id"], kind="stable").reset_index(drop=True)
    return LinesWorld(data, out, truth_lines, truth_returns)


def _row(
    tid: str, day: dt.date, amount: Decimal, name: str, iban: str, text: str, code: str,
    reason: str,
) -> dict[str, object]:  # fmt: skip
    return {
        "transaction_id": tid, "booking_date": day, "value_date": day, "amount": amount,
        "currency": "EUR", "counterparty_name": name, "counterparty_iban": iban or None,
        "remittance_info": text, "structured_reference": None, "end_to_end_id": None,
        "bank_transaction_code": code, "code_scheme": "camt" if code else "",
        "return_reason": reason,
    }  # fmt: skip
