"""The exceptions rapprochement raises, all from one root.

Recoverable problems inside a readable file are *findings* (values on the statement, see
:class:`rapprochement.model.Finding`); the exceptions below are for what cannot be read or used
at all. Every error names the file or input, the place (line, XPath, column, row) when known, and
what to do about it.

A model built from bad values (``Invoice(currency="ABC")``) raises an ``InputError`` subclass
too, naming the model as ``file`` and the field as ``location``; pydantic's ``ValidationError``
is its ``__cause__``. These errors do not derive from ``ValueError``, which pydantic would wrap.

::

    RapprochementError
    ├── StatementError                 a statement file cannot be read
    │   ├── UnknownFormatError         the bytes are not a format we read
    │   ├── MalformedStatementError    the format is known but the file is broken
    │   ├── UnsupportedVersionError    a known format in a version we do not read
    │   ├── ArchiveLimitError          a ZIP archive exceeds a bound (size, ratio, members)
    │   └── StrictModeError            strict=True and the file has findings
    ├── InputError                     matching inputs (DataFrames, models) are unusable
    │   ├── ColumnError                missing or misnamed columns
    │   ├── DuplicateIdError           ids that must be unique are not
    │   ├── AmountError                NaN, empty, inexact, too large or wrong-sign amounts
    │   ├── CurrencyError              non-ISO 4217 codes, or mixed currencies without a rate
    │   └── DateError                  impossible dates, or a day/month order left open
    ├── ConfigError                    a configuration or policy is invalid
    ├── LedgerError                    the ledger store refused an operation
    │   └── NotFoundError              an id given to the ledger does not exist
    └── DunningError                   dunning and penalty computations
        ├── RateTableError             a rate is missing for a period (never guessed)
        ├── SendError                  sending letters by e-mail stopped midway
        └── TemplateError              a letter template failed to render
"""

from __future__ import annotations

__all__ = [
    "AmountError",
    "ArchiveLimitError",
    "ColumnError",
    "ConfigError",
    "CurrencyError",
    "DateError",
    "DunningError",
    "DuplicateIdError",
    "FormatPluginError",
    "InputError",
    "LedgerError",
    "MalformedStatementError",
    "NotFoundError",
    "RapprochementError",
    "RateTableError",
    "SendError",
    "StatementError",
    "StrictModeError",
    "TemplateError",
    "UnknownFormatError",
    "UnsupportedVersionError",
]


class RapprochementError(Exception):
    """Root of every error raised by rapprochement.

    Args:
        message: what went wrong, in one sentence.
        file: the file (or input name) concerned, when there is one.
        location: where in it: ``"line 12"``, an XPath, ``"column amount, rows 3, 7"``.
        hint: what the user can do about it.
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        location: str | None = None,
        hint: str | None = None,
    ) -> None:
        self.message = message
        self.file = file
        self.location = location
        self.hint = hint
        super().__init__(self._render())

    def _render(self) -> str:
        where = ": ".join(p for p in (self.file, self.location) if p)
        text = f"{where}: {self.message}" if where else self.message
        if self.hint:
            text = f"{text} (hint: {self.hint})"
        return text


class StatementError(RapprochementError):
    """A statement file cannot be read."""


class FormatPluginError(StatementError):
    """A statement format installed through the ``rapprochement.formats`` entry points cannot
    be used: it does not load, does not follow :class:`~rapprochement.StatementFormat`, or
    takes the name of a format already known."""


class UnknownFormatError(StatementError):
    """The bytes are not CAMT, MT940/MT942 or OFX (or the format named is unknown)."""


class MalformedStatementError(StatementError):
    """The format is recognised but the file is broken beyond what a finding can describe."""


class UnsupportedVersionError(StatementError):
    """The format is recognised but this version of it is not supported."""


class ArchiveLimitError(StatementError):
    """A ZIP archive exceeds one of the bounds of :class:`~rapprochement.parsers.ZipLimits`.

    Attributes:
        limit: the name of the bound exceeded (``"member_bytes"``, ``"total_bytes"``,
            ``"ratio"``, ``"members"``), a field of ``ZipLimits``.
    """

    def __init__(self, message: str, *, limit: str, **kw: str | None) -> None:
        self.limit = limit
        super().__init__(message, **kw)


class StrictModeError(StatementError):
    """Raised under ``strict=True`` when a statement carries findings.

    Attributes:
        findings: the findings that made the file fail.
    """

    def __init__(
        self, message: str, *, findings: tuple[object, ...] = (), **kw: str | None
    ) -> None:
        self.findings = findings
        super().__init__(message, **kw)


class InputError(RapprochementError):
    """Inputs to matching, the ledger or dunning are unusable as given."""


class ColumnError(InputError):
    """A required column is missing or misnamed."""


class DuplicateIdError(InputError):
    """Identifiers that must be unique are repeated."""


class AmountError(InputError):
    """An amount is missing, NaN, float-inexact at the currency's precision, beyond
    ``money.MAX_ABS_MINOR``, or an open amount wrong-signed or larger than its invoice's."""


class CurrencyError(InputError):
    """A currency is not an ISO 4217 code usable there, or currencies are mixed where no rate
    is given."""


class DateError(InputError):
    """A date does not parse, is impossible, or its day/month order is left open."""


class ConfigError(RapprochementError):
    """A configuration, policy or table is invalid."""


class LedgerError(RapprochementError):
    """The ledger store refused an operation; nothing was written."""


class NotFoundError(LedgerError):
    """An identifier given to the ledger does not exist."""


class DunningError(RapprochementError):
    """Dunning planning, penalties or letters failed; no action was recorded."""


class RateTableError(DunningError):
    """A reference rate is missing for a period: rates are never guessed."""


class SendError(DunningError):
    """Sending letters by e-mail stopped midway (server unreachable, a message refused).

    Attributes:
        sent: the records of the messages that went out before (for the ledger).
    """

    sent: list[dict[str, object]]

    def __init__(self, message: str, **kwargs: str | None) -> None:
        super().__init__(message, **kwargs)
        self.sent = []


class TemplateError(DunningError):
    """A letter template failed to render."""
