"""Building already-typed models fast: what ``model_construct`` does, without its overhead.

``BaseModel.model_construct`` skips validation but still walks every field (aliases, defaults)
on each call, which costs more than parsing an MT940 ``:61:`` and ``:86:``. :func:`assemble`
takes the model's ``__dict__`` ready-made (a dict literal at the call site) and sets the four
attributes ``model_construct`` sets, through BaseModel's slot descriptors. Only for values that
are already exactly typed (the parser's own Decimal, date, str, tuple values); tests check that
the result equals the validated model and that the field order (which ``model_dump_json``
follows) is unchanged. The MT940 and OFX readers build their entries so; CAMT has its
``camt.values.Constructor``.
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel

from rapprochement.model import Entry, SourceRef, Transaction

__all__ = ["assemble", "set_dict", "set_extra", "set_fields_set", "set_private"]

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


for _model in (SourceRef, Transaction, Entry):  # the models the MT940 and OFX readers assemble
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
