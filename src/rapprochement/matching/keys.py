"""Blocking keys: reference tokens of payments and invoices, and normalized payer names.

A token gives several keys, from strict to loose; two records sharing a key are a candidate
pair and the strictest shared key is the *reference level* feature:

=============  ==========================================================  ==============
key prefix     built from                                                  level
=============  ==========================================================  ==============
``R:``         a checksummed reference (RF, OGM, QR, FI, KID), compact      ``checksum``
``C:``         the token upper-cased without separators                     ``exact``
``N:``         :func:`~rapprochement.references.normalize_token`           ``normalized``
``D:``/``Z:``  its digits only (with / without leading zeros per group, and  ``digits``
               without the padding after a glued year: :mod:`.padding`)
``L:``         its last digit group without leading zeros (≥ 3 digits)      ``tail``
``S:``         its digits sorted (catches transposed digits)                ``transposed``
=============  ==========================================================  ==============
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np
import pandas as pd

from rapprochement.matching.free_keys import FREE_LEVEL, checksummed, free_key, free_text_keys
from rapprochement.matching.name_keys import compact_iban, normalize_name, payer_in_text
from rapprochement.matching.padding import unpadded_digits
from rapprochement.matching.token_keys import token_key_arrays, year_tail
from rapprochement.references import find_references, normalize_token
from rapprochement.references.extract import scan_references

__all__ = [
    "LEVELS",
    "compact_iban",
    "expand",
    "free_key",
    "free_text_keys",
    "invoice_key_arrays",
    "invoice_key_frame",
    "invoice_key_rows",
    "invoice_keys",
    "normalize_name",
    "payer_in_text",
    "text_key_codes",
    "text_key_frame",
    "text_keys",
    "text_tokens",
    "unique_text_keys",
]

#: Reference levels, strongest first (the index is the level code used in frames).
LEVELS: tuple[str, ...] = (
    "checksum",
    "exact",
    "normalized",
    "digits",
    "tail",
    "transposed",
    "none",
)
_LVL_SPAN = 8  # levels are below this (packed with a text and key code)
_PREFIX_LEVEL = {"R": 0, "C": 1, "N": 2, "F": 2, "D": 3, "Z": 3, "L": 4, "S": 5}

_GROUP = re.compile(r"[A-Za-z]*\d+")


_NOT_ALNUM = re.compile(r"[^A-Z0-9]")
_DIGITS = re.compile(r"\d+")
_A_DIGIT = re.compile(r"\d")
#: a 4-digit year (1900-2099), alone or glued to a prefix word (``2026``, ``F2026``)
_YEAR = re.compile(r"[A-Za-z]*(?:19|20)\d\d")
#: a calendar date (``12/03/2026``, ``12.03.26``, ``2026-03-12``): never an invoice number
_DATE = re.compile(
    r"(?:0?[1-9]|[12]\d|3[01])[./-](?:0?[1-9]|1[0-2])[./-](?:(?:19|20)\d\d|\d\d)"
    r"|(?:19|20)\d\d-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])"
)
#: a sum of money written in the text (``1203.00``, ``1 203,00``, ``1,203.00``) or a day and
#: month without a year (``12/03``): never an invoice number (``MONTANT 1203.00 DU 12/03``
#: names no invoice no. 1203)
_NOT_A_NUMBER = re.compile(
    r"(?<![\w.,/-])(?:\d{1,3}(?:[ ',.\u00a0]\d{3})+|\d+)[.,]\d\d(?![\w.,/-])"
    r"|(?<![\w.,/-])(?:0?[1-9]|[12]\d|3[01])[/.](?:0?[1-9]|1[0-2])\.?(?![\w/-]|[.,]\d)"
)
_WORD = re.compile(r"[A-Z]+")
_NO_DIGIT_START = re.compile(r"\D*")  # read backwards: what follows the last digit (or all)
#: words that label the number after them as the payer's customer number or its own order
#: number (purchase order, bon de commande, Bestellung), not an invoice's
_CUSTOMER_LABELS = frozenset(
    {"CLIENT", "CLIENTE", "CLT", "CUST", "CUSTOMER", "KD", "KUNDE", "KUNDEN", "KUNDENNR",
     "KDNR", "KLANT", "KLANTNR", "DEBITEUR", "DEBITEURNR", "DEBITOR",
     "PO", "BC", "CDE", "CMD", "COMMANDE", "ORDER", "BESTELLUNG", "BESTELLNR", "BESTELLING",
     "PEDIDO", "ORDINE"}
)  # fmt: skip
#: words between such a label and its number (``Client No. 000247``, ``Kd-Nr. 12345``)
_NUMBER_WORDS = frozenset({"N", "NO", "NR", "NUM", "NUMBER", "NUMMER", "NUMERO", "O"})


def _customer_number(text: str, start: int, raw: str, digit: int | None = None) -> bool:
    """True when the token ``raw`` at ``start`` of ``text`` is labelled as a customer or order
    number (``CLIENT 000247``, ``KD 4711``, ``Kd-Nr. 12345``, ``PO 4500012345``, ``CDE12345``).
    ``digit``: the position of the first digit in ``raw`` when known."""
    if digit is None:
        m = _A_DIGIT.search(raw)
        digit = m.start() if m else 0
    head = text[max(0, start - 24) : start + digit]
    # only the words after the previous number label this one (``CDE47788, 20260001144``:
    # the 20260001144 is not an order number): what follows the last digit, read backwards
    found = _NO_DIGIT_START.match(head[::-1])  # always found
    return _labels(head[len(head) - (found.end() if found else len(head)) :])


@functools.lru_cache(maxsize=1 << 16)
def _labels(tail: str) -> bool:
    """Does ``tail`` (the text before a number, after any earlier digit) end with a word that
    labels a customer or order number (number words such as ``No.`` aside)? Cached: the same
    few labels come before many numbers."""
    if not tail.isascii():
        tail = unicodedata.normalize("NFKD", tail)
    words = _WORD.findall(tail.upper())
    while words and words[-1] in _NUMBER_WORDS:
        words.pop()
    return bool(words) and words[-1] in _CUSTOMER_LABELS


def _token_keys(raw: str) -> set[str]:
    t = (raw if raw.isascii() else unicodedata.normalize("NFKD", raw)).upper()
    comp = _NOT_ALNUM.sub("", t)
    keys: set[str] = set()
    if len(comp) >= 3 and not comp.isalpha():  # (``comp`` is A-Z and 0-9 only: a digit)
        keys.add("C:" + comp)
        keys.add("N:" + normalize_token(raw))
    groups = _DIGITS.findall(t)
    digits = "".join(groups)
    if len(digits) >= 5:
        keys.add("D:" + digits)
        z = "".join(g.lstrip("0") or "0" for g in groups)
        if len(z) >= 4:
            keys.add("Z:" + z)
        pad = unpadded_digits(groups) if len(digits) >= 8 else None
        if pad is not None:  # a year glued to a zero-padded number (:mod:`.padding`)
            keys.add("Z:" + pad)
        keys.add("S:" + "".join(sorted(digits)))
    if groups:
        tail = groups[-1].lstrip("0")
        last = t.rfind(groups[-1])
        if len(tail) >= 3 and not year_tail(t, last):
            keys.add("L:" + tail)
    return keys


def text_tokens(text: str) -> tuple[dict[str, int], list[str]]:
    """The ``R:`` keys of the checksummed references in a payment's text (level 0, or 1 when
    the check digit fails) and the token strings whose keys (:func:`_token_keys`) are looked up:
    each invoice-like token, its number without the prefix word (``Fact. 2026/123``), and each
    run of 1-3 of its groups (``20250000173/20250000174`` holds two invoice numbers)."""
    rkeys: dict[str, int] = {}
    tokens: list[str] = []
    if not _A_DIGIT.search(text):  # every reference and invoice number holds a digit
        return rkeys, tokens
    # digits inside a sum of money or a day-and-month give no key
    money = (
        [(m.start(), m.end()) for m in _NOT_A_NUMBER.finditer(text)]
        if "." in text or "," in text or "/" in text  # (each match holds one of them)
        else []
    )
    # bare FI / KID numbers are not looked for: their digits already give an exact key (and
    # an invoice token's normalized value is not read here)
    for start, scheme, value, raw, _end, valid in scan_references(text, False, False):
        if scheme != "invoice":
            lvl = 0 if valid else 1
            if rkeys.get("R:" + value, 99) > lvl:
                rkeys["R:" + value] = lvl
            if not valid:
                tokens.append(raw)
            continue
        m = _A_DIGIT.search(raw)
        digit = m.start() if m else 0
        if _DATE.fullmatch(raw, digit):
            continue
        if money:
            at = start + digit
            if any(a <= at < b for a, b in money):
                continue
            cut = min((a for a, _ in money if a > at), default=-1)
            if 0 <= cut - start < len(raw):  # the token runs into a sum: keep what precedes
                raw = raw[: max(0, cut - start)].rstrip(" ,;/-")
                m = _A_DIGIT.search(raw)
                if m is None:
                    continue
                digit = m.start()
        groups = list(_GROUP.finditer(raw))
        first = 0
        if _customer_number(text, start, raw, digit):
            # the label names the first number only (with its year: ``BC 2025-4730``), and
            # ``CDE34495/20250001027/20250001028`` lists invoices after the order number
            first = 2 if _YEAR.fullmatch(groups[0].group()) else 1
            if len(groups) <= first:
                continue
        else:
            tokens.append(raw)
            if digit > 0:
                tokens.append(raw[digit:])
        if len(groups) > 1:
            for x in range(first, len(groups)):
                for y in range(x + 1, min(x + 3, len(groups)) + 1):
                    # a year alone (the ``2026`` of ``FA-2026-000123``) names no invoice
                    if (x, y) != (0, len(groups)) and not (
                        y == x + 1 and _YEAR.fullmatch(groups[x].group())
                    ):
                        tokens.append(raw[groups[x].start() : groups[y - 1].end()])
    return rkeys, tokens


def text_keys(text: str, cache: dict[str, set[str]] | None = None) -> dict[str, int]:
    """Keys of every reference found in a payment's text → strongest level (0 = checksum).
    ``cache``: each token's keys, kept across the calls that pass it (texts sharing tokens)."""
    out, tokens = text_tokens(text)
    for tok in tokens:
        got = None if cache is None else cache.get(tok)
        if got is None:
            got = _token_keys(tok)
            if cache is not None:
                cache[tok] = got
        for k in got:
            lvl = _PREFIX_LEVEL[k[0]]
            if out.get(k, 99) > lvl:
                out[k] = lvl
    return out


