"""Invoice numbers written without their inner zero padding.

Many journals number invoices as a year glued to a zero-padded sequence number
(``20260000123``: the year 2026, the invoice no. 123 padded to seven digits). A payer who
drops the padding writes ``2026123``: no separator marks where the year ends, so the usual
leading-zero keys (``N:``, ``Z:``, zeros dropped at the start of each digit group) do not see
it. :func:`unpadded` drops the zeros between such a leading year and the number; the digits
it gives are one more ``Z:`` key (level ``digits``, weaker than an exact or normalized
reference) of invoices and payment texts alike, so ``2026123`` meets ``20260000123``.
"""

from __future__ import annotations

import re

__all__ = ["unpadded", "unpadded_digits"]

#: a digit run made of a 4-digit year (1900-2099), at least one padding zero, then the number
_PADDED = re.compile(r"((?:19|20)\d\d)0+([1-9]\d*)")
_MIN_DIGITS = 8  # year + padding + number: a shorter run is no padded sequence number


def unpadded(group: str) -> str:
    """A digit group with the zeros between a leading year and the number dropped
    (``20260000123`` → ``2026123``); any other group unchanged, without its leading zeros
    (``000123`` → ``123``)."""
    m = _PADDED.fullmatch(group) if len(group) >= _MIN_DIGITS else None
    if m is not None:
        return m.group(1) + m.group(2)
    return group.lstrip("0") or "0"


def unpadded_digits(groups: list[str]) -> str | None:
    """The digits of a token's groups, each :func:`unpadded`, when that differs from the
    groups without their leading zeros (the token has a year-padded group); else None."""
    if not any(len(g) >= _MIN_DIGITS and _PADDED.fullmatch(g) for g in groups):
        return None
    return "".join(unpadded(g) for g in groups)
