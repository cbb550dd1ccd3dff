"""Belgian structured communication OGM/VCS: ``+++123/4567/89012+++``, 10 digits + mod 97.

Built on :mod:`stdnum.be.ogm_vcs`; ``***`` delimiters (used by some banks) are accepted too.
"""

from __future__ import annotations

import re

from stdnum.be import ogm_vcs

__all__ = ["compact", "format", "is_valid", "make"]


def compact(text: str) -> str:
    """The 12 digits of ``text``: delimiters ``+++``/``***``, slashes and spaces dropped."""
    return re.sub(r"[^0-9]", "", text)


def make(base10: str) -> str:
    """The OGM ``+++ddd/dddd/ddddd+++`` for 10 base digits (check = base mod 97, 0 → 97).

    Raises:
        ValueError: ``base10`` is not 10 digits.
    """
    b = compact(base10)
    if len(b) != 10:
        raise ValueError(f"OGM base must be 10 digits: {base10!r}")
    return format(b + ogm_vcs.calc_check_digits(b))


def format(digits12: str) -> str:
    """``+++ddd/dddd/ddddd+++`` from 12 digits."""
    d = compact(digits12)
    return f"+++{d[:3]}/{d[3:7]}/{d[7:]}+++"


def is_valid(text: str) -> bool:
    """True when ``text`` holds exactly 12 digits with a valid mod-97 check."""
    d = compact(text)
    return len(d) == 12 and bool(ogm_vcs.is_valid(d))