def _token_table(
    texts: Iterable[str], tokens_of: dict[str, list[str]] | None
) -> tuple[
    np.ndarray[Any, Any],
    list[tuple[int, str, int]],
    tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]],
    tuple[np.ndarray[Any, Any], ...],
    int,
]:
    """The distinct texts' tokens (:func:`unique_text_keys`): each text's position among the
    distinct texts, their ``R:`` keys (``row, key, lvl``), the (text, token) pairs as two
    arrays and the keys of the distinct tokens (``row, key, lvl`` arrays of
    :func:`.token_keys.token_key_arrays`) with the number of distinct tokens."""
    seen: dict[str, int] = {}
    if isinstance(texts, pd.Series):
        texts = texts.tolist()  # read once, not an Arrow scalar per text
    codes = np.fromiter((seen.setdefault(t, len(seen)) for t in texts), dtype=np.int64)
    r_rows: list[tuple[int, str, int]] = []
    tok_text: list[int] = []
    tok_id: list[int] = []
    tokens: dict[str, int] = {}
    for u, text in enumerate(seen):
        rkeys, toks = text_tokens(text)
        if tokens_of is not None:
            tokens_of[text] = toks
        r_rows.extend((u, k, lvl) for k, lvl in rkeys.items())
        for tok in toks:
            tok_text.append(u)
            tok_id.append(tokens.setdefault(tok, len(tokens)))
    vk = token_key_arrays(pd.Series(list(tokens), dtype=object))
    pairs = (np.asarray(tok_text, dtype=np.int64), np.asarray(tok_id, dtype=np.int64))
    return codes, r_rows, pairs, vk, len(tokens)


