"""Dunning at scale: planning statements of account, rendering letters, PDF layout.

A synthetic book (seeded): ``customers`` customers with 1-8 invoices each, due over the past
six months, a credit note for one customer in ten; a recorded history for half the invoices.
Measured: ``plan_dunning`` on the whole book (one business day), text + HTML rendering per
letter, and WeasyPrint PDF per letter (the first PDF, which loads the fonts, apart), with the
page count of every PDF (a short letter must stay on one page). Run alone:
``python -m benchmarks.dunning_bench --tier quick``.
"""

from __future__ import annotations

import datetime as dt
import io
import random
import statistics
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd

from benchmarks.section import section_main
from benchmarks.tables import markdown_table
from rapprochement.customers import Customer
from rapprochement.dunning import default_french_policy, plan_dunning
from rapprochement.dunning.letters import Creditor, render_letter
from rapprochement.dunning.pdf import render_pdf

__all__ = ["run"]

#: (customers, PDFs rendered) per tier.
SIZES = {"quick": (2_000, 30), "full": (20_000, 200), "test": (60, 3)}
AS_OF = dt.date(2025, 11, 3)
CREDITOR = Creditor(name="ACME SAS", address=("1 rue de la Paix", "75002 Paris"), city="Paris",
                    iban="FR7630006000011234567890189", email="compta@acme.example")  # fmt: skip


def book(customers: int, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Open items and a history for ``customers`` customers."""
    rng = random.Random(seed)
    rows: list[dict[str, Any]] = []
    history: list[dict[str, Any]] = []
    for c in range(customers):
        cid = f"C{c:05d}"
        for k in range(rng.randint(1, 8)):
            due = AS_OF - dt.timedelta(days=rng.randint(-20, 180))
            inv = f"F{c:05d}-{k}"
            rows.append({"invoice_id": inv, "customer_id": cid, "customer_name": f"Client {c}",
                         "amount": Decimal(rng.randint(5_000, 900_000)) / 100, "currency": "EUR",
                         "issue_date": due - dt.timedelta(days=30), "due_date": due})  # fmt: skip
            if due < AS_OF - dt.timedelta(days=30) and rng.random() < 0.5:
                history.append({"customer_id": cid, "invoice_ids": [inv], "level": 1,
                                "action_date": due + dt.timedelta(days=10)})  # fmt: skip
        if c % 10 == 0:
            rows.append({"invoice_id": f"AV{c:05d}", "customer_id": cid,
                         "customer_name": f"Client {c}", "amount": Decimal("-150.00"),
                         "currency": "EUR", "issue_date": AS_OF - dt.timedelta(days=40),
                         "due_date": AS_OF - dt.timedelta(days=40)})  # fmt: skip
    return pd.DataFrame(rows), pd.DataFrame(history)


def measure(tier: str, seed: int) -> dict[str, Any]:
    """The figures of the section, as numbers."""
    from pypdf import PdfReader

    customers, n_pdf = SIZES[tier]
    items, history = book(customers, seed)
    started = time.perf_counter()
    actions = plan_dunning(items, history, AS_OF, default_french_policy())
    plan_s = time.perf_counter() - started
    who = Customer(customer_id="x", name="Client", address=("12 rue des Lilas",),
                   postal_code="69003", city="Lyon")  # fmt: skip
    started = time.perf_counter()
    letters = [render_letter(a, CREDITOR, customer=who) for a in actions]
    render_s = time.perf_counter() - started
    paper = [(a, letter) for a, letter in zip(actions, letters, strict=True) if letter.html]
    times: list[float] = []
    pages: list[int] = []
    for action, letter in paper[: n_pdf + 1]:
        t0 = time.perf_counter()
        data = render_pdf(letter.html, day=action.action_date)
        times.append(time.perf_counter() - t0)
        pages.append(len(PdfReader(io.BytesIO(data)).pages))
    short = [p for (a, _), p in zip(paper, pages, strict=False) if len(a.items) <= 4]
    return {
        "customers": customers,
        "invoices": len(items),
        "letters": len(actions),
        "plan_s": plan_s,
        "render_ms": 1000 * render_s / max(1, len(letters)),
        "first_pdf_s": times[0] if times else float("nan"),
        "pdf_ms": 1000 * statistics.median(times[1:]) if len(times) > 1 else float("nan"),
        "pdfs": len(times),
        "short_one_page": sum(1 for p in short if p == 1),
        "short": len(short),
        "max_pages": max(pages, default=0),
    }


def run(tier: str, seed: int, out: Path | None = None) -> str:
    """The markdown section for ``benchmarks/RESULTS.md``."""
    m = measure(tier, seed)
    table = pd.DataFrame([
        {"step": "plan_dunning (whole book)", "figure": f"{m['plan_s']:.2f} s",
         "for": f"{m['customers']} customers, {m['invoices']} items → {m['letters']} letters"},
        {"step": "text + HTML per letter", "figure": f"{m['render_ms']:.1f} ms",
         "for": f"{m['letters']} letters"},
        {"step": "first PDF (fonts loaded)", "figure": f"{m['first_pdf_s']:.2f} s", "for": "1"},
        {"step": "PDF per letter (median)", "figure": f"{m['pdf_ms']:.0f} ms",
         "for": f"{m['pdfs'] - 1} letters"},
        {"step": "short letters on one page", "figure": f"{m['short_one_page']} / {m['short']}",
         "for": f"≤ 4 items; longest letter {m['max_pages']} page(s)"},
    ])  # fmt: skip
    return "\n\n".join([
        "## Dunning: statements of account and PDF letters",
        f"Synthetic book (seed {seed}), default French policy, as of {AS_OF} "
        "(`benchmarks/dunning_bench.py`).",
        markdown_table(table),
    ])  # fmt: skip


if __name__ == "__main__":
    section_main("python -m benchmarks.dunning_bench", SIZES, lambda t, s: run(t, s))
