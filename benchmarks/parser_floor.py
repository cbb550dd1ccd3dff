"""Ceilings of a pure-Python reader: what an entry costs before any real parsing.

``python -m benchmarks.parser_floor [--entries N]`` measures (CPU time, best of 5) four floors
on the parser benchmark's own files (:mod:`benchmarks.parser_files`):

models + fingerprint
    An entry's three models built exactly the way the MT940 parser builds them (dict literals in
    field order, ``mt940_build.assemble``, no validation) plus its fingerprint
    (``parsers._common.fingerprint_key`` and blake2b): no byte of a file is read.
MT940 tokenize
    The least any reader of the file must do: decode it, split it into lines, match each line's
    tag, match each ``:61:`` with the parser's own grammar and make its ``Decimal``; no date,
    no ``:86:`` field, no model.
CAMT lxml parse
    lxml's own parse of the CAMT file (``iterparse``, every entry freed, nothing read).
OFX tokenize
    Decode the OFX file and match every tag with the reader's own tag grammar, one ``Decimal``
    per ``TRNAMT``: no date, no aggregate, no model.

Added up (models + the format's floor), they bound ``read_statement`` from above: a reader that
also parses the ``:86:`` field (dialects, subfields, IBANs), reads CAMT fields into models or
OFX aggregates into entries can only be slower. :func:`ceilings` gives them per format; the goal
(issue 17, docs/adr/0006) is to stay within :data:`CEILING_FACTOR` of them.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import io
import re
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

from lxml import etree

from benchmarks.parser_files import build
from rapprochement.model import Entry, SourceRef, Transaction
from rapprochement.parsers._common import fingerprint_key
from rapprochement.parsers.mt940.build import assemble, transaction_data
from rapprochement.parsers.mt940.fields import _LINE61
from rapprochement.parsers.ofx.reader import _TAG as _OFX_TAG
from rapprochement.parsers.ofx.text import parse_amount_text

__all__ = [
    "CEILING_FACTOR",
    "ceilings",
    "lxml_parse_only",
    "main",
    "models_and_fingerprint",
    "mt940_tokenize",
    "ofx_tokenize",
]

#: The goal: ``read_statement`` within this factor of the format's ceiling (issue 17).
CEILING_FACTOR = 2.0


def _best(fn: Callable[[], object], runs: int = 5) -> float:
    best = float("inf")
    for _ in range(runs):
        t0 = time.process_time()
        fn()
        best = min(best, time.process_time() - t0)
    return best


def models_and_fingerprint(n: int) -> float:
    """Seconds to build ``n`` entries' three models and fingerprints (no parsing at all)."""
    day = dt.date(2026, 3, 2)
    src_set = set(SourceRef.model_fields)
    entry_set = set(Entry.model_fields)
    blake2b = hashlib.blake2b

    def run() -> None:
        for k in range(n):
            amount = Decimal("123.45")
            fields = {
                "remittance_info": "RECHNUNG 2026-123 KUNDE 4711",
                "counterparty_name": "MUSTER GMBH",
                "counterparty_iban": "DE89370400440532013000",
            }
            tx = assemble(Transaction, *transaction_data(amount, "EUR", fields))
            src = assemble(
                SourceRef,
                {"file": "x.sta", "statement_index": 0, "line": k, "xpath": None, "member": None},
                src_set,
            )
            entry = assemble(
                Entry,
                {
                    "amount": amount,
                    "currency": "EUR",
                    "booking_date": day,
                    "value_date": day,
                    "status": "booked",
                    "reversal": False,
                    "bank_transaction_code": "NTRF",
                    "bank_reference": None,
                    "customer_reference": "NONREF",
                    "additional_info": "RECHNUNG 2026-123 KUNDE 4711",
                    "is_batch": False,
                    "batch_count": None,
                    "transactions": (tx,),
                    "source": src,
                    "fingerprint": "",
                },
                entry_set,
            )
            key = fingerprint_key("DE89370400440532013000", entry)
            blake2b(f"{key}\x1e0".encode(), digest_size=16).hexdigest()

    return _best(run)