def _per_pair(
    pairs: tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]],
    token_rows: np.ndarray[Any, Any],
    n_tokens: int,
) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """(text, token) pairs × the keys of the token (``token_rows``: each key's token):
    the text of each and the key's position."""
    tok_text, tid = pairs
    order = np.argsort(token_rows, kind="stable")
    counts = np.bincount(token_rows, minlength=n_tokens)
    pos = order[expand(np.cumsum(counts) - counts, counts, tid)]
    return np.repeat(tok_text, counts[tid]), pos


def unique_text_keys(
    texts: Iterable[str], tokens_of: dict[str, list[str]] | None = None
) -> tuple[np.ndarray[Any, Any], pd.DataFrame]:
    """Keys of many payment texts, each distinct text and each distinct token worked out once
    (``tokens_of``, when given, receives each distinct text's tokens of :func:`text_tokens`).

    Returns:
        codes: per text, its position among the distinct texts (first-seen order).
        keys: ``row, key, lvl`` of the distinct texts (``row`` = that position), the strongest
        level of each key of a text.
    """
    codes, r_rows, pairs, vk, n_tokens = _token_table(texts, tokens_of)
    rows, pos = _per_pair(pairs, vk[0], n_tokens)
    keys, lvls = vk[1][pos], vk[2][pos]
    out = pd.concat(
        [
            pd.DataFrame({"row": rows, "key": keys, "lvl": lvls}),
            pd.DataFrame(r_rows, columns=["row", "key", "lvl"]),
        ],
        ignore_index=True,
    )
    out = out.astype({"row": np.int64, "lvl": np.int64})  # an empty part is of object dtype
    out = out.sort_values("lvl", kind="stable")  # the strongest level of a key comes first
    return codes, out.drop_duplicates(["row", "key"]).reset_index(drop=True)


