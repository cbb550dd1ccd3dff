"""Bank lines that are not customer payments: rules as data, categories, returns.

>>> from rapprochement.rules import load_rules, starter_rules          # doctest: +SKIP
>>> rules = starter_rules().merged(load_rules("my_rules.toml"))        # doctest: +SKIP
>>> rapprochement.reconcile(statements, invoices, rules=rules)        # doctest: +SKIP

Modules: :mod:`.model` (``LineRule``, ``RuleSet``), :mod:`.load` (JSON / TOML),
:mod:`.match` (which rule wins, and why), :mod:`.facts` (what a rule sees of a line),
:mod:`.returns` (return, reject and reversal signals), :mod:`.starter` (the starter set),
:mod:`.split` (categorized lines taken out of the matcher's input). See ``docs/rules.md``.
"""

from __future__ import annotations

from rapprochement.rules.load import load_rules
from rapprochement.rules.match import Categorization, LineFacts, categorize
from rapprochement.rules.model import CATEGORIES, LineRule, RuleSet
from rapprochement.rules.returns import ReturnSignal, return_signal
from rapprochement.rules.starter import starter_rules

__all__ = [
    "CATEGORIES",
    "Categorization",
    "LineFacts",
    "LineRule",
    "ReturnSignal",
    "RuleSet",
    "categorize",
    "load_rules",
    "return_signal",
    "starter_rules",
]