_TAG = re.compile(r":([0-9]{2}[A-Z]?|NS):")


def mt940_tokenize(data: bytes) -> float:
    """Seconds to decode ``data``, split its lines, match every tag and every ``:61:`` line
    (the parser's grammar) and make its amount a ``Decimal``: nothing else."""
    match_tag = _TAG.match
    match_61 = _LINE61.match

    def run() -> None:
        for line in data.decode("utf-8").split("\n"):
            if line[:1] == ":":
                m = match_tag(line)
                if m is not None and m.group(1) == "61":
                    m61 = match_61(line, m.end())
                    if m61 is not None:
                        Decimal(m61.group(5).replace(",", "."))

    return _best(run)


def lxml_parse_only(data: bytes) -> float:
    """Seconds for lxml to parse ``data`` entry by entry, freeing each (nothing read)."""

    def run() -> None:
        src = io.BytesIO(data)
        for _, el in etree.iterparse(src, events=("end",), tag="{*}Ntry", remove_blank_text=True):
            el.clear()

    return _best(run)


def ofx_tokenize(data: bytes) -> float:
    """Seconds to decode ``data`` and match every tag with the OFX reader's tag grammar, making
    each ``TRNAMT`` a ``Decimal`` (the reader's own conversion): nothing else."""
    finditer = _OFX_TAG.finditer

    def run() -> None:
        for m in finditer(data.decode("utf-8")):
            if m.group(2) == "TRNAMT" and not m.group(1):
                parse_amount_text(m.group(3).strip())

    return _best(run)


def ceilings(n: int, seed: int = 0, corpus: Path | None = None) -> dict[str, float]:
    """Per format, the ceiling in entries/s of a pure-Python reader on the benchmark's own
    ``n``-entry file: models + fingerprint, plus the format's floor."""
    models = models_and_fingerprint(n)
    floors = {
        "camt": lxml_parse_only(build("camt", n, seed, corpus).data),
        "mt940": mt940_tokenize(build("mt940", n, seed, corpus).data),
        "ofx": ofx_tokenize(build("ofx", n, seed, corpus).data),
    }
    return {fmt: n / (models + floor) for fmt, floor in floors.items()}


def _rate(n: int, seconds: float) -> str:
    return f"{n / seconds:>9,.0f} entries/s ({seconds / n * 1e6:5.1f} µs/entry)"


def main(argv: list[str] | None = None) -> None:
    """Print the floors and the ceilings they give, beside the goal (half the ceiling)."""
    from benchmarks.parsers import _corpus

    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--entries", type=int, default=20_000)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    n = args.entries
    corpus = _corpus()
    models = models_and_fingerprint(n)
    mt940 = mt940_tokenize(build("mt940", n, args.seed, corpus).data)
    camt_data = build("camt", n, args.seed, corpus).data
    camt = lxml_parse_only(camt_data)
    ofx = ofx_tokenize(build("ofx", n, args.seed, corpus).data)

    def goal(seconds: float) -> str:
        return f"goal (within {CEILING_FACTOR:g}x) {n / seconds / CEILING_FACTOR:,.0f}"

    print(f"models + fingerprint only:     {_rate(n, models)}")
    print(f"MT940 tokenize only:           {_rate(n, mt940)}")
    print(f"CAMT lxml parse only:          {_rate(n, camt)} at {len(camt_data) / n:,.0f} B/entry")
    print(f"OFX tokenize only:             {_rate(n, ofx)}")
    print(f"MT940 ceiling (sum, no :86:):  {_rate(n, models + mt940)}; {goal(models + mt940)}")
    print(f"CAMT ceiling (sum, no field):  {_rate(n, models + camt)}; {goal(models + camt)}")
    print(f"OFX ceiling (sum, no field):   {_rate(n, models + ofx)}; {goal(models + ofx)}")


if __name__ == "__main__":
    main()
