"""rapprochement: bank statements to reconciled books and collected cash.

Parse CAMT / MT940 / OFX statements into one typed model, match payments to open invoices,
keep a ledger, and chase what stays unpaid. The public API is the sorted ``__all__`` below;
everything else is internal.
"""

from __future__ import annotations

import importlib
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any

from rapprochement.errors import (
    ArchiveLimitError,
    MalformedStatementError,
    RapprochementError,
    StatementError,
    StrictModeError,
    UnknownFormatError,
    UnsupportedVersionError,
)
from rapprochement.model import (
    Balance,
    Entry,
    Finding,
    Invoice,
    ReferredDocument,
    SourceRef,
    Statement,
    Transaction,
)
from rapprochement.parsers import (
    StatementFormat,
    ZipLimits,
    iter_statement,
    read_statement,
    sniff_format,
)
from rapprochement.rules import LineRule, RuleSet, load_rules, starter_rules

if TYPE_CHECKING:
    from rapprochement.matching import (
        MatchConfig,
        ReconciliationResult,
        reconcile,
        transactions_frame,
    )

# Matching needs pandas and scipy (about 0.6 s and 70 MB to import): loaded on first use, so
# that a program that only reads statements does not pay for it.
_LAZY = {
    "MatchConfig": "rapprochement.matching",
    "ReconciliationResult": "rapprochement.matching",
    "reconcile": "rapprochement.matching",
    "transactions_frame": "rapprochement.matching",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        # ``rapprochement.matching`` and the other subpackages, as before the lazy load.
        try:
            return importlib.import_module(f"rapprochement.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"rapprochement.{name}":
                raise  # the subpackage exists; a dependency of it is missing
            raise AttributeError(f"module 'rapprochement' has no attribute {name!r}") from None
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})


try:
    __version__ = version("rapprochement")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0.0.0"

__all__ = [
    "ArchiveLimitError",
    "Balance",
    "Entry",
    "Finding",
    "Invoice",
    "LineRule",
    "MalformedStatementError",
    "MatchConfig",
    "RapprochementError",
    "ReconciliationResult",
    "ReferredDocument",
    "RuleSet",
    "SourceRef",
    "Statement",
    "StatementError",
    "StatementFormat",
    "StrictModeError",
    "Transaction",
    "UnknownFormatError",
    "UnsupportedVersionError",
    "ZipLimits",
    "__version__",
    "iter_statement",
    "load_rules",
    "read_statement",
    "reconcile",
    "sniff_format",
    "starter_rules",
    "transactions_frame",
]
