"""Building already-typed models fast: what ``model_construct`` does, without its overhead.

``BaseModel.model_construct`` skips validation but still walks every field (aliases, defaults)
on each call, which costs more than the whole :61: and :86: parsing. :func:`assemble` takes the
model's ``__dict__`` ready-made (a dict literal at the call site, or :func:`transaction_data`)
and sets the four attributes ``model_construct`` sets. Only for values that are already exactly
typed (the parser's own Decimal, date, str, tuple values); tests check that the result equals
the validated model and that the field order (which ``model_dump_json`` follows) is unchanged.
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel

from rapprochement.model import Entry, SourceRef, Transaction

__all__ = ["assemble", "set_dict", "set_extra", "set_fields_set", "set_private", "transaction_data"]

M = TypeVar("M", bound=BaseModel)

_new = object.__new__
# The slot descriptors of BaseModel, called directly: what object.__setattr__ does, without
# looking each one up through the class hierarchy (as camt.values.Constructor does).
set_dict = BaseModel.__dict__["__dict__"].__set__
set_fields_set = BaseModel.__dict__["__pydantic_fields_set__"].__set__
set_extra = BaseModel.__dict__["__pydantic_extra__"].__set__
set_private = BaseModel.__dict__["__pydantic_private__"].__set__


def _plain(cls: type[BaseModel]) -> None:
    """Refuse a model that a plain build would get wrong (post-init hook, private attributes)."""
    if cls.__pydantic_post_init__ is not None or cls.__private_attributes__:
        raise TypeError(f"{cls.__name__} needs model_construct (post-init or private attributes)")


for _model in (SourceRef, Transaction, Entry):  # the models the MT940 parser assembles
    _plain(_model)


def assemble(cls: type[M], data: dict[str, Any], fields_set: set[str]) -> M:
    """A ``cls`` whose ``__dict__`` is ``data`` (every field, exactly typed), no validation.

    ``fields_set`` becomes ``model_fields_set``; it may be shared by many objects (frozen
    models never change it in place: ``model_copy`` copies it first).
    """
    obj = _new(cls)
    set_dict(obj, data)
    set_fields_set(obj, fields_set)
    set_extra(obj, None)
    set_private(obj, None)
    return obj


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
    data = _TX_TEMPLATE.copy()
    data.update(fields)
    data["amount"] = amount
    data["currency"] = currency
    key = tuple(fields)
    fields_set = _TX_SETS.get(key)
    if fields_set is None:
        fields_set = _TX_SETS[key] = {*_TX_REQUIRED, *key}
    if "extra" not in fields:
        data["extra"] = {}
    return data, fields_set
