"""ISO 11649 creditor reference (``RF`` + 2 check digits + up to 21 alphanumerics, mod 97-10).

The check of :mod:`stdnum.iso11649` (validation, written out here for speed) and
:mod:`stdnum.iso7064.mod_97_10` (check digits).
"""

from __future__ import annotations

import re
import string

from stdnum.iso7064 import mod_97_10

__all__ = ["compact", "compact_is_valid", "is_valid", "make"]

_BASE_RE = re.compile(r"^[A-Z0-9]{1,21}$")


def compact(text: str) -> str:
    """Upper-case ``text`` without spaces or separators (``"rf18 5390"`` → ``"RF185390"``)."""
    return re.sub(r"[^A-Za-z0-9]", "", text).upper()


def make(base: str) -> str:
    """The RF reference (compact) for ``base`` (1-21 letters or digits, separators ignored).

    Raises:
        ValueError: ``base`` is empty, too long or holds other characters.
    """
    b = compact(base)
    if not _BASE_RE.match(b):
        raise ValueError(f"RF base must be 1-21 letters or digits: {base!r}")
    return "RF" + mod_97_10.calc_check_digits(b + "RF") + b


#: letters → their base-36 value in decimal (``A`` → ``10``), as :mod:`stdnum.iso7064.mod_97_10`
_BASE10 = str.maketrans({c: str(int(c, 36)) for c in string.ascii_uppercase})


def is_valid(text: str) -> bool:
    """True when ``text`` (spaces allowed, any case) is a valid ISO 11649 reference (the
    check of :func:`stdnum.iso11649.is_valid`, worked out here: it is called very often)."""
    return compact_is_valid(compact(text))


def compact_is_valid(number: str) -> bool:
    """:func:`is_valid` of a reference already compact (upper-case letters and digits only)."""
    if not 5 <= len(number) <= 25 or not number.startswith("RF"):
        return False
    return int((number[4:] + number[:4]).translate(_BASE10)) % 97 == 1
