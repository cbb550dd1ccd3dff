"""The reference keys of many tokens at once (:func:`vector_token_keys`), the vectorized
form of :func:`rapprochement.matching.keys._token_keys` that builds the invoice-side key index
and the keys of the payment texts' tokens (split from :mod:`rapprochement.matching.keys`).

ASCII tokens (nearly all) are worked out together: the tokens are joined by a NUL into one
string and each regular expression runs once over it, in C, instead of once per token; the
other tokens go through the per-token loop. Both give the same keys.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

import numpy as np
import pandas as pd

from rapprochement.matching.padding import unpadded_digits

__all__ = ["token_key_arrays", "vector_token_keys", "year_tail"]

_A_DIGIT = re.compile(r"\d")
_DIGITS = re.compile(r"\d+")
_NON_AZ09 = re.compile(r"[^A-Z0-9]")
_LEAD_ZEROS = re.compile(r"(?<![0-9])0+(?=[0-9])")
_NON_09 = re.compile(r"[^0-9]")
_TAIL = re.compile(r"([0-9]+)[^0-9]*$")
_SEP = "\x00"  # joins the tokens of :func:`_ascii_keys`: a non-digit, non-letter no match crosses
#: the last digit group of each token of a joined string read backwards (:data:`_TAIL`)
_TAIL_B = re.compile(r"\x00([^0-9\x00]*)([0-9]*)")
_NOT_DIGIT_B = bytes(c for c in range(128) if c and not chr(c).isdigit())
_NOT_ALNUM_B = bytes(c for c in range(128) if c and not (chr(c).isdigit() or "A" <= chr(c) <= "Z"))
#: found in every digit group that :func:`.padding.unpadded` may change (and in a few others)
_PADDED_S = re.compile(r"(?:19|20)\d\d0+[1-9]")
_LEVELS = np.array([1, 2, 3, 3, 4, 5], dtype=np.int64)  # of the prefixes C N D Z L S

Keys = list[tuple[Any, Any]]  # per prefix: the rows and their keys (lists or arrays)


def year_tail(up: str, start: int) -> bool:
    """True when the digit group of ``up`` starting at ``start`` is a 4-digit year after an
    earlier digit group (``03/2026``, ``123/2026``): such a year is no invoice's tail."""
    return (
        len(up) - start >= 4
        and up[start : start + 2] in ("19", "20")
        and (start + 4 == len(up) or not up[start + 4].isdigit())
        and _A_DIGIT.search(up, 0, start) is not None
    )


def vector_token_keys(values: pd.Series) -> pd.DataFrame:
    """The keys of many tokens: ``row, key, lvl``, grouped by key prefix (``C N D Z L S``),
    rows ascending within each (a token without an ASCII digit has no key)."""
    row, key, lvl = token_key_arrays(values)
    return pd.DataFrame({"row": row, "key": pd.Series(key, dtype=object), "lvl": lvl})


def token_key_arrays(values: pd.Series) -> tuple[np.ndarray[Any, Any], ...]:
    """:func:`vector_token_keys` as three arrays (``row``, ``key`` as objects, ``lvl``): what
    the key index and the payment texts' keys read, without a frame built and taken apart."""
    vals = values.astype(object).fillna("").tolist()
    if not vals:
        return np.zeros(0, np.int64), np.empty(0, dtype=object), np.zeros(0, np.int64)
    joined = _SEP.join(vals)
    if joined.isascii() and joined.count(_SEP) == len(vals) - 1:
        parts = _ascii_keys(vals, joined)
    else:
        fast = [
            r for r, v in enumerate(vals) if isinstance(v, str) and v.isascii() and _SEP not in v
        ]
        slow = sorted(set(range(len(vals))) - set(fast))
        parts = _merge(
            _renumber(_ascii_keys([vals[r] for r in fast]), fast),
            _renumber(_loop_keys([vals[r] for r in slow]), slow),
        )
    keys = np.concatenate([np.asarray(k, dtype=object).reshape(len(k)) for _, k in parts])
    rows = np.concatenate([np.asarray(r, dtype=np.int64).reshape(len(r)) for r, _ in parts])
    return rows, keys, np.repeat(_LEVELS, [len(r) for r, _ in parts])


