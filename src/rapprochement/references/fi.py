"""Finnish national creditor reference (viitenumero): 3-19 base digits + a 7-3-1 check digit."""

from __future__ import annotations

import re

__all__ = ["check_digit", "compact", "is_valid", "make"]

_WEIGHTS = (7, 3, 1)


def compact(text: str) -> str:
    """The digits of ``text`` (spaces dropped)."""
    return re.sub(r"\s", "", text)


def check_digit(base: str) -> str:
    """Check digit: weights 7, 3, 1 repeated from the right, ``(10 - sum mod 10) mod 10``."""
    total = sum(int(c) * _WEIGHTS[i % 3] for i, c in enumerate(reversed(base)))
    return str((10 - total % 10) % 10)


def make(base: str) -> str:
    """The Finnish reference (compact) for 3-19 base digits.

    Raises:
        ValueError: ``base`` is not 3-19 digits.
    """
    b = compact(base)
    if not (b.isdigit() and 3 <= len(b) <= 19):
        raise ValueError(f"Finnish reference base must be 3-19 digits: {base!r}")
    return b + check_digit(b)


def is_valid(text: str) -> bool:
    """True when ``text`` is 4-20 digits whose last is the 7-3-1 check digit of the rest."""
    d = compact(text)
    return d.isascii() and d.isdigit() and 4 <= len(d) <= 20 and check_digit(d[:-1]) == d[-1]
