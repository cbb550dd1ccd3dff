"""Dunning policy as data: levels, channels, templates, fees, thresholds, per customer segment.

A :class:`DunningPolicy` is a frozen pydantic model that round-trips through JSON
(``DunningPolicy.model_validate_json(p.model_dump_json()) == p``). A :class:`PolicySet` maps
customer segments (e.g. the ones :func:`rapprochement.kpi.payer_scores` assigns) to policies.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from rapprochement.errors import ConfigError

__all__ = [
    "Anchor",
    "Channel",
    "DunningLevel",
    "DunningPolicy",
    "PolicySet",
    "default_french_policy",
    "load_policy",
]

Anchor = Literal["due_date", "end_of_month", "previous"]
Channel = Literal["email", "letter", "phone", "registered_letter", "litigation"]


class DunningLevel(BaseModel):
    """One step of the reminder sequence."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(description="Stable id of the level: friendly, reminder1, formal_notice...")
    anchor: Anchor = Field(
        "due_date",
        description="What offset_days counts from: the due date, the end of the due date's "
        "month, or the date of the previous level's action on the invoice.",
    )
    offset_days: int = Field(description="Days after the anchor (negative = before the due date).")
    channel: Channel = Field(description="email, letter, phone (call task), registered_letter...")
    template: str = Field(description="Template name in dunning/templates/<language>/.")
    fee: Decimal = Field(Decimal("0"), description="Fee added to the letter (0 = none).")
    min_amount: Decimal = Field(
        Decimal("0"), description="No action when the grouped open amount is below this."
    )
    include_penalties: bool = Field(False, description="Compute and state statutory penalties.")
    payment_days: int = Field(8, description="Deadline given to pay: action date + this.")
    skippable: bool = Field(
        False,
        description="Skip this level when the next one is already due (e.g. a pre-due courtesy "
        "reminder for an invoice that is already overdue).",
    )
    business_days: bool = Field(
        False,
        description="offset_days, the grace days and payment_days count business days "
        "(weekends and the public holidays of the policy's country skipped).",
    )

    @property
    def pre_due(self) -> bool:
        """A courtesy level before (or on) the due date: never sent once the invoice is late."""
        return self.anchor == "due_date" and self.offset_days <= 0


class DunningPolicy(BaseModel):
    """An ordered sequence of levels and the rules applied to every level."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(description="Policy id, recorded with each action.")
    levels: tuple[DunningLevel, ...] = Field(description="Levels in escalation order.")
    grace_days: int = Field(0, description="Days tolerated after the due date (overdue levels).")
    min_interval_days: int = Field(
        7, ge=1, description="Minimum days between two actions on the same invoice (≥ 1)."
    )
    jurisdiction: str = Field("FR", description="Law for penalties: FR, EU or DE.")
    b2b: bool = Field(True, description="Debtors are professionals.")
    contractual_rate: Decimal | None = Field(None, description="Agreed late-payment rate, %.")
    language: Literal["fr", "en"] = Field("fr", description="Language of the letters.")
    country: str | None = Field(
        None,
        description="Creditor's country (ISO 3166) whose public holidays are no business days;"
        " None: the jurisdiction's (FR, DE; weekends only for EU); '': weekends only.",
    )

    @property
    def holiday_country(self) -> str:
        """The country of the business-day calendar (``""`` = weekends only)."""
        if self.country is not None:
            return self.country
        return self.jurisdiction if self.jurisdiction in ("FR", "DE") else ""

    @model_validator(mode="after")
    def _check(self) -> DunningPolicy:
        names = [lv.name for lv in self.levels]
        if not names:
            raise ValueError("a policy needs at least one level")
        if len(set(names)) != len(names):
            raise ValueError(f"level names must be unique: {names}")
        return self

    def level_index(self, name_or_index: int | str) -> int | None:
        """Index of a level given its index or name; None when unknown to this policy."""
        if isinstance(name_or_index, int):
            return name_or_index if 0 <= name_or_index < len(self.levels) else None
        for i, lv in enumerate(self.levels):
            if lv.name == name_or_index:
                return i
        return None


class PolicySet(BaseModel):
    """Policies by customer segment, with a default for customers without one."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    default: DunningPolicy = Field(description="Policy for customers with no (known) segment.")
    by_segment: dict[str, DunningPolicy] = Field(
        default_factory=dict, description="Segment name → policy."
    )

    def for_segment(self, segment: str | None) -> DunningPolicy:
        """The policy of ``segment``, else the default."""
        if segment is not None and segment in self.by_segment:
            return self.by_segment[segment]
        return self.default


def _eom(day: dt.date) -> dt.date:
    nxt = dt.date(day.year + (day.month == 12), day.month % 12 + 1, 1)
    return nxt - dt.timedelta(days=1)


def end_of_month(day: dt.date) -> dt.date:
    """Last day of ``day``'s month."""
    return _eom(day)


def default_french_policy(language: Literal["fr", "en"] = "fr") -> DunningPolicy:
    """French practice: friendly reminder, 1st and 2nd reminders, phone call, mise en demeure
    (registered letter, with penalties and the €40 indemnity), then hand-over to litigation.

    ====================  ==========================  =================  ================
    level                 when                        channel            penalties stated
    ====================  ==========================  =================  ================
    friendly              5 days before due date      email              no
    reminder1             due date + 7 (+ grace 3)    email              no
    reminder2             previous + 15               letter             yes
    phone                 previous + 7                phone (call task)  yes
    formal_notice         previous + 10               registered_letter  yes
    litigation            previous + 15               litigation (task)  yes
    ====================  ==========================  =================  ================
    """
    return DunningPolicy(
        name="fr-default",
        grace_days=3,
        min_interval_days=7,
        language=language,
        levels=(
            DunningLevel(name="friendly", offset_days=-5, channel="email", template="friendly",
                         skippable=True, payment_days=0),
            DunningLevel(name="reminder1", offset_days=7, channel="email", template="reminder1",
                         min_amount=Decimal("10")),
            DunningLevel(name="reminder2", anchor="previous", offset_days=15, channel="letter",
                         template="reminder2", include_penalties=True, min_amount=Decimal("10")),
            DunningLevel(name="phone", anchor="previous", offset_days=7, channel="phone",
                         template="phone", include_penalties=True, min_amount=Decimal("10")),
            DunningLevel(name="formal_notice", anchor="previous", offset_days=10,
                         channel="registered_letter", template="formal_notice",
                         include_penalties=True, min_amount=Decimal("10"), payment_days=8),
            DunningLevel(name="litigation", anchor="previous", offset_days=15,
                         channel="litigation", template="litigation", include_penalties=True,
                         min_amount=Decimal("10"), payment_days=0),
        ),
    )  # fmt: skip


def load_policy(path: str | Path) -> DunningPolicy | PolicySet:
    """Read a :class:`DunningPolicy` or a :class:`PolicySet` from a JSON file.

    Raises:
        ConfigError: the file cannot be read or is neither shape (the pydantic message says why).
    """
    p = Path(path)
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise ConfigError(f"cannot read policy: {exc.strerror}", file=str(p)) from None
    try:
        if b'"by_segment"' in raw or b'"default"' in raw:
            return PolicySet.model_validate_json(raw)
        return DunningPolicy.model_validate_json(raw)
    except ValueError as exc:
        raise ConfigError(f"invalid policy: {exc}", file=str(p)) from None
