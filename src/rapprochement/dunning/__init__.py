"""Chase what stays unpaid: dunning policy, planner (statements of account on business days),
statutory penalties, letters (text, HTML, PDF), outbox and sending by e-mail.

Planning is pure and typed: inputs are DataFrames or pydantic models, the clock is injected
(``as_of``), policies and rate tables are frozen models that round-trip through JSON. Writing
the outbox and sending are the only steps with effects.
"""

from __future__ import annotations

from rapprochement.dunning.actions import DunningAction, DunningItem
from rapprochement.dunning.calendar import BusinessCalendar
from rapprochement.dunning.letters import Creditor, Letter, render_letter
from rapprochement.dunning.mailer import SmtpSettings, load_smtp_settings, send_entries
from rapprochement.dunning.outbox import OutboxEntry, write_outbox
from rapprochement.dunning.penalties import PenaltyResult, PenaltySegment, compute_penalties
from rapprochement.dunning.planner import plan_dunning
from rapprochement.dunning.policy import (
    DunningLevel,
    DunningPolicy,
    PolicySet,
    default_french_policy,
    load_policy,
)
from rapprochement.dunning.rates import RatePeriod, RateTable, RateTables, default_rate_tables

__all__ = [
    "BusinessCalendar",
    "Creditor",
    "DunningAction",
    "DunningItem",
    "DunningLevel",
    "DunningPolicy",
    "Letter",
    "OutboxEntry",
    "PenaltyResult",
    "PenaltySegment",
    "PolicySet",
    "RatePeriod",
    "RateTable",
    "RateTables",
    "SmtpSettings",
    "compute_penalties",
    "default_french_policy",
    "default_rate_tables",
    "load_policy",
    "load_smtp_settings",
    "plan_dunning",
    "render_letter",
    "send_entries",
    "write_outbox",
]
