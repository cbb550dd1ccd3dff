"""The MT940 transaction's field dict (:func:`transaction_data`); models are built with
:func:`~rapprochement.parsers._common.assemble.assemble` (re-exported here), no validation."""

from __future__ import annotations

from typing import Any

from rapprochement.model import Transaction
from rapprochement.parsers._common.assemble import (
    assemble,
    set_dict,
    set_extra,
    set_fields_set,
    set_private,
)

__all__ = ["assemble", "set_dict", "set_extra", "set_fields_set", "set_private", "transaction_data"]


_TX_REQUIRED = ("amount", "currency")
# The field order of a Transaction built by constructor(Transaction)(amount=.., currency=..,
# **fields): the defaults in declaration order, then amount and currency, then ``extra``. Kept
# because ``model_dump_json`` writes the fields in ``__dict__`` order.
_TX_TEMPLATE: dict[str, Any] = {
    name: field.default
    for name, field in Transaction.model_fields.items()
    if name not in _TX_REQUIRED and field.default_factory is None
}
_TX_TEMPLATE.update({"amount": None, "currency": None, "extra": None})
_TX_SETS: dict[tuple[str, ...], set[str]] = {}


def transaction_data(
    amount: Any, currency: str, fields: dict[str, Any]
) -> tuple[dict[str, Any], set[str]]:
    """``__dict__`` and fields-set of ``Transaction(amount=.., currency=.., **fields)``.

    ``fields`` holds only Transaction fields other than amount and currency, exactly typed.
    """
    # one dict display: the template's keys keep their order, ``extra`` is {} unless given
    data = {**_TX_TEMPLATE, "extra": {}, **fields, "amount": amount, "currency": currency}
    key = tuple(fields)
    fields_set = _TX_SETS.get(key)
    if fields_set is None:
        fields_set = _TX_SETS[key] = {*_TX_REQUIRED, *key}
    return data, fields_set
