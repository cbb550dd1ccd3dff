"""What dunning reads and writes: events and the action history."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from rapprochement.errors import DateError, InputError, NotFoundError
from rapprochement.store import Ledger
from tests.store.helpers import write_invoices


def _action(day: int, level: int = 1, ids: list[str] | None = None) -> dict[str, object]:
    return {
        "action_id": f"a{day}{level}",
        "customer_id": "C3",
        "invoice_ids": ids or ["FA-005", "FA-004"],
        "level": level,
        "channel": "email",
        "action_date": dt.date(2026, 4, day),
        "payload": {"total": "75.00"},
    }


def test_recording_the_same_action_twice_stores_it_once(ledger_url: str, tmp_path: Path) -> None:
    with Ledger(ledger_url) as ledger:
        ledger.import_invoices(write_invoices(tmp_path / "i.csv"))
        assert ledger.record_dunning_actions([_action(1), _action(1)]) == 1
        same = _action(1, ids=["FA-004", "FA-005"])  # invoice order does not matter
        assert ledger.record_dunning_actions([same, _action(1, level=2), _action(2)]) == 2
        hist = ledger.dunning_history()
        assert len(hist) == 3
        first = hist.iloc[0]
        assert first["invoice_ids"] == ["FA-004", "FA-005"]
        assert first["level"] == 1
        assert first["payload"] == {"total": "75.00"}


def test_bad_action_records_nothing(ledger_url: str) -> None:
    with Ledger(ledger_url) as ledger:
        bad = {"customer_id": "C3", "invoice_ids": ["X"], "level": 1}
        with pytest.raises(InputError, match="action_date"):
            ledger.record_dunning_actions([_action(1), bad])
        assert ledger.dunning_history().empty


def test_invoice_events(ledger_url: str, tmp_path: Path) -> None:
    with Ledger(ledger_url) as ledger:
        ledger.import_invoices(write_invoices(tmp_path / "i.csv"))
        ledger.add_invoice_event("FA-002", "dispute", "2026-03-10", note="damaged goods")
        ledger.add_invoice_event("FA-003", "promise", dt.date(2026, 3, 1), dt.date(2026, 3, 20))
        ev = ledger.invoice_events()
        assert list(ev["kind"]) == ["dispute", "promise"]
        assert ev.iloc[0]["end"] is None
        assert ev.iloc[1]["end"] == dt.date(2026, 3, 20)
        with pytest.raises(NotFoundError):
            ledger.add_invoice_event("NOPE", "dispute", "2026-03-10")
        with pytest.raises(InputError, match="unknown event kind"):
            ledger.add_invoice_event("FA-002", "holiday", "2026-03-10")
        with pytest.raises(DateError):
            ledger.add_invoice_event("FA-002", "promise", "2026-03-10", "2026-03-01")
        assert len(ledger.invoice_events()) == 2
