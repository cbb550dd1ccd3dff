"""Money: ``Decimal`` in models, integer minor units in frames and hot loops, never ``float``.

Amount text is parsed by an explicit rule (which character is the decimal separator), never by
guessing from the locale: ``"1.234,56"`` with ``decimal=","`` and ``"1,234.56"`` with
``decimal="."``. :func:`parse_amount` with ``decimal=None`` applies the one unambiguous rule
banks follow: the *last* separator is the decimal one when followed by 1-3 digits at the end
and the other separator appears only as a thousands group.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from functools import cache

import pycountry

__all__ = [
    "CURRENCY_EXPONENTS",
    "MAX_ABS_MINOR",
    "NO_CURRENCY",
    "WITHDRAWN_CURRENCIES",
    "currency_exponent",
    "from_minor",
    "is_currency",
    "is_exact",
    "is_iso_code",
    "paid_for_document",
    "parse_amount",
    "to_minor",
]

#: ISO 4217 minor-unit exponents that differ from 2 (every other code has 2).
CURRENCY_EXPONENTS: dict[str, int] = {
    "BHD": 3, "BIF": 0, "CLF": 4, "CLP": 0, "DJF": 0, "GNF": 0, "IQD": 3, "ISK": 0, "JOD": 3,
    "JPY": 0, "KMF": 0, "KRW": 0, "KWD": 3, "LYD": 3, "OMR": 3, "PYG": 0, "RWF": 0, "TND": 3,
    "UGX": 0, "UYI": 0, "UYW": 4, "VND": 0, "VUV": 0, "XAF": 0, "XOF": 0, "XPF": 0,
}  # fmt: skip

#: The largest absolute amount rapprochement accepts, in minor units (10^15 - 1: just under ten
#: trillion euros). Far beyond any real booking, far enough below 2^63 that sums of thousands of
#: such amounts still fit the int64 columns of frames and ledgers. Larger amounts are refused
#: (a finding while parsing, a typed error in matching inputs), never wrapped.
MAX_ABS_MINOR = 10**15 - 1

#: ISO 4217 "no currency": what a parser puts on entries of a file that states no currency
#: (with a finding). A valid code, but not usable for money: matching and invoices refuse it.
NO_CURRENCY = "XXX"

#: ISO 4217 codes that are not money: no currency (XXX) and the code reserved for tests (XTS).
_NOT_MONEY = frozenset({NO_CURRENCY, "XTS"})

#: Withdrawn ISO 4217 codes (list three, "historic denominations"), which pycountry does not
#: list: old statements carry them (a 1990s MT940 in DEM). Valid on parsed statements, never
#: money to match or invoice.
WITHDRAWN_CURRENCIES = frozenset(
    {
        "ADP", "AFA", "ALK", "ANG", "AOK", "AON", "AOR", "ARA", "ARP", "ARY", "ATS", "AYM",
        "AZM", "BAD", "BEC", "BEF", "BEL", "BGJ", "BGK", "BGL", "BOP", "BRB", "BRC", "BRE",
        "BRN", "BRR", "BUK", "BYB", "BYR", "CHC", "CSD", "CSJ", "CSK", "CUC", "CYP", "DDM",
        "DEM", "ECS", "ECV", "EEK", "ESA", "ESB", "ESP", "FIM", "FRF", "GEK", "GHC", "GHP",
        "GNE", "GNS", "GQE", "GRD", "GWE", "GWP", "HRD", "HRK", "IEP", "ILP", "ILR", "ISJ",
        "ITL", "LAJ", "LSM", "LTL", "LTT", "LUC", "LUF", "LUL", "LVL", "LVR", "MGF", "MLF",
        "MRO", "MTL", "MTP", "MVQ", "MXP", "MZE", "MZM", "NIC", "NLG", "PEH", "PEI", "PES",
        "PLZ", "PTE", "RHD", "ROK", "ROL", "RUR", "SDD", "SDP", "SIT", "SKK", "SLL", "SRG",
        "STD", "SUR", "TJR", "TMM", "TPE", "TRL", "UAK", "UGS", "UGW", "USS", "UYN", "UYP",
        "VEB", "VEF", "VNC", "XEU", "XFO", "XFU", "XRE", "YDD", "YUD", "YUM", "YUN", "ZAL",
        "ZMK", "ZRN", "ZRZ", "ZWC", "ZWD", "ZWL", "ZWN", "ZWR",
    }
)  # fmt: skip

_CCY_RE = re.compile(r"^[A-Z]{3}$")
_AMOUNT_RE = re.compile(r"^[+-]?[0-9][0-9.,' \u00a0\u202f]*$|^[+-]?[.,][0-9]+$")


@cache
def _iso_codes() -> frozenset[str]:
    """The current ISO 4217 alphabetic codes (pycountry's table, read once)."""
    return frozenset(c.alpha_3 for c in pycountry.currencies)


def is_currency(code: object) -> bool:
    """True when ``code`` is a current ISO 4217 code usable for money: ``"EUR"``, ``"JPY"``,
    ``"XAU"``; False for ``"eur"``, ``"ABC"``, withdrawn codes (``"HRK"``), ``"XXX"`` (no
    currency) and ``"XTS"`` (reserved for tests). The list is pycountry's."""
    return isinstance(code, str) and code in _iso_codes() and code not in _NOT_MONEY


def is_iso_code(code: object) -> bool:
    """True for any ISO 4217 code a statement may carry: a current one (``XXX`` included) or a
    withdrawn one (:data:`WITHDRAWN_CURRENCIES`: ``DEM``, ``FRF``...)."""
    return isinstance(code, str) and (code in _iso_codes() or code in WITHDRAWN_CURRENCIES)


def currency_exponent(currency: str) -> int:
    """Number of decimals of ``currency`` (ISO 4217): 2 unless listed in CURRENCY_EXPONENTS
    (also 2 for codes without minor unit such as ``XXX`` and ``XAU``). Only the form is
    checked here (amounts already stored keep reading): validate codes with :func:`is_currency`.

    Raises:
        ValueError: the code is not three upper-case letters.
    """
    if not _CCY_RE.match(currency):
        raise ValueError(f"not an ISO 4217 currency code: {currency!r}")
    return CURRENCY_EXPONENTS.get(currency, 2)


def to_minor(amount: Decimal, currency: str) -> int:
    """Exact integer minor units of ``amount`` (``Decimal("12.34")``, EUR → 1234).

    Raises:
        ValueError: the amount has more decimals than the currency allows (never rounded).
    """
    exp = currency_exponent(currency)
    scaled = amount.scaleb(exp)
    if scaled != scaled.to_integral_value():
        raise ValueError(f"{amount} has more than {exp} decimals for {currency}")
    return int(scaled)


def from_minor(minor: int, currency: str) -> Decimal:
    """``Decimal`` amount from integer minor units (1234, EUR → ``Decimal("12.34")``)."""
    exp = currency_exponent(currency)
    return Decimal(minor).scaleb(-exp)


def is_exact(amount: Decimal, currency: str) -> bool:
    """True when ``amount`` has no more decimals than ``currency`` allows."""
    try:
        to_minor(amount, currency)
    except ValueError:
        return False
    return True


def parse_amount(text: str, decimal: str | None = None) -> Decimal:
    """Parse bank amount text into an exact ``Decimal``.

    Args:
        text: ``"1234,56"``, ``"1.234,56"``, ``"-1,234.56"``, ``"1 234,5"``, ``"12"``, ``",5"``.
        decimal: the decimal separator (``","`` or ``"."``) when the format fixes it (MT940: comma),
            or None to infer it from the text (the last separator followed by 1-3 final digits,
            unless it is a thousands separator in a well-formed grouping).

    Raises:
        ValueError: the text is not an amount (empty, letters, several signs...).
    """
    s = text.strip()
    if not s or not _AMOUNT_RE.match(s):
        raise ValueError(f"not an amount: {text!r}")
    sign = ""
    if s[0] in "+-":
        sign, s = ("-" if s[0] == "-" else ""), s[1:]
    for ch in (" ", "'", "\u00a0", "\u202f"):
        s = s.replace(ch, "")
    if decimal is None:
        decimal = _infer_decimal(s)
    thousands = "." if decimal == "," else ","
    if decimal in s and s.count(decimal) > 1:
        raise ValueError(f"not an amount (several {decimal!r}): {text!r}")
    integer = s.split(decimal, 1)[0]
    if thousands in integer:
        groups = integer.split(thousands)
        if not groups[0] or any(len(g) != 3 for g in groups[1:]):
            raise ValueError(f"not an amount (bad digit grouping): {text!r}")
    if thousands in s.split(decimal, 1)[-1] and decimal in s:
        raise ValueError(f"not an amount (separator after the decimals): {text!r}")
    s = s.replace(thousands, "").replace(decimal, ".")
    if s.endswith("."):
        s = s[:-1]
    try:
        return Decimal(sign + s)
    except InvalidOperation:
        raise ValueError(f"not an amount: {text!r}") from None


def _infer_decimal(s: str) -> str:
    last_dot, last_comma = s.rfind("."), s.rfind(",")
    if last_dot < 0 and last_comma < 0:
        return "."
    if last_dot >= 0 and last_comma >= 0:
        return "." if last_dot > last_comma else ","
    sep = "." if last_dot >= 0 else ","
    # One kind of separator only: "1,234,567" or "1.234" with exactly-3-digit groups repeated
    # is ambiguous; a single separator is read as decimal (bank exports write "1234.567" for
    # 3-decimal currencies far more often than a thousands-grouped integer without decimals).
    if s.count(sep) > 1:
        return "," if sep == "." else "."
    return sep


def paid_for_document(
    remitted: Decimal | None, due: Decimal | None, discount: Decimal | None
) -> Decimal | None:
    """What a payment pays for one document it refers to (CAMT ``RfrdDocAmt``): the remitted
    amount, else the amount due less the discount applied; None when neither is stated."""
    if remitted is not None:
        return remitted
    if due is not None:
        return due - (discount or 0)
    return None