def _renumber(parts: Keys, rows: list[int]) -> Keys:
    at = np.asarray(rows, dtype=np.int64)
    return [(at[np.asarray(rr, dtype=np.int64)].tolist(), list(kk)) for rr, kk in parts]


def _merge(a: Keys, b: Keys) -> Keys:
    """Two prefix-grouped key lists of disjoint rows, each ascending, merged by row (``b``
    spliced into ``a``: ``b`` holds the few tokens that are not ASCII)."""
    out: Keys = []
    for (ra, ka), (rb, kb) in zip(a, b, strict=True):
        at = np.searchsorted(np.array(ra, dtype=np.int64), np.array(rb, dtype=np.int64), "right")
        rows: list[int] = []
        keys: list[str] = []
        prev = 0
        for j, p in enumerate(at.tolist()):
            rows += ra[prev:p]
            keys += ka[prev:p]
            rows.append(rb[j])
            keys.append(kb[j])
            prev = p
        rows += ra[prev:]
        keys += ka[prev:]
        out.append((rows, keys))
    return out


def _loop_keys(values: list[Any]) -> Keys:
    """The keys of each token, one token at a time (any token)."""
    out: Keys = [([], []) for _ in range(6)]
    c_, n_, d_, z_, l_, s_ = out
    for r, raw in enumerate(values):
        up = (raw if raw.isascii() else unicodedata.normalize("NFKD", raw)).upper()
        digits = _NON_09.sub("", up)
        if not digits:
            continue
        comp = _NON_AZ09.sub("", up)
        stripped = _LEAD_ZEROS.sub("", up)
        if len(comp) >= 3:
            c_[0].append(r)
            c_[1].append("C:" + comp)
            n_[0].append(r)
            n_[1].append("N:" + _NON_AZ09.sub("", stripped))
        if len(digits) >= 5:
            d_[0].append(r)
            d_[1].append("D:" + digits)
            z = _NON_09.sub("", stripped)
            if len(z) >= 4:
                z_[0].append(r)
                z_[1].append("Z:" + z)
            pad = unpadded_digits(_DIGITS.findall(up)) if len(digits) >= 8 else None
            if pad is not None:  # a year glued to a zero-padded number (:mod:`.padding`)
                z_[0].append(r)
                z_[1].append("Z:" + pad)
            s_[0].append(r)
            s_[1].append("S:" + "".join(sorted(digits)))
        m = _TAIL.search(up)
        tail = m.group(1).lstrip("0") if m and not year_tail(up, m.start(1)) else ""
        if len(tail) >= 3:
            l_[0].append(r)
            l_[1].append("L:" + tail)
    return out


