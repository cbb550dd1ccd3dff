"""Noise of issue 12 that every world draws in its own way: a company spelled twice in the
master data, IBANs as people type them, amounts keyed with two digits swapped, and bank lines
whose amount equals an open invoice by coincidence.

Pure functions of a :class:`random.Random` (no state).
"""

from __future__ import annotations

import random
import unicodedata
from collections.abc import Mapping

from benchmarks.worlds.book import WorldBook

__all__ = ["add_coincidences", "messy_iban", "strip_accents", "transpose_digits", "twin_spelling"]

# letters people confuse when they key a name into an ERP (by ear or by eye)
_CONFUSED = {"v": "b", "b": "v", "f": "ph", "ph": "f", "ck": "k", "c": "k", "y": "i",
             "i": "y", "ei": "ie", "ie": "ei", "ou": "u", "th": "t", "ll": "l", "tt": "t",
             "ss": "s", "mm": "m", "nn": "n"}  # fmt: skip


def strip_accents(text: str) -> str:
    """``text`` without combining accents (``"Lefèvre"`` → ``"Lefevre"``)."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def twin_spelling(rng: random.Random, name: str) -> str:
    """A second spelling of company ``name`` as a second master record would hold it: one
    letter confusion (``Lefèvre`` → ``Lefebre``), a letter dropped or doubled, accents lost, or
    ``&`` / ``and`` swapped. Never equal to ``name``."""
    words = name.split()
    long_words = [i for i, w in enumerate(words) if len(w) >= 5 and w.isalpha()]
    ops = ["confuse", "drop", "double", "amp"] if long_words else ["amp"]
    for _ in range(8):
        op = rng.choice(ops)
        if op == "amp":
            out = name.replace(" & ", " and ") if " & " in name else name.replace(" and ", " & ")
            if out == name:
                out = strip_accents(name) if strip_accents(name) != name else name + "."
        else:
            i = rng.choice(long_words)
            w = words[i]
            if op == "confuse":
                keys = [k for k in _CONFUSED if k in w[1:]]
                if not keys:
                    continue
                k = rng.choice(keys)
                pos = w.index(k, 1)
                w = w[:pos] + _CONFUSED[k] + w[pos + len(k) :]
            else:
                pos = rng.randrange(1, len(w) - 1)
                w = w[:pos] + w[pos + 1 :] if op == "drop" else w[:pos] + w[pos] + w[pos:]
            out = " ".join([*words[:i], w, *words[i + 1 :]])
        if out != name:
            return out
    return name + " ."


def messy_iban(rng: random.Random, iban: str) -> str:
    """``iban`` as typed into a form or read off an invoice: lower case, dashes, irregular
    spaces (``"BE38-7330 4038-5372"``, ``"be38 7330 4038 5372"``). Same characters otherwise."""
    compact = "".join(iban.split()).upper()
    groups = [compact[i : i + 4] for i in range(0, len(compact), 4)]
    style = rng.randrange(4)
    if style == 0:
        out = " ".join(groups).lower()
    elif style == 1:
        out = "-".join(groups)
    elif style == 2:
        out = "".join(g + rng.choice(("-", " ", "")) for g in groups).rstrip("- ")
    else:
        out = " ".join(groups[:2]) + "-" + "-".join(groups[2:])
    if rng.random() < 0.3:
        out = out.lower()
    return out if out != compact else compact.lower()


def transpose_digits(rng: random.Random, cents: int) -> int | None:
    """``cents`` keyed with two adjacent digits swapped (``418730`` → ``481730``), or None when
    no swap changes it (every digit equal) or would lead with a zero."""
    digits = str(cents)
    spots = [i for i in range(len(digits) - 1) if digits[i] != digits[i + 1]]
    spots = [i for i in spots if not (i == 0 and digits[1] == "0")]
    if not spots:
        return None
    i = rng.choice(spots)
    d = list(digits)
    d[i], d[i + 1] = d[i + 1], d[i]
    return int("".join(d))


def add_coincidences(
    book: WorldBook,
    count: int,
    open_items: list[int],
    lines: Mapping[str, tuple[tuple[str, str], ...]],
) -> None:
    """``count`` bank lines that are not customer payments (a tax refund, a loan drawn, an
    insurance claim: ``lines[currency]`` of ``(payer name, text with {n})``), each for
    exactly the amount of an open invoice from ``open_items`` that nothing pays, booked after
    its issue. Labeled ``unrelated`` with the tag ``amount_coincidence``: they must not be
    matched."""
    rng = book.rng
    pool = [i for i in open_items if book.inv_amount[i] > 0]
    for inv in rng.sample(pool, min(count, len(pool))):
        name, text = rng.choice(lines[book.inv_ccy[inv]])
        day = book.inv_issue[inv] + rng.randint(3, 60)
        ref = str(rng.randrange(10**9, 10**10))
        tx = book.add_tx(
            day, book.inv_amount[inv], book.inv_ccy[inv], name, None, text.format(n=ref)
        )
        book.pay(tx, -1, book.inv_amount[inv], "unrelated", "amount_coincidence")
