"""``MatchConfig``: every threshold, tolerance and bound of the matching engine, as data.

Frozen pydantic model that round-trips through JSON (``MatchConfig.model_validate_json``);
each :class:`~rapprochement.matching.result.ReconciliationResult` keeps the config that made it.
Amounts are in major units of the currency (``Decimal``), converted to minor units per currency.
"""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = ["MatchConfig"]


class MatchConfig(BaseModel):
    """Thresholds, tolerances and search bounds of :func:`rapprochement.reconcile`.

    The defaults are safe: ``auto_threshold`` and ``suggest_threshold`` are ``None`` to use the
    thresholds learned with the weights (chosen on training data so that at least 99.5 % of
    automatic allocations are right).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    auto_threshold: float | None = Field(
        None,
        ge=0.0,
        le=1.0,
        description="Score above which an allocation is automatic (None: learned).",
    )
    suggest_threshold: float | None = Field(
        None,
        ge=0.0,
        le=1.0,
        description="Score above which an allocation is suggested (None: learned).",
    )
    fee_min: Decimal = Field(Decimal("0.01"), ge=0, description="Smallest bank fee deducted.")
    fee_max: Decimal = Field(Decimal("50"), ge=0, description="Largest bank fee deducted.")
    fee_max_share: Decimal = Field(
        Decimal("0.10"),
        ge=0,
        le=1,
        description="Largest bank fee as a share of what it is taken from (55.00 paid on "
        "100.00 is a part payment, not a 45.00 fee).",
    )
    discount_min: Decimal = Field(
        Decimal("0.01"), ge=0, le=1, description="Smallest discount rate."
    )
    discount_max: Decimal = Field(Decimal("0.03"), ge=0, le=1, description="Largest discount rate.")
    max_group_size: int = Field(
        10, ge=2, le=30, description="Most invoices one payment may settle."
    )
    max_wide_group_size: int = Field(
        16,
        ge=2,
        le=40,
        description=(
            "Most invoices one payment may settle when its text names some of them and was "
            "cut short (a number cut at the field's width, or no completion within "
            "max_group_size): one exact completion only, and beyond max_group_size a "
            "suggestion (which of many items make up a sum is a guess). Not above "
            "max_group_size: no longer groups."
        ),
    )
    max_group_items: int = Field(
        24,
        ge=2,
        le=60,
        description=(
            "Most open items of one payer searched for a grouped payment (due nearest the "
            "payment first, open credit notes always in). Up to 40 the search is exhaustive "
            "(meet in the middle: 2^(n/2) sums per half, so each item more costs ~1.4x)."
        ),
    )
    max_search_nodes: int = Field(
        2_000,
        ge=100,
        description=(
            "Node budget of a depth-first subset-sum search (partly paid completions, split "
            "payments, and group searches over more than 40 items)."
        ),
    )
    time_limit_s: float | None = Field(
        None,
        gt=0,
        description=(
            "Optional wall-clock budget of the group search over all payers. None (default): "
            "no clock, so results never depend on machine load; each search is already bounded "
            "by max_search_nodes. When set, payments reached after the deadline get no group."
        ),
    )
    name_min_similarity: float = Field(
        70.0, ge=0, le=100, description="Payer-name similarity (0-100) that makes a candidate."
    )
    max_amount_bucket: int = Field(
        25, ge=1, description="Exact-amount blocks larger than this are skipped (too common)."
    )
    max_iban_customers: int = Field(
        10,
        ge=1,
        description=(
            "An IBAN known for more customers than this (a factor, a payment service, a parent "
            "paying for its subsidiaries) links a payment to none of them by IBAN alone."
        ),
    )
    max_customer_items: int = Field(
        200, ge=1, description="Most open items per payer paired with one payment."
    )
    date_window_days: int = Field(
        400, ge=1, description="Payments this many days away from an invoice date are not paired."
    )
    weights_path: str | None = Field(
        None,
        description=(
            "A weights file (the format of the shipped weights.json, e.g. written by "
            "`python -m benchmarks.train --out`) to score with instead of the shipped one; "
            "its learned thresholds apply unless auto/suggest_threshold are set. None: shipped."
        ),
    )

    chance_correction: bool = Field(
        True,
        description=(
            "Correct the weights of amount, name, IBAN and date agreement by how often random "
            "(payment, open item) pairs of this book agree by chance, against the training "
            "books (Fellegi-Sunter u-probabilities, see rapprochement.matching.chance). Needs "
            "weights that store the training rates (`chance`); False: the learned weights as is."
        ),
    )
    chance_features: tuple[str, ...] = Field(
        ("amount", "items"),
        description=(
            "What the chance correction adjusts: features (amount, name, iban, date), payer "
            "(IBAN and name jointly) and items (the book's number of open items)."
        ),
    )
    chance_sample: int = Field(
        50_000, ge=100, description="Random pairs drawn to estimate chance agreement."
    )
    chance_prior_pairs: int = Field(
        10_000,
        ge=0,
        description=(
            "Pseudo-pairs at the training rate the book's own rate is shrunk with: a book of "
            "fewer pairs than this mostly keeps the training weights."
        ),
    )
    chance_max_shift: float = Field(
        2.0, ge=0, le=10, description="Largest correction of one level's weight (log-odds)."
    )

    @model_validator(mode="after")
    def _check_bounds(self) -> MatchConfig:
        if self.fee_min > self.fee_max:
            raise ValueError("fee_min must not exceed fee_max")
        if self.discount_min > self.discount_max:
            raise ValueError("discount_min must not exceed discount_max")
        a, s = self.auto_threshold, self.suggest_threshold
        if a is not None and s is not None and s > a:
            raise ValueError("suggest_threshold must not exceed auto_threshold")
        return self
