"""The ledger learns from its decisions (ADR 0018): accepted suggestions of a pattern make the
next ones automatic, rejected ones push the pattern down; the fit is stored with its
provenance, reset on request, and the same on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
from demo.writers import Line

from rapprochement.store import Ledger
from tests.store.helpers import write_camt

pytest.importorskip("rapprochement.matching.engine")

NAMES = ["Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand",
         "Leroy", "Moreau", "Simon", "Laurent", "Lefebvre", "Michel", "Garcia", "David",
         "Bertrand", "Roux", "Vincent", "Fournier", "Morel", "Girard", "Andre", "Mercier",
         "Dupont", "Lambert", "Bonnet", "Francois"]  # fmt: skip
TRADES = ["Boulangerie", "Menuiserie", "Garage", "Pharmacie", "Librairie"]


def _iban(k: int) -> str:
    return f"FR76300040000312345678{k:05d}"


def _book(n: int) -> pd.DataFrame:
    """``n`` customers, each with one invoice due long ago and its known account."""
    rows = []
    for k in range(n):
        rows.append(
            {
                "invoice_id": f"F-{k:03d}",
                "customer_id": f"C{k:02d}",
                "customer_name": f"{TRADES[k % 5]} {NAMES[k]} et Fils SARL",
                "amount": str(Decimal(1000 + 37 * k) + Decimal("0.45")),
                "currency": "EUR",
                "issue_date": "2025-09-01",
                "due_date": "2025-10-01",
                "reference": f"F-{k:03d}",
                "customer_iban": _iban(k),
            }
        )
    return pd.DataFrame(rows)


def _lines(ks: range) -> list[Line]:
    """Payments months late from each customer's known account, under another trading name
    and without the invoice number: the shipped scores leave them for review (about 0.89)."""
    return [
        Line(
            dt.date(2026, 1, 20),
            Decimal(1000 + 37 * k) + Decimal("0.45"),
            f"SCI LES TILLEULS {k}",  # a trading name unlike the customer's
            _iban(k),
            "VIREMENT",
            f"R{k}",
        )
        for k in ks
    ]


def _two_rounds(tmp_path: Path, url: str, decide: str, *, learn: bool = True) -> pd.DataFrame:
    """Round one: 20 payments, every suggestion accepted (or rejected); round two: 8 payments
    of other customers with the same evidence. Returns round two's allocations and
    suggestions (``status``, ``score``)."""
    with Ledger(url) as ledger:
        ledger.import_invoices(_book(28))
        ledger.import_statements(write_camt(tmp_path / "a.xml", _lines(range(20)), "A"))
        first = ledger.reconcile()
        assert (first.auto_allocations, first.suggestions) == (0, 20)
        ids = [int(i) for i in ledger.suggestions()["suggestion_id"]]
        (ledger.accept if decide == "accept" else ledger.reject)(ids)
        ledger.import_statements(write_camt(tmp_path / "b.xml", _lines(range(20, 28)), "B"))
        second = ledger.reconcile(learn=learn)
        assert second.learned_from == (20 if learn else 0)
        al = ledger.allocations()
        al = al[al["run_id"] == second.run_id].assign(status="auto")
        sg = ledger.suggestions()
        sg = sg[sg["run_id"] == second.run_id].assign(status="suggested")
        return pd.concat([al, sg], ignore_index=True)


def test_accepted_pattern_becomes_automatic(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'a.db'}"
    shipped = _two_rounds(tmp_path, f"sqlite:///{tmp_path / 's.db'}", "accept", learn=False)
    assert set(shipped["status"]) == {"suggested"}  # the aliases alone do not help new payers
    learned = _two_rounds(tmp_path, url, "accept")
    assert len(learned) == 8
    assert set(learned["status"]) == {"auto"}
    assert learned["explanation"].str.contains('"feature":"learned"').all()


def test_rejected_pattern_is_pushed_down(tmp_path: Path) -> None:
    shipped = _two_rounds(tmp_path, f"sqlite:///{tmp_path / 's.db'}", "reject", learn=False)
    learned = _two_rounds(tmp_path, f"sqlite:///{tmp_path / 'r.db'}", "reject")
    assert shipped["score"].min() > 0.8
    assert "auto" not in set(learned["status"])
    assert learned["score"].max() < 0.2  # what the reviewers keep rejecting sinks


def test_fit_is_stored_shown_and_reset(tmp_path: Path, ledger_url: str) -> None:
    _two_rounds(tmp_path, ledger_url, "accept")
    with Ledger(ledger_url) as again:
        shown = again.learning()
        assert shown["state"] == "learned"
        assert (shown["accepted"], shown["rejected"], shown["new_decisions"]) == (20, 0, 0)
        assert shown["adjustments"]
        assert shown["largest"]
        w = again.learn()
        assert w is not None
        assert w.adjustments == shown["adjustments"]  # no refit: same
        assert again.reset_learning() == 20
        assert again.learning()["state"] == "reset"
        assert again.learn() is None  # decisions before a reset are not learned again
        run = again.reconcile()
        assert run.learned_from == 0


def test_no_decisions_no_learning(tmp_path: Path, ledger_url: str) -> None:
    with Ledger(ledger_url) as ledger:
        ledger.import_invoices(_book(3))
        ledger.import_statements(write_camt(tmp_path / "a.xml", _lines(range(3)), "A"))
        assert ledger.reconcile().learned_from == 0
        assert ledger.learning()["state"] == "shipped"
        assert ledger.learn() is None


def _named_lines(ks: range) -> list[Line]:
    """Payments from each customer's known account, under its name, quoting the invoice: the
    shipped scores make them automatic."""
    return [
        Line(
            dt.date(2025, 9, 25),
            Decimal(1000 + 37 * k) + Decimal("0.45"),
            f"{TRADES[k % 5]} {NAMES[k]} et Fils SARL",
            _iban(k),
            f"FACTURE F-{k:03d}",
            f"N{k}",
        )
        for k in ks
    ]


def _undo_then_next(
    tmp_path: Path, url: str, first: int, undo: int, whole_run: str = ""
) -> pd.DataFrame:
    """Round one: ``first`` automatic allocations, the first ``undo`` of them undone by a
    person (or the whole run undone: ``whole_run`` "rollback" or "reject"); round two: 8
    payments of other customers with the same evidence. Returns round two's allocations and
    suggestions (``status``, ``score``)."""
    with Ledger(url) as ledger:
        ledger.import_invoices(_book(28))
        ledger.import_statements(write_camt(tmp_path / "a.xml", _named_lines(range(first)), "A"))
        run = ledger.reconcile()
        assert run.auto_allocations == first
        al = ledger.allocations().sort_values("transaction_id")
        if whole_run:
            ledger.undo_run(run.run_id, reject=whole_run == "reject")
        else:
            ledger.unallocate([int(i) for i in al["allocation_id"].head(undo)], reason="wrong")
        ledger.import_statements(write_camt(tmp_path / "b.xml", _named_lines(range(20, 28)), "B"))
        second = ledger.reconcile()
        al = ledger.allocations()
        al = al[al["run_id"] == second.run_id].assign(status="auto")
        sg = ledger.suggestions()
        sg = sg[sg["run_id"] == second.run_id].assign(status="suggested")
        return pd.concat([al, sg], ignore_index=True)


def test_undone_automatic_allocations_are_learned_as_wrong(tmp_path: Path, ledger_url: str) -> None:
    """Every automatic allocation of a pattern undone by a person: the next ones of that
    pattern are suggested, not automatic (ADR 0018, the automatic band)."""
    after = _undo_then_next(tmp_path, ledger_url, 6, 6)
    assert len(after) == 8
    assert set(after["status"]) == {"suggested"}
    assert after["explanation"].str.contains("this ledger's undone allocations").all()
    with Ledger(ledger_url) as ledger:
        shown = ledger.learning()
    assert (shown["state"], shown["undone"]) == ("learned", 6)
    assert shown["auto_adjustments"]
    assert shown["largest_auto"]


def test_one_undone_automatic_allocation_among_many_kept_moves_nothing(tmp_path: Path) -> None:
    """The prior and the automatic allocations kept protect against a handful of undos."""
    after = _undo_then_next(tmp_path, f"sqlite:///{tmp_path / 'h.db'}", 20, 1)
    assert len(after) == 8
    assert set(after["status"]) == {"auto"}


def test_a_run_rolled_back_teaches_nothing_and_a_run_rejected_teaches_wrong(
    tmp_path: Path,
) -> None:
    """``undo-run`` is a rollback (a wrong import, a wrong setting): the next run is as if
    the first had never been made. ``undo-run --reject`` says each allocation was wrong."""
    after = _undo_then_next(tmp_path, f"sqlite:///{tmp_path / 'r.db'}", 6, 0, "rollback")
    assert len(after) == 14  # round one's six lines are allocated again, and round two's
    assert set(after["status"]) == {"auto"}
    after = _undo_then_next(tmp_path, f"sqlite:///{tmp_path / 'j.db'}", 6, 0, "reject")
    assert len(after) == 8  # round one's pairs stay rejected
    assert set(after["status"]) == {"suggested"}


def test_migration_10_adds_the_column_to_a_version_9_ledger(
    tmp_path: Path, ledger_url: str
) -> None:
    from sqlalchemy import delete, inspect, text

    from rapprochement.store import SCHEMA_VERSION
    from rapprochement.store import schema as t

    with Ledger(ledger_url) as ledger, ledger.engine.begin() as conn:
        conn.execute(text("ALTER TABLE learned_weights DROP COLUMN auto_adjustments"))
        conn.execute(delete(t.schema_version).where(t.schema_version.c.version >= 10))
    with Ledger(ledger_url) as ledger:
        assert ledger.status()["schema_version"] == SCHEMA_VERSION >= 10
        columns = {c["name"] for c in inspect(ledger.engine).get_columns("learned_weights")}
        assert "auto_adjustments" in columns
    after = _undo_then_next(tmp_path, ledger_url, 6, 6)
    assert set(after["status"]) == {"suggested"}
