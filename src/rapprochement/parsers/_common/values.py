"""Readers every parser shares, so that all formats accept the same things.

* :func:`plain_decimal`: each format reads its own amount notation (SWIFT comma decimals, CFONB
  sign characters, CSV grouping...), then turns the digits into a ``Decimal`` here. ``Decimal()``
  itself also accepts ``1e3``, ``NaN``, ``Infinity``, ``1_000`` and non-ASCII digits, none of
  which is an amount.
* :func:`usable_currency`: an ISO 4217 code (the list of pycountry, kept up to date with the
  standard); ``XXX`` ("no currency") is not a currency an amount can be in.
* :func:`model_problem` and :func:`checked_statement`: a model that refuses a value the parser
  let through (a pydantic ``ValidationError``) becomes a finding at the entry's place, or for a
  statement a :class:`~rapprochement.errors.MalformedStatementError` naming the place; it never
  leaves a parser as it is.
"""

from __future__ import annotations

import re
from decimal import Decimal
from functools import lru_cache
from typing import Any

import pycountry
from pydantic import ValidationError

from rapprochement.errors import InputError, MalformedStatementError
from rapprochement.model import SourceRef, Statement

__all__ = [
    "NO_CURRENCY",
    "checked_statement",
    "model_problem",
    "plain_decimal",
    "usable_currency",
]

#: The ISO 4217 code for "no currency": what an amount whose currency is unknown carries.
NO_CURRENCY = "XXX"

_PLAIN = re.compile(r"-?(?:[0-9]+\.?[0-9]*|\.[0-9]+)", re.ASCII)
_CODE = re.compile(r"[A-Z]{3}", re.ASCII)


def plain_decimal(text: str) -> Decimal | None:
    """The exact ``Decimal`` of ``text`` when it is ASCII digits with at most one ``.`` and an
    optional leading ``-`` (``"1234.56"``, ``"-5"``, ``".5"``, ``"12."``), else None."""
    if _PLAIN.fullmatch(text) is None:
        return None
    return Decimal(text)


@lru_cache(maxsize=1024)
def usable_currency(code: str | None) -> bool:
    """True when ``code`` is an ISO 4217 currency code, ``XXX`` (no currency) excepted."""
    if code is None or code == NO_CURRENCY or _CODE.fullmatch(code) is None:
        return False
    return pycountry.currencies.get(alpha_3=code) is not None


#: What a model raises for values it refuses: pydantic's error, or the typed input error the
#: models turn it into (rapprochement.model)
MODEL_ERRORS: tuple[type[Exception], ...] = (ValidationError, InputError)


def model_problem(exc: Exception) -> str:
    """``Model.field: message (input ...)`` of the first errors of a ``ValidationError``."""
    if not isinstance(exc, ValidationError):
        return str(exc.message) if isinstance(exc, InputError) else str(exc)
    parts = []
    for err in exc.errors()[:3]:
        where = ".".join(str(p) for p in err.get("loc", ()))
        shown = repr(err.get("input"))
        shown = shown if len(shown) <= 60 else shown[:57] + "..."
        parts.append(f"{exc.title}{'.' + where if where else ''}: {err['msg']} (input {shown})")
    more = exc.error_count() - len(parts)
    return "; ".join(parts) + (f" and {more} more" if more > 0 else "")


def _place(source: SourceRef) -> str | None:
    parts = [
        f"({source.member})" if source.member else None,
        source.xpath,
        f"line {source.line}" if source.line is not None else None,
    ]
    return " ".join(p for p in parts if p) or None


def checked_statement(source: SourceRef, **fields: Any) -> Statement:
    """``Statement(source=source, **fields)``, validated; a refused value raises
    :class:`MalformedStatementError` naming the statement's place."""
    try:
        return Statement(source=source, **fields)
    except MODEL_ERRORS as exc:
        raise MalformedStatementError(
            f"the statement cannot be read: {model_problem(exc)}",
            file=source.file,
            location=_place(source),
            hint="please report this file: a value in it does not fit the statement model",
        ) from None
