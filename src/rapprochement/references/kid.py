"""Norwegian KID (kundeidentifikasjon): 2-25 digits, check digit mod 10 (Luhn) or mod 11.

Mod 10 is :mod:`stdnum.luhn`; mod 11 uses weights 2..7 from the right, remainder 10 gives ``-``.
"""

from __future__ import annotations

import re

from stdnum import luhn

__all__ = ["check_digit", "compact", "is_valid", "make"]


def compact(text: str) -> str:
    """``text`` without spaces."""
    return re.sub(r"\s", "", text)


def check_digit(base: str, mod: int = 10) -> str:
    """KID check digit of ``base`` for ``mod`` 10 (Luhn) or 11 (``-`` when the result is 10)."""
    if mod == 10:
        return str(luhn.calc_check_digit(base))
    if mod != 11:
        raise ValueError(f"KID modulus must be 10 or 11, not {mod}")
    total = sum(int(c) * (2 + i % 6) for i, c in enumerate(reversed(base)))
    r = (11 - total % 11) % 11
    return "-" if r == 10 else str(r)


def make(base: str, *, mod: int = 10) -> str:
    """The KID for 1-24 base digits with a mod-10 or mod-11 check digit.

    Raises:
        ValueError: ``base`` is not 1-24 digits or ``mod`` is neither 10 nor 11.
    """
    b = compact(base)
    if not (b.isascii() and b.isdigit() and 1 <= len(b) <= 24):
        raise ValueError(f"KID base must be 1-24 digits: {base!r}")
    return b + check_digit(b, mod)


def is_valid(text: str, mod: int | None = None) -> bool:
    """True when ``text`` is a KID valid under ``mod`` (10, 11, or either when None)."""
    d = compact(text)
    if len(d) < 2 or len(d) > 25 or not (d[:-1].isascii() and d[:-1].isdigit()):
        return False
    mods = (10, 11) if mod is None else (mod,)
    return any(check_digit(d[:-1], m) == d[-1] for m in mods)
