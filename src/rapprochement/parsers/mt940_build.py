"""Building already-typed models fast: ``model_construct`` without its per-call overhead.

``BaseModel.model_construct`` skips validation but still walks every field (aliases, defaults)
on each call, which costs more than the whole :61: and :86: parsing. :func:`constructor` does
the same thing once per model class: it precomputes the defaults, then each call fills a dict and
sets the four attributes ``model_construct`` sets. Only for values that are already exactly
typed (the parser's own Decimal, date, str, tuple values); tests check that the result equals
the validated model.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from pydantic import BaseModel

__all__ = ["constructor"]

M = TypeVar("M", bound=BaseModel)

_set = object.__setattr__


def constructor(cls: type[M]) -> Callable[..., M]:
    """A function ``make(**values) -> cls`` that builds ``cls`` without validation.

    Raises:
        TypeError: ``cls`` has validators or private attributes, which a plain build would skip.
    """
    if cls.__pydantic_post_init__ is not None or cls.__private_attributes__:
        raise TypeError(f"{cls.__name__} needs model_construct (post-init or private attributes)")
    defaults: dict[str, Any] = {}
    factories: dict[str, Callable[[], Any]] = {}
    for name, field in cls.model_fields.items():
        if field.default_factory is not None:
            factories[name] = field.default_factory  # type: ignore[assignment]
        elif not field.is_required():
            defaults[name] = field.default
    new = cls.__new__
    # One fields-set per combination of given fields, shared: frozen models never change it in
    # place (model_copy copies it first), and fewer container objects means less GC work.
    shared_sets: dict[tuple[str, ...], set[str]] = {}

    all_fields = set(cls.model_fields)
    n_fields = len(all_fields)

    def make(**values: Any) -> M:
        obj = new(cls)
        if len(values) == n_fields:
            # Every field given (the hot path): the keyword dict is already the model's dict.
            data = values
            fields_set = all_fields
        else:
            data = defaults.copy()
            data.update(values)
            for name, factory in factories.items():
                if name not in values:
                    data[name] = factory()
            key = tuple(values)
            found = shared_sets.get(key)
            if found is None:
                found = shared_sets[key] = set(key)
            fields_set = found
        _set(obj, "__dict__", data)
        _set(obj, "__pydantic_fields_set__", fields_set)
        _set(obj, "__pydantic_extra__", None)
        _set(obj, "__pydantic_private__", None)
        return obj

    make.__doc__ = f"Build a {cls.__name__} from exactly-typed values (no validation)."
    return make
