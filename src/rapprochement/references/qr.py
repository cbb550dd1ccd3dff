"""Swiss QR reference (ex-ESR/BVR): 27 digits, the last one a recursive mod-10 check digit.

Check digit from :mod:`stdnum.ch.esr`, which implements the same recursive mod 10 table.
"""

from __future__ import annotations

import re

from stdnum.ch import esr

__all__ = ["compact", "is_valid", "make"]


def compact(text: str) -> str:
    """The digits of ``text`` (spaces dropped)."""
    return re.sub(r"[^0-9]", "", text)


def make(base26: str) -> str:
    """The 27-digit QR reference for up to 26 base digits (left-padded with zeros).

    Raises:
        ValueError: ``base26`` is empty, longer than 26 or not digits.
    """
    b = compact(base26)
    if not b or len(b) > 26 or b != re.sub(r"\s", "", base26):
        raise ValueError(f"QR base must be 1-26 digits: {base26!r}")
    b = b.zfill(26)
    return b + str(esr.calc_check_digit(b))


def is_valid(text: str) -> bool:
    """True when ``text`` (spaces allowed) is 27 digits with a valid recursive mod-10 check."""
    d = re.sub(r"\s", "", text)
    return len(d) == 27 and d.isascii() and d.isdigit() and esr.calc_check_digit(d[:-1]) == d[-1]
