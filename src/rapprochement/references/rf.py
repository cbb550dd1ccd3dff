"""ISO 11649 creditor reference (``RF`` + 2 check digits + up to 21 alphanumerics, mod 97-10).

Built on :mod:`stdnum.iso11649` (validation) and :mod:`stdnum.iso7064.mod_97_10` (check digits).
"""

from __future__ import annotations

import re

from stdnum import iso11649
from stdnum.iso7064 import mod_97_10

__all__ = ["compact", "is_valid", "make"]

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


def is_valid(text: str) -> bool:
    """True when ``text`` (spaces allowed, any case) is a valid ISO 11649 reference."""
    return bool(iso11649.is_valid(compact(text)))
