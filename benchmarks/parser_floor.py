"""Ceilings of a pure-Python reader: what an entry costs before any parsing.

``python -m benchmarks.parser_floor [--entries N]`` measures (CPU time, best of 3) the cheapest
way this package builds one entry's models without validation (``mt940_build.assemble``: a
Transaction, a SourceRef and the Entry holding them) plus its fingerprint (the key of
``parsers._common.fingerprint_key`` and blake2b), and lxml's own parse of the CAMT benchmark file
(``iterparse``, every entry freed, nothing read). They bound ``read_statement`` from above: the
issue-2 goals (MT940 ≥ 100 000, CAMT ≥ 50 000 entries/s) sit near or above these ceilings, so
they need a native reader that also builds the model objects.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import io
import time
from collections.abc import Callable
from decimal import Decimal

from lxml import etree

from benchmarks.parser_files import build
from benchmarks.parsers import _corpus
from rapprochement.model import Entry, SourceRef, Transaction
from rapprochement.parsers._common import fingerprint_key
from rapprochement.parsers.mt940_build import assemble, transaction_data


def _best(fn: Callable[[], object], runs: int = 3) -> float:
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

    def run() -> None:
        for k in range(n):
            amount = Decimal("123.45")
            td, ts = transaction_data(
                amount,
                "EUR",
                {
                    "remittance_info": "RECHNUNG 2026-123 KUNDE 4711",
                    "counterparty_name": "MUSTER GMBH",
                    "counterparty_iban": "DE89370400440532013000",
                },
            )
            tx = assemble(Transaction, td, ts)
            src = assemble(
                SourceRef,
                {"file": "x.sta", "statement_index": 0, "line": k, "xpath": None, "member": None},
                src_set,
            )
            data = {name: f.default for name, f in Entry.model_fields.items()}
            data.update(
                amount=amount, currency="EUR", booking_date=day, value_date=day,
                status="booked", transactions=(tx,), source=src,
            )  # fmt: skip
            entry = assemble(Entry, data, entry_set)
            key = fingerprint_key("DE89370400440532013000", entry)
            hashlib.blake2b(f"{key}\x1e0".encode(), digest_size=16).hexdigest()

    return _best(run)


def lxml_parse_only(data: bytes) -> float:
    """Seconds for lxml to parse ``data`` entry by entry, freeing each (nothing read)."""

    def run() -> None:
        src = io.BytesIO(data)
        for _, el in etree.iterparse(src, events=("end",), tag="{*}Ntry", remove_blank_text=True):
            el.clear()

    return _best(run)


def main(argv: list[str] | None = None) -> None:
    """Print both ceilings in entries per second."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--entries", type=int, default=20_000)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    n = args.entries
    sec = models_and_fingerprint(n)
    print(f"models + fingerprint only: {n / sec:,.0f} entries/s ({sec / n * 1e6:.1f} µs/entry)")
    camt = build("camt", n, args.seed, _corpus()).data
    sec = lxml_parse_only(camt)
    print(f"CAMT, lxml parse only:     {n / sec:,.0f} entries/s ({len(camt) / n:,.0f} B/entry)")


if __name__ == "__main__":
    main()