def _ascii_keys(values: list[str], joined: str | None = None) -> Keys:
    """:func:`_loop_keys` of ASCII tokens without a NUL (``joined``: them joined by NUL)."""
    up = (_SEP.join(values) if joined is None else joined).upper()
    raw = up.encode("ascii")
    digits, n_dig = _split(raw.translate(None, _NOT_DIGIT_B))
    n_comp = _split(raw.translate(None, _NOT_ALNUM_B), "C:")
    stripped = _LEAD_ZEROS.sub("", up).encode("ascii")
    n_z = _split(stripped.translate(None, _NOT_DIGIT_B), "Z:")
    c_rows = np.flatnonzero((n_dig > 0) & (n_comp[1] >= 3))
    d_rows = np.flatnonzero(n_dig >= 5)
    z_rows = np.flatnonzero((n_dig >= 5) & (n_z[1] >= 4))
    # the rows with a year-padded group have one more ``Z:`` key, after the plain one
    pads = [m.start() for m in _PADDED_S.finditer(up)]
    pad_rows, pad_keys = [], []
    for r in sorted(set(_row_at(raw, pads))):
        pad = unpadded_digits(_DIGITS.findall(values[r].upper())) if n_dig[r] >= 8 else None
        if pad is not None:
            pad_rows.append(r)
            pad_keys.append("Z:" + pad)
    z_at = np.concatenate([z_rows, np.array(pad_rows, dtype=np.int64)])
    z_keys = np.concatenate([n_z[0][z_rows], np.array(pad_keys, dtype=object).reshape(-1)])
    z_order = np.argsort(z_at, kind="stable")
    # the last digit group, unless it is a year after an earlier group (:func:`year_tail`):
    # the first group of each token read backwards, with what follows it (one per token)
    found = _TAIL_B.findall(_SEP + up[::-1])[::-1]
    ends = [g[::-1] for _, g in found]
    tails = [g.lstrip("0") for g in ends]
    n_end = np.fromiter(map(len, ends), dtype=np.int64, count=len(ends))
    n_after = np.fromiter((len(a) for a, _ in found), dtype=np.int64, count=len(found))
    n_tail = np.fromiter(map(len, tails), dtype=np.int64, count=len(tails))
    keep = n_tail >= 3
    maybe = keep & (n_end <= 4) & (n_end + n_after >= 4) & (n_dig > n_end)
    for r in np.flatnonzero(maybe).tolist():
        keep[r] = ends[r][:2] not in ("19", "20")
    l_rows = np.flatnonzero(keep).tolist()
    norm = _split(stripped.translate(None, _NOT_ALNUM_B), "N:")[0]
    return [
        (c_rows, n_comp[0][c_rows]),
        (c_rows, norm[c_rows]),
        (d_rows, _split(raw.translate(None, _NOT_DIGIT_B), "D:")[0][d_rows]),
        (z_at[z_order], z_keys[z_order]),
        (l_rows, ["L:" + tails[r] for r in l_rows]),
        (d_rows, _sorted_digits([digits[r] for r in d_rows.tolist()], "S:")),
    ]


def _row_at(raw: bytes, positions: list[int]) -> list[int]:
    """The token holding each position of NUL-joined tokens ``raw``."""
    cut = np.flatnonzero(np.frombuffer(raw, dtype=np.uint8) == 0)
    rows: list[int] = np.searchsorted(cut, np.array(positions, dtype=np.int64)).tolist()
    return rows


def _sorted_digits(digits: list[str], prefix: str) -> np.ndarray[Any, Any]:
    """``prefix + "".join(sorted(d))`` of many ASCII digit strings, sorted as rows of bytes, a
    length at a time."""
    out = np.empty(len(digits), dtype=object)
    lens = np.fromiter(map(len, digits), dtype=np.int64, count=len(digits))
    head = np.frombuffer(prefix.encode("ascii"), dtype=np.uint8)
    for length in np.unique(lens).tolist():
        where = np.flatnonzero(lens == length)
        flat = np.frombuffer("".join([digits[i] for i in where.tolist()]).encode("ascii"), np.uint8)
        grid = np.empty((len(where), len(head) + length), dtype=np.uint8)
        grid[:, : len(head)] = head
        grid[:, len(head) :] = flat.reshape(len(where), length)
        grid[:, len(head) :].sort(axis=1)
        out[where] = grid.view(f"S{grid.shape[1]}").ravel().astype(f"U{grid.shape[1]}")
    return out


def _split(raw: bytes, prefix: str = "") -> tuple[Any, np.ndarray[Any, Any]]:
    """The NUL-separated ASCII strings of ``raw`` (a list; an array, each after ``prefix``,
    when one is given) and their lengths (without the prefix)."""
    cut = np.flatnonzero(np.frombuffer(raw, dtype=np.uint8) == 0)
    lens = np.diff(np.concatenate(([-1], cut, [len(raw)]))) - 1
    text = raw.decode("ascii")
    if not prefix:
        return text.split(_SEP), lens
    out = np.empty(len(lens), dtype=object)
    out[:] = (prefix + text.replace(_SEP, _SEP + prefix)).split(_SEP)
    return out, lens
