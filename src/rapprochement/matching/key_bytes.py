"""Key strings as bytes: the encoding the reference-key index is built from (split from
:mod:`rapprochement.matching.refindex`), and every invoice's keys made at once
(:func:`invoice_key_bytes`) without a Python string kept per key.

:func:`invoice_key_bytes` works out the keys of :func:`.keys.invoice_key_arrays` a slice of
invoices at a time and keeps each slice's keys as their UTF-8 bytes: at 300 000 payments the
5.1 million keys of the 634 000 open items held 446 MiB as Python objects and their arrays,
118 MiB as bytes, and the key index build peaks 357 MiB above its start instead of 650 (in
the forked child of :mod:`.index_fork`, while the driver builds its other indexes).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from rapprochement.matching.free_keys import reference_keys
from rapprochement.matching.token_keys import token_key_arrays

__all__ = ["Fixed", "arrow_strings", "encode", "invoice_key_bytes", "unique_bytes"]

_CHUNK = 1 << 18  # byte positions cut at once in :func:`encode`
_SLICE = 1 << 15  # tokens whose keys are made at once in :func:`invoice_key_bytes`


def unique_bytes(keys: np.ndarray[Any, Any]) -> tuple[np.ndarray[Any, Any], ...]:
    """``np.unique(keys, return_inverse=True)`` of fixed-width bytes holding no NUL: sorted
    as rows of big-endian 64-bit words (the same byte order), faster than as strings."""
    n, width = len(keys), keys.dtype.itemsize
    words = -(-width // 8)
    grid = np.zeros((n, words * 8), dtype=np.uint8)
    grid[:, :width] = keys.view(np.uint8).reshape(n, width)
    cols = grid.view(">u8").astype(np.uint64)  # (n, words), native order
    del grid
    order = np.lexsort(cols.T[::-1])  # the first word is the primary key
    cols = cols[order]
    new = np.ones(n, dtype=bool)
    new[1:] = (cols[1:] != cols[:-1]).any(axis=1)
    back = np.empty(n, dtype=np.int64)
    back[order] = np.cumsum(new) - 1
    return keys[order[new]], back


Fixed = Callable[[np.ndarray[Any, Any], int], np.ndarray[Any, Any]]


def arrow_strings(keys: Any) -> pa.Array | None:
    """``keys`` as an Arrow string array when every one is a ``str`` (else None: they are
    then read one at a time, as ``str(key)``)."""
    if isinstance(keys, pa.Array):
        return keys if keys.null_count == 0 else None
    values = keys if isinstance(keys, np.ndarray) else np.array(list(keys), dtype=object)
    if len(values) == 0 or pd.api.types.infer_dtype(values, skipna=False) != "string":
        return None
    try:
        arr = pa.array(values, type=pa.large_string(), from_pandas=False)
    except (pa.ArrowException, UnicodeError):  # a lone surrogate
        return None
    return arr if arr.null_count == 0 else None


def encode(keys: Any) -> tuple[Fixed, np.ndarray[Any, Any]]:
    """The UTF-8 byte length of each key string, and a function giving the keys at some
    positions, all of one byte length, as fixed-width bytes (``S``, at least one wide): cut
    from the bytes of an Arrow array when the keys are strings, else encoded one by one."""
    arr = arrow_strings(keys)
    if arr is None:
        enc = np.empty(len(keys), dtype=object)
        enc[:] = [str(k).encode("utf-8", "surrogatepass") for k in keys]
        lens = np.fromiter(map(len, enc), dtype=np.int64, count=len(enc))

        def encoded(where: np.ndarray[Any, Any], length: int) -> np.ndarray[Any, Any]:
            out: np.ndarray[Any, Any] = enc[where].astype(f"S{max(length, 1)}")
            return out

        return encoded, lens
    bufs = arr.buffers()
    offsets = np.frombuffer(bufs[1], dtype=np.int64)[arr.offset : arr.offset + len(arr) + 1]
    data = np.frombuffer(bufs[2], dtype=np.uint8) if bufs[2] is not None else np.zeros(0, np.uint8)

    def cut(where: np.ndarray[Any, Any], length: int) -> np.ndarray[Any, Any]:
        grid = np.zeros((len(where), max(length, 1)), dtype=np.uint8)
        span = np.arange(length, dtype=np.int64)
        for lo in range(0, len(where), _CHUNK):  # bounded memory: the byte positions of a slice
            at = offsets[where[lo : lo + _CHUNK]]
            grid[lo : lo + len(at), :length] = data[at[:, None] + span]
        out: np.ndarray[Any, Any] = grid.view(f"S{max(length, 1)}").ravel()
        return out

    return cut, np.diff(offsets).astype(np.int32)  # (a key is far below 2 GiB)


Keys = tuple[np.ndarray[Any, Any], Any, np.ndarray[Any, Any]]  # rows, key strings, levels


def invoice_key_bytes(ids: pd.Series, refs: pd.Series) -> Keys | None:
    """:func:`.keys.invoice_key_arrays` with the keys as one Arrow string array (rows as
    ``int32``, levels as ``int8``), made a slice of ids or references at a time, each slice's
    keys kept as their UTF-8 bytes; None when some key is no plain string for Arrow (the
    caller then makes them as objects).

    The keys come in another order (every slice's keys by prefix, not every key of a prefix
    together), the same within each key: an invoice's keys of a prefix, and each key's rows,
    come in the same order (ids first, then printed references, then their ``R:`` and ``F:``
    keys; rows ascending) and a key's prefix gives its level."""
    refs = refs.astype(object).fillna("")
    has = np.flatnonzero((refs != "").to_numpy())
    at_ids = np.arange(len(ids), dtype=np.int64)
    parts = [*_slices(ids.reset_index(drop=True), at_ids), *_slices(refs.iloc[has], has)]
    values = refs.tolist()  # read once, not a scalar read per reference
    rows, keys, lvls = reference_keys([str(values[i]) for i in has.tolist()])
    if keys:
        at = has[np.array(rows, np.int64)].astype(np.int32)
        parts.append((at, _packed(keys), np.array(lvls, np.int8)))
    packs = [p[1] for p in parts]
    if any(p is None for p in packs):
        return None
    row = np.concatenate([np.zeros(0, np.int32), *(p[0] for p in parts)]).astype(np.int32)
    lvl = np.concatenate([np.zeros(0, np.int8), *(p[2] for p in parts)]).astype(np.int8)
    del parts
    return row, _joined(packs), lvl