def text_key_codes(
    texts: Iterable[str],
    code_of: Callable[[np.ndarray[Any, Any]], np.ndarray[Any, Any]],
    tokens_of: dict[str, list[str]] | None = None,
    extra: pd.DataFrame | None = None,
) -> tuple[np.ndarray[Any, Any], tuple[np.ndarray[Any, Any], ...]]:
    """:func:`unique_text_keys` with each key as its code (``code_of``: key strings → codes,
    -1 for a key to drop) and ``extra`` keys (``row, key, lvl``) added: the codes are looked
    up once per distinct token's key, and the strongest level per text and code is kept on
    integers. Returns the text codes and ``(row, code, lvl)`` (in no particular order)."""
    codes, r_rows, pairs, vk, n_tokens = _token_table(texts, tokens_of)
    vcode = code_of(vk[1])
    hit = vcode >= 0
    rows, pos = _per_pair(pairs, vk[0][hit], n_tokens)
    parts = [(rows, vcode[hit][pos], vk[2][hit][pos])]
    more = [pd.DataFrame(r_rows, columns=["row", "key", "lvl"])]
    for part in [*more, *([extra] if extra is not None else [])]:
        c = code_of(part["key"].to_numpy(dtype=object))
        ok = c >= 0
        parts.append((part["row"].to_numpy()[ok], c[ok], part["lvl"].to_numpy()[ok]))
    row, code, lvl = (np.concatenate([p[k].astype(np.int64) for p in parts]) for k in range(3))
    span = int(code.max(initial=0)) + 1
    packed = np.sort((row * span + code) * _LVL_SPAN + lvl)  # by text and code, strongest first
    pair = packed // _LVL_SPAN
    first = np.ones(len(pair), dtype=bool)
    first[1:] = pair[1:] != pair[:-1]
    pair = pair[first]
    return codes, (pair // span, pair % span, packed[first] % _LVL_SPAN)


def expand(
    starts: np.ndarray[Any, Any], counts: np.ndarray[Any, Any], which: np.ndarray[Any, Any]
) -> np.ndarray[Any, Any]:
    """Positions ``starts[w] .. starts[w] + counts[w] - 1`` for each ``w`` of ``which``, in order
    (the rows of a CSR layout selected by ``which``, with repeats)."""
    c = counts[which]
    total = int(c.sum())
    base = np.repeat(starts[which] - (np.cumsum(c) - c), c)
    out: np.ndarray[Any, Any] = base + np.arange(total, dtype=np.int64)
    return out


def text_key_frame(texts: Iterable[str]) -> pd.DataFrame:
    """Keys of many payment texts at once: ``row, key, lvl`` (strongest level per key)."""
    codes, keys = unique_text_keys(texts)
    order = np.argsort(keys["row"].to_numpy(), kind="stable")
    counts = np.bincount(keys["row"].to_numpy(), minlength=int(codes.max(initial=-1)) + 1)
    pos = order[expand(np.cumsum(counts) - counts, counts, codes)]
    rows = np.repeat(np.arange(len(codes), dtype=np.int64), counts[codes])
    return pd.DataFrame(
        {"row": rows, "key": keys["key"].to_numpy()[pos], "lvl": keys["lvl"].to_numpy()[pos]}
    )


def invoice_keys(values: Iterable[str]) -> dict[str, int]:
    """Keys of an invoice's id and printed reference → level (same scheme as :func:`text_keys`)."""
    out: dict[str, int] = {}
    for n, v in enumerate(values):
        if not v:
            continue
        whole = re.sub(r"[^A-Za-z0-9]", "", v).upper()
        # the invoice id is an id, not a printed reference: only the reference is parsed
        for ref in find_references(v) if n > 0 else ():
            # a bare number validates a FI/KID check digit 1 time in 10: only the whole reference
            strong = ref.scheme in ("rf", "ogm", "qr") or ref.value == whole
            if ref.scheme != "invoice" and ref.valid and strong:
                out["R:" + ref.value] = 0
        for k in _token_keys(v):
            lvl = _PREFIX_LEVEL[k[0]]
            if out.get(k, 99) > lvl:
                out[k] = lvl
    return out


def invoice_key_rows(ids: pd.Series, refs: pd.Series) -> pd.DataFrame:
    """Every key of every invoice, repeats included (``inv`` position, ``key``, ``lvl``):
    vectorized over the ids; printed references go through :func:`invoice_keys` (they may be
    checksummed). :func:`invoice_key_frame` keeps the strongest level of each."""
    inv, key, lvl = invoice_key_arrays(ids, refs)
    return pd.DataFrame({"inv": inv, "key": pd.Series(key, dtype=object), "lvl": lvl})


def invoice_key_arrays(ids: pd.Series, refs: pd.Series) -> tuple[np.ndarray[Any, Any], ...]:
    """:func:`invoice_key_rows` as three arrays (``inv``, ``key`` as objects, ``lvl``)."""
    refs = refs.astype(object).fillna("")
    has = (refs != "").to_numpy()
    i_inv, i_key, i_lvl = token_key_arrays(ids)
    r_inv, r_key, r_lvl = token_key_arrays(refs[has].reset_index(drop=True))
    r_inv = np.flatnonzero(has)[r_inv]
    rows: list[int] = []
    keys: list[str] = []
    lvls: list[int] = []
    values = refs.tolist()  # read once, not a scalar read per reference
    for i in np.flatnonzero(has).tolist():
        key = checksummed(str(values[i]))
        if key:
            rows.append(i)
            keys.append(key)
            lvls.append(0)
        free = free_key(str(values[i]))
        if free:
            rows.append(i)
            keys.append(free)
            lvls.append(FREE_LEVEL)
    more = np.empty(len(keys), dtype=object)
    more[:] = keys
    return (
        np.concatenate([i_inv, r_inv, np.array(rows, dtype=np.int64)]),
        np.concatenate([i_key, r_key, more]),
        np.concatenate([i_lvl, r_lvl, np.array(lvls, dtype=np.int64)]),
    )


def invoice_key_frame(ids: pd.Series, refs: pd.Series) -> pd.DataFrame:
    """Keys of every invoice (``inv`` position, ``key``, ``lvl``), the strongest level of each
    key of an invoice, ordered by level (see :func:`invoice_key_rows`)."""
    out = invoice_key_rows(ids, refs).sort_values("lvl", kind="stable")
    return out.drop_duplicates(["inv", "key"]).reset_index(drop=True)
