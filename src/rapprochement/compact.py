"""Entries held compactly: a statement of a million entries in a fraction of the memory.

A parsed :class:`~rapprochement.model.Entry` is three pydantic objects (the entry, its
:class:`~rapprochement.model.Transaction`, its :class:`~rapprochement.model.SourceRef`), each
with its own attribute dict and fields set: about 2 KB before the values themselves, where the
values of a typical bank line (an amount, two dates, a few short texts) take a few hundred
bytes. :class:`CompactEntries` keeps each entry as one flat tuple of the values that differ
from the fields' defaults, with a shared *shape* (which model, which fields, in which order, which
were set) that says how to read the tuple back. An entry is built again, equal to the one packed,
each time it is read.

:func:`~rapprochement.parsers.read_statement` stores a statement's entries this way beyond
:data:`~rapprochement.parsers._common.COMPACT_MIN_ENTRIES` entries (ADR 0011): a
``Statement.entries`` is then a :class:`CompactEntries`, an immutable
``Sequence[Entry]`` that compares, hashes, slices and serializes like the tuple it stands for.
Reading the same index twice gives two equal, distinct objects: keep the entries you hold on to
(``list(stmt.entries)``) rather than reading them again, and prefer
:func:`~rapprochement.parsers.iter_statement` for files too large to hold at all.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from itertools import compress
from operator import is_not
from typing import TYPE_CHECKING, Any, overload

from pydantic import BaseModel, GetCoreSchemaHandler
from pydantic_core import core_schema

if TYPE_CHECKING:
    from rapprochement.model import Entry

__all__ = ["CompactEntries", "pack_entry", "unpack_entry"]

_new = object.__new__
intern = sys.intern
_set = object.__setattr__

# Kinds of a value in a shape: kept as is, a nested model (inlined), a tuple of models (count
# then each model inlined), a lower-case hex digest kept as its bytes, a text (its length in
# the record, its characters in the record's last item), a tuple of texts (count, lengths), a
# Decimal (as its text), a dict of texts (count, then key and value lengths).
_PLAIN, _MODEL, _MODELS, _HEX, _TEXT, _TEXTS, _DEC, _DICT = 0, 1, 2, 3, 4, 5, 6, 7


class _Shape:
    """How one model's values were laid out: its class, its ``__dict__`` keys in order, which
    of them are stored (and as what: a plain value, a nested model, a tuple of models) and
    which are left at their default, and its fields set."""

    __slots__ = ("cls", "factories", "fields_set", "present", "template")

    def __init__(
        self,
        cls: type[BaseModel],
        keys: tuple[str, ...],
        kinds: tuple[tuple[str, int], ...],
        fields_set: frozenset[str],
    ) -> None:
        self.cls = cls
        self.fields_set = fields_set
        self.present = kinds  # (key, kind) of the stored values, in record order
        fields = cls.model_fields
        # The dict of an unpacked model starts as a copy of this (key order kept); factory
        # fields left at their default get a fresh value in _unpack.
        self.template = {k: fields[k].default for k in keys}
        stored = {k for k, _ in kinds}
        self.factories = tuple(
            (k, f) for k in keys if k not in stored and (f := fields[k].default_factory)
        )


class _Order:
    """A model class's defaults for one ``__dict__`` key order (nearly always the declared
    one), and which keys have a default factory (``extra={}``)."""

    __slots__ = ("defaults", "factories")

    def __init__(self, cls: type[BaseModel], keys: tuple[str, ...]) -> None:
        fields = cls.model_fields
        self.defaults = tuple(fields[k].default for k in keys)
        self.factories = tuple(
            (i, k, f) for i, k in enumerate(keys) if (f := fields[k].default_factory) is not None
        )


# Process-wide registries: shapes are few (a model, the fields a format fills), immutable, and
# a shape id inside a record is a small int (one object shared by the interpreter).
_SHAPES: list[_Shape] = []
_SHAPE_IDS: dict[tuple[Any, ...], list[tuple[frozenset[str], int]]] = {}
_IS_MODEL: dict[type, bool] = {}
# Text fields whose value is one object for a whole file (SourceRef.file, .member): kept as a
# reference, not copied into each record's texts.
_SHARED = frozenset({"file", "member"})
_ORDERS: dict[tuple[type[BaseModel], tuple[str, ...]], _Order] = {}
# Dates repeat across the entries of a statement: one object per day (bounded).
_DATES: dict[dt.date, dt.date] = {}
_DATES_MAX = 50_000


def _is_model(tv: type) -> bool:
    found = _IS_MODEL.get(tv)
    if found is None:
        found = _IS_MODEL[tv] = issubclass(tv, BaseModel)
    return found


def _shape_id(model: BaseModel, cls: type[BaseModel], keys: tuple[str, ...], layout: Any) -> int:
    fields_set = model.__pydantic_fields_set__
    candidates = _SHAPE_IDS.get(layout)
    if candidates is None:
        candidates = _SHAPE_IDS[layout] = []
    for known, shape_id in candidates:
        if fields_set == known:
            return shape_id
    _, _, mask, special = layout
    kinds = dict.fromkeys(compress(range(len(keys)), mask), _PLAIN)
    kinds.update(special)
    shape_id = len(_SHAPES)
    frozen = frozenset(fields_set)
    _SHAPES.append(_Shape(cls, keys, tuple((keys[i], k) for i, k in kinds.items()), frozen))
    candidates.append((frozen, shape_id))
    return shape_id


def _digest(text: str) -> bytes | None:
    """The bytes of a 32-character lower-case hex digest (a parser's fingerprint), else None."""
    if len(text) != 32:
        return None
    try:
        raw = bytes.fromhex(text)
    except ValueError:
        return None
    return raw if raw.hex() == text else None


class _Texts:
    """The texts of one record: kept end to end in one string (one object, not one each)."""

    __slots__ = ("ids", "parts")

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.ids: dict[str, int] = {}

    def add(self, text: str, out: list[Any]) -> None:
        """``text``'s length into the record, or ``-1 - i`` for the ``i``-th text again."""
        known = self.ids.get(text)
        if known is None:
            self.ids[text] = len(self.parts)
            self.parts.append(text)
            out.append(len(text))
        else:
            out.append(-1 - known)


class _Reader:
    """Reads a record's texts back in order (see :class:`_Texts`)."""

    __slots__ = ("blob", "pos", "texts")

    def __init__(self, blob: str) -> None:
        self.blob = blob
        self.pos = 0
        self.texts: list[str] = []

    def next(self, n: int) -> str:
        if n < 0:
            return self.texts[-1 - n]
        end = self.pos + n
        text = self.blob[self.pos : end]
        self.pos = end
        self.texts.append(text)
        return text


def _pack(model: BaseModel, out: list[Any], texts: _Texts) -> None:
    cls = type(model)
    d = model.__dict__
    keys = tuple(d)
    order = _ORDERS.get((cls, keys))
    if order is None:
        order = _ORDERS[(cls, keys)] = _Order(cls, keys)
    values = tuple(d.values())
    mask = list(map(is_not, values, order.defaults))
    for i, _key, factory in order.factories:
        if not values[i] and values[i] == factory():  # type: ignore[call-arg]
            mask[i] = False
    start = len(out)
    out.append(0)  # the shape id, set below
    special: list[tuple[int, int]] = []
    for i in compress(range(len(values)), mask):
        value = values[i]
        tv = type(value)
        if tv is str and keys[i] == "fingerprint" and (raw := _digest(value)) is not None:
            special.append((i, _HEX))  # 16 bytes kept, not 32 characters
            out.append(raw)
        elif tv is str and len(value) <= 8:
            # Codes repeat across entries (NTRF, NONREF, EUR): one object each, interned.
            out.append(intern(value))
        elif tv is str and keys[i] in _SHARED:
            out.append(value)  # the file's name: one object for every entry of the file
        elif tv is str:
            # Longer texts go end to end into the record's one string (a text repeated in
            # the entry, such as the remittance and the raw text, once).
            special.append((i, _TEXT))
            texts.add(value, out)
        elif tv is tuple and value and all(type(v) is str for v in value):
            special.append((i, _TEXTS))  # remittance lines
            out.append(len(value))
            for text in value:
                texts.add(text, out)
        elif tv is Decimal:
            # An amount as its text (str() round-trips a Decimal exactly: digits, exponent,
            # sign of zero): a few characters instead of a 104-byte object; the entry's amount
            # and its detail's, most often equal, once.
            special.append((i, _DEC))
            texts.add(str(value), out)
        elif tv is dict and all(type(k) is str and type(v) is str for k, v in value.items()):
            special.append((i, _DICT))  # a detail's other fields (GVC, posting text...)
            out.append(len(value))
            for k, v in value.items():
                texts.add(k, out)
                texts.add(v, out)
        elif tv is dt.date:
            day = _DATES.get(value)
            if day is None:
                if len(_DATES) >= _DATES_MAX:
                    _DATES.clear()
                day = _DATES[value] = value
            out.append(day)
        elif tv is tuple and value and _is_model(type(value[0])):
            special.append((i, _MODELS))
            out.append(len(value))
            for item in value:
                _pack(item, out, texts)
        elif _is_model(tv):
            special.append((i, _MODEL))
            _pack(value, out, texts)
        else:
            out.append(value)
    out[start] = _shape_id(model, cls, keys, (cls, keys, tuple(mask), tuple(special)))


def _unpack(record: tuple[Any, ...], at: int, texts: _Reader) -> tuple[BaseModel, int]:
    shape = _SHAPES[record[at]]
    at += 1
    data = shape.template.copy()
    for key, kind in shape.present:
        if kind == _PLAIN:
            data[key] = record[at]
            at += 1
        elif kind == _TEXT:
            data[key] = texts.next(record[at])
            at += 1
        elif kind == _MODEL:
            data[key], at = _unpack(record, at, texts)
        elif kind == _HEX:
            data[key] = record[at].hex()
            at += 1
        elif kind == _DEC:
            data[key] = Decimal(texts.next(record[at]))
            at += 1
        elif kind == _TEXTS:
            count = record[at]
            data[key] = tuple(texts.next(n) for n in record[at + 1 : at + 1 + count])
            at += 1 + count
        elif kind == _DICT:
            count = record[at]
            pairs = [texts.next(n) for n in record[at + 1 : at + 1 + 2 * count]]
            data[key] = dict(zip(pairs[::2], pairs[1::2], strict=True))
            at += 1 + 2 * count
        else:
            count = record[at]
            at += 1
            items = []
            for _ in range(count):
                item, at = _unpack(record, at, texts)
                items.append(item)
            data[key] = tuple(items)
    for key, factory in shape.factories:  # fields left at a default_factory's value
        data[key] = factory()
    obj = _new(shape.cls)
    _set(obj, "__dict__", data)
    _set(obj, "__pydantic_fields_set__", set(shape.fields_set))
    _set(obj, "__pydantic_extra__", None)
    _set(obj, "__pydantic_private__", None)
    return obj, at


def pack_entry(entry: Entry) -> tuple[Any, ...]:
    """One entry as a flat tuple of its non-default values (its models inlined)."""
    out: list[Any] = []
    texts = _Texts()
    _pack(entry, out, texts)
    out.append("".join(texts.parts))  # the record's texts, end to end, last
    return tuple(out)


def unpack_entry(record: tuple[Any, ...]) -> Entry:
    """The entry :func:`pack_entry` packed: equal to it, fields set and field order included."""
    entry, _ = _unpack(record, 0, _Reader(record[-1]))
    return entry  # type: ignore[return-value]


class CompactEntries(Sequence["Entry"]):
    """An immutable sequence of entries stored as packed records (see the module docs).

    Equal to the tuple of the same entries (``==`` either way), with the same hash; slicing
    gives a tuple. Pydantic serializes it as that tuple, so ``model_dump`` and
    ``model_dump_json`` of a statement are the same whichever way its entries are held.
    """

    __slots__ = ("_hash", "_records")

    def __init__(self, entries: Iterable[Entry] = ()) -> None:
        self._records: tuple[tuple[Any, ...], ...] = tuple(pack_entry(e) for e in entries)
        self._hash: int | None = None

    @classmethod
    def from_records(cls, records: Iterable[tuple[Any, ...]]) -> CompactEntries:
        """Entries from records made by :func:`pack_entry` in this process."""
        self = _new(cls)
        self._records = tuple(records)
        self._hash = None
        return self

    def __len__(self) -> int:
        return len(self._records)

    @overload
    def __getitem__(self, index: int) -> Entry: ...

    @overload
    def __getitem__(self, index: slice) -> tuple[Entry, ...]: ...

    def __getitem__(self, index: int | slice) -> Entry | tuple[Entry, ...]:
        if isinstance(index, slice):
            return tuple(unpack_entry(r) for r in self._records[index])
        return unpack_entry(self._records[index])

    def __iter__(self) -> Iterator[Entry]:
        for record in self._records:
            yield unpack_entry(record)

    def __reversed__(self) -> Iterator[Entry]:
        for record in reversed(self._records):
            yield unpack_entry(record)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, CompactEntries):
            return self._records == other._records or tuple(self) == tuple(other)
        if isinstance(other, tuple):
            return len(other) == len(self._records) and all(
                a == b for a, b in zip(self, other, strict=True)
            )
        return NotImplemented

    def __hash__(self) -> int:
        if self._hash is None:
            self._hash = hash(tuple(self))
        return self._hash

    def __repr__(self) -> str:
        return f"CompactEntries(<{len(self._records)} entries>)"

    def __reduce__(self) -> tuple[Any, ...]:
        # Shape ids are this process's: a pickle carries the entries themselves.
        return (_rebuild, (tuple(self),))

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        """Validated as an instance of itself; serialized as the tuple of its entries."""
        from rapprochement.model import Entry

        entries_schema = handler.generate_schema(tuple[Entry, ...])
        return core_schema.is_instance_schema(
            cls,
            serialization=core_schema.plain_serializer_function_ser_schema(
                tuple, return_schema=entries_schema
            ),
        )


def _rebuild(entries: tuple[Entry, ...]) -> CompactEntries:
    return CompactEntries(entries)