def _slices(values: pd.Series, at: np.ndarray[Any, Any]) -> list[tuple[Any, ...]]:
    """The keys of ``values`` (rows ``at``) a slice at a time: per slice its rows, keys
    (:func:`_packed`: None when not plain strings) and levels, slices without a key left out."""
    out: list[tuple[Any, ...]] = []
    for lo in range(0, len(values), _SLICE):
        row, key, lvl = token_key_arrays(values.iloc[lo : lo + _SLICE].reset_index(drop=True))
        if len(key):
            out.append((at[lo + row].astype(np.int32), _packed(key), lvl.astype(np.int8)))
    return out


Packed = tuple[bytes, np.ndarray[Any, Any]]  # keys' UTF-8 bytes one after another, lengths


def _packed(keys: Any) -> Packed | None:
    """The UTF-8 bytes of the strings ``keys`` one after another and each one's byte length;
    None when some key is no string or no valid UTF-8 text (a lone surrogate)."""
    try:
        text = "".join(keys)
        data = text.encode("utf-8")
    except (TypeError, UnicodeEncodeError):
        return None
    if len(data) == len(text):  # ASCII: a byte per character
        lens = np.fromiter(map(len, keys), dtype=np.int32, count=len(keys))
    else:
        size = (len(k.encode("utf-8")) for k in keys)
        lens = np.fromiter(size, dtype=np.int32, count=len(keys))
    return data, lens


def _joined(packs: list[Packed | None]) -> pa.Array:
    """The keys of every pack as one Arrow string array (each pack's bytes freed once
    copied: never all of them twice)."""
    sizes = np.concatenate([np.zeros(0, np.int32), *(p[1] for p in packs if p is not None)])
    offsets = np.zeros(len(sizes) + 1, dtype=np.int64)
    np.cumsum(sizes, out=offsets[1:], dtype=np.int64)
    data = np.empty(int(offsets[-1]), dtype=np.uint8)
    at = 0
    while packs:
        pack = packs.pop(0)
        if pack is not None:
            data[at : at + len(pack[0])] = np.frombuffer(pack[0], dtype=np.uint8)
            at += len(pack[0])
        del pack
    return pa.LargeStringArray.from_buffers(len(sizes), pa.py_buffer(offsets), pa.py_buffer(data))
