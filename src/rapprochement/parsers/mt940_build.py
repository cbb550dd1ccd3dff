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

    def make(**values: Any) -> M:
        obj = new(cls)
        data = defaults.copy()
        data.update(values)
        for name, factory in factories.items():
            if name not in values:
                data[name] = factory()
        _set(obj, "__dict__", data)
        _set(obj, "__pydantic_fields_set__", set(values))
        _set(obj, "__pydantic_extra__", None)
        _set(obj, "__pydantic_private__", None)
        return obj

    make.__doc__ = f"Build a {cls.__name__} from exactly-typed values (no validation)."
    return make
