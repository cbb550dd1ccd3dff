"""MT940 counterparties the :86: dialects leave out: Dutch banks that state them elsewhere.

- **Rabobank structured** (2013-): the counterparty account is the :61: supplementary details
  (its second line), an IBAN (``NL96RBOS0523149468``) or an old account (``0663616476``,
  ``P004500018``); the :86: gives the name in ``/NAME/``.
- **Old Rabobank** (-2013): the :61: reference field holds the counterparty account padded to
  16 characters, then its name: ``1173113681      ROBECO``, ``NONREF          CHIPPER FOODS``.
- **Old ING** (-2014): the first :86: line is the counterparty account, then its name:
  ``0111111111 ING Bank N.V. inzake TEST``.

Only what is missing is filled: a counterparty read from the :86: keywords wins. The raw text
stays where it was (``extra["supplementary_details"]``, the customer reference, the remittance).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from rapprochement.parsers._common.ident import compact_iban

__all__ = ["FROM_LAYOUT", "fill_counterparty"]

#: The ``extra`` key naming the layout a counterparty account was read from (left out of the
#: fingerprint: see :func:`fill_counterparty`).
FROM_LAYOUT = "counterparty_from"

#: An old Dutch account number: 7 to 10 digits (Rabobank, ING), or Postbank's ``P`` and digits.
_DUTCH_ACCOUNT = re.compile(r"P?\d{7,10}")
#: Old Rabobank :61: reference: account (or NONREF) padded to 16 characters, then the name.
_OLD_RABO_REF = re.compile(r"(P?\d{7,10}|NONREF) *")
#: Old ING :86: first line: a 9 or 10 digit account, one space, the name (at most 35
#: characters: a longer first line is the whole text run together, not a name).
_OLD_ING_86 = re.compile(r"(\d{9,10}) (\S.{0,34})")
_WIDTH = 16


def _account(text: str) -> tuple[str | None, str | None]:
    """``(iban, account)`` of a counterparty account text; both None for no account."""
    iban = compact_iban(text)
    if iban:
        return iban, None
    if _DUTCH_ACCOUNT.fullmatch(text) and text.strip("P0"):
        return None, text
    return None, None


def _put(fields: dict[str, Any], iban: str | None, account: str | None, name: str | None) -> bool:
    """Fill what is missing; True when an account was filled."""
    if fields.get("counterparty_iban") or fields.get("counterparty_account"):
        iban = account = None
    if iban:
        fields["counterparty_iban"] = iban
    if account:
        fields["counterparty_account"] = account
    if name and not fields.get("counterparty_name"):
        fields["counterparty_name"] = name
    return bool(iban or account)


def fill_counterparty(
    fields: dict[str, Any],
    reference: str | None,
    supplementary: str | None,
    info: Sequence[str] | None,
) -> None:
    """Fill the counterparty of ``fields`` (the :86: fields) from the Dutch layouts above.

    An account found this way is marked ``extra["counterparty_from"]`` (the layout): the
    entry's fingerprint leaves it out, so a file imported before this reading existed is
    recognized when imported again.
    """
    layout = None
    if supplementary and " " not in supplementary:
        iban, account = _account(supplementary)
        if _put(fields, iban, account, None):
            layout = "rabobank :61: supplementary details"
    if reference and len(reference) > _WIDTH and _OLD_RABO_REF.fullmatch(reference[:_WIDTH]):
        number, name = reference[:_WIDTH].strip(), reference[_WIDTH:].strip()
        if _put(fields, *_account(number), name or None):
            layout = layout or "rabobank :61: reference"
    ing = info and not fields.get("extra") and _OLD_ING_86.fullmatch(info[0].strip())
    if ing and _put(fields, *_account(ing.group(1)), ing.group(2).strip()):
        layout = layout or "ing :86: first line"
    # a layout is named only when _put filled an account that was missing: it changed
    if layout:
        fields["extra"] = {**fields.get("extra", {}), FROM_LAYOUT: layout}
