"""Chase what stays unpaid: dunning policy, planner, statutory penalties, letters, outbox.

Everything here is pure and typed: inputs are DataFrames or pydantic models, the clock is
injected (``as_of``), policies and rate tables are frozen models that round-trip through JSON.
"""

from __future__ import annotations

from rapprochement.dunning.actions import DunningAction, DunningItem
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
    "DunningAction",
    "DunningItem",
    "DunningLevel",
    "DunningPolicy",
    "PenaltyResult",
    "PenaltySegment",
    "PolicySet",
    "RatePeriod",
    "RateTable",
    "RateTables",
    "compute_penalties",
    "default_french_policy",
    "default_rate_tables",
    "load_policy",
    "plan_dunning",
]
