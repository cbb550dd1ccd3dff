"""Rates of the synthetic book by difficulty (../shared/DOMAIN.md §4).

Two families of rates, both overridable with ``generate(..., **rates)``:

* **kind shares** (:data:`KINDS`): the structure of a customer payment. ``one_to_one`` takes
  what the other shares leave (``1 - sum``), so overriding ``grouped=0.3`` shrinks it.
* **noise rates** (:data:`NOISE`): probabilities applied on top of any kind (payer is not the
  customer, garbled reference, no remittance, ...), plus volume ratios (``unrelated`` lines
  and ``open_ratio`` open invoices that no payment settles, per customer payment).
"""

from __future__ import annotations

__all__ = ["DIFFICULTIES", "KINDS", "NOISE", "resolve_rates"]

DIFFICULTIES: tuple[str, ...] = ("easy", "medium", "hard")

#: Structural kinds of a customer payment and their share on each difficulty.
KINDS: dict[str, dict[str, float]] = {
    "grouped": {"easy": 0.05, "medium": 0.09, "hard": 0.13},
    "partial": {"easy": 0.02, "medium": 0.03, "hard": 0.04},
    "instalment": {"easy": 0.0, "medium": 0.02, "hard": 0.03},
    "split": {"easy": 0.0, "medium": 0.02, "hard": 0.03},
    "overpayment": {"easy": 0.01, "medium": 0.02, "hard": 0.03},
    "duplicate": {"easy": 0.0, "medium": 0.01, "hard": 0.02},
    "discount": {"easy": 0.02, "medium": 0.04, "hard": 0.06},
    "short_pay": {"easy": 0.0, "medium": 0.02, "hard": 0.04},
    "fee": {"easy": 0.02, "medium": 0.04, "hard": 0.06},
    "fx": {"easy": 0.0, "medium": 0.02, "hard": 0.03},
    "credit_note": {"easy": 0.02, "medium": 0.03, "hard": 0.05},
}

#: Noise rates (probabilities or ratios) on each difficulty.
NOISE: dict[str, dict[str, float]] = {
    # share of customers paid (80 % of the time) by a parent company, factor or accountant
    "payer_not_customer": {"easy": 0.03, "medium": 0.07, "hard": 0.12},
    # payer name cut at 35 or 70 characters (after the bank glued the address)
    "name_truncated": {"easy": 0.05, "medium": 0.10, "hard": 0.15},
    # invoice number written with a mistake (separators, zeros, transposed, wrap, glued...)
    "ref_garbled": {"easy": 0.05, "medium": 0.12, "hard": 0.20},
    # customer's PO number instead of the invoice number
    "ref_po": {"easy": 0.01, "medium": 0.03, "hard": 0.05},
    # no usable remittance at all
    "no_remittance": {"easy": 0.04, "medium": 0.09, "hard": 0.14},
    # invoices carrying an RF (FR and others) / OGM (BE) / QR (CH) reference
    "structured_ref": {"easy": 0.40, "medium": 0.30, "hard": 0.25},
    # share of customers billed a fixed monthly amount (several open invoices, equal amounts)
    "subscription": {"easy": 0.03, "medium": 0.06, "hard": 0.10},
    # open non-paid invoices of the same customer copying a paid invoice's amount
    "equal_amount_distractor": {"easy": 0.05, "medium": 0.10, "hard": 0.15},
    # payment booked before the invoice is issued (pro forma, deposit)
    "before_invoice": {"easy": 0.0, "medium": 0.02, "hard": 0.03},
    # grouped payments that come with remittance-advice lines (the `remittances` frame)
    "remittance_advice": {"easy": 0.5, "medium": 0.4, "hard": 0.3},
    # a grouped payment with one invoice only partly paid
    "grouped_partial": {"easy": 0.0, "medium": 0.15, "hard": 0.25},
    # payment without counterparty IBAN (non-SEPA, cheque lodgement)
    "missing_iban": {"easy": 0.0, "medium": 0.02, "hard": 0.03},
    # unrelated bank lines (fees, salaries, taxes, card settlements) per customer payment
    "unrelated": {"easy": 0.05, "medium": 0.08, "hard": 0.10},
    # open invoices no payment settles, per customer payment (the rival candidates)
    "open_ratio": {"easy": 0.3, "medium": 0.5, "hard": 0.8},
    # customers whose payer IBAN (and name as the bank shows it) the ledger has learned
    "learned_iban": {"easy": 0.6, "medium": 0.6, "hard": 0.6},
    # customers whose IBAN is in the customer master (the invoices' customer_iban column)
    "master_iban": {"easy": 0.5, "medium": 0.4, "hard": 0.3},
    # largest grouped payment (number of invoices)
    "max_group": {"easy": 3, "medium": 6, "hard": 10},
}


def resolve_rates(difficulty: str, overrides: dict[str, float]) -> dict[str, float]:
    """All rates for ``difficulty`` with ``overrides`` applied; kind shares sum to 1.

    Raises:
        ValueError: unknown difficulty, unknown rate name, or a negative rate.
    """
    if difficulty not in DIFFICULTIES:
        raise ValueError(f"difficulty must be one of {DIFFICULTIES}, got {difficulty!r}")
    unknown = set(overrides) - set(KINDS) - set(NOISE) - {"one_to_one"}
    if unknown:
        known = ", ".join(sorted([*KINDS, *NOISE, "one_to_one"]))
        raise ValueError(f"unknown rate(s) {sorted(unknown)}; known: {known}")
    out = {k: v[difficulty] for k, v in KINDS.items()}
    out.update({k: v[difficulty] for k, v in NOISE.items()})
    out.update(overrides)
    if any(v < 0 for v in out.values()):
        raise ValueError(f"rates must be >= 0: {overrides}")
    others = sum(out[k] for k in KINDS)
    if "one_to_one" not in overrides:
        out["one_to_one"] = max(0.0, 1.0 - others)
    total = others + out["one_to_one"]
    if total <= 0:
        raise ValueError("at least one kind share must be > 0")
    for k in (*KINDS, "one_to_one"):
        out[k] /= total
    return out
