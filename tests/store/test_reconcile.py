"""Reconcile through the store: autos applied, suggestions decided, payers learned, runs
atomic and serialized."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from decimal import Decimal
from pathlib import Path

import pytest

from rapprochement.errors import LedgerError, NotFoundError
from rapprochement.store import Ledger
from tests.conftest import REPO
from tests.store.fake_matcher import fake_matcher, greedy_matcher
from tests.store.helpers import INVOICES_CSV, LINES, line, write_invoices, write_mt940

LEARNED_IBAN = "FR1420041010050500013M02606"


def _loaded(url: str, tmp_path: Path) -> Ledger:
    ledger = Ledger(url)
    ledger.import_statements(write_mt940(tmp_path / "a.sta", LINES))
    ledger.import_invoices(write_invoices(tmp_path / "inv.csv"))
    return ledger


def test_reconcile_applies_autos_and_queues_suggestions(ledger_url: str, tmp_path: Path) -> None:
    with _loaded(ledger_url, tmp_path) as ledger:
        s = ledger.reconcile(matcher=fake_matcher)
        # the bank fee line is categorized by the starter rules, not given to the matcher
        assert s.line_rules["categorized"] == {"fees": 1}
        assert (s.transactions, s.auto_allocations, s.suggestions) == (4, 1, 4)
        assert s.auto_amount == {"EUR": "1200.00"}
        st = ledger.status()
        assert st["matched_transactions"] == 1
        assert st["suggestions_pending"] == 4
        assert st["allocations"] == {"auto": 1}
        al = ledger.allocations().iloc[0]
        assert (al["invoice_id"], al["source"], al["made_by"]) == (
            "FA-001",
            "auto",
            "matcher fake-1",
        )
        assert al["amount"] == Decimal("1200.00")
        assert "FA-001" not in set(ledger.open_items()["invoice_id"])
        # a second run finds nothing new to apply and re-queues the same suggestions
        again = ledger.reconcile(matcher=fake_matcher)
        assert (again.auto_allocations, again.suggestions) == (0, 4)
        assert len(ledger.suggestions()) == 4


def test_accepting_a_group_allocates_all_its_rows(ledger_url: str, tmp_path: Path) -> None:
    with _loaded(ledger_url, tmp_path) as ledger:
        ledger.reconcile(matcher=fake_matcher)
        sugg = ledger.suggestions()
        grouped = sugg[sugg["kind"] == "grouped"]
        assert sorted(grouped["invoice_id"]) == ["FA-004", "FA-005"]
        ids = ledger.accept(int(grouped["suggestion_id"].iloc[0]))
        assert len(ids) == 2
        assert ledger.status()["allocations"] == {"accepted": 2, "auto": 1}
        assert len(ledger.suggestions()) == 2


def test_accept_teaches_the_payer_and_the_next_run_matches_more(
    ledger_url: str, tmp_path: Path
) -> None:
    extra = INVOICES_CSV + (
        "FA-007,C1,Acme SA,200.00,EUR,2026-03-01,2026-03-31,,\n"
        "FA-008,C4,Delta SAS,200.00,EUR,2026-03-01,2026-03-31,,\n"
    )
    later = [line(20, "200.00", "ACME HLDG", LEARNED_IBAN, "virement", "L1")]
    with Ledger(ledger_url) as ledger:
        ledger.import_statements(write_mt940(tmp_path / "a.sta", LINES))
        ledger.import_invoices(write_invoices(tmp_path / "inv.csv", extra))
        ledger.reconcile(matcher=fake_matcher)
        sugg = ledger.suggestions().set_index("invoice_id")
        ledger.accept(int(sugg.loc["FA-003", "suggestion_id"]))  # ACME HOLDING paid FA-003
        st = ledger.status()
        assert (st["learned_ibans"], st["learned_aliases"]) == (1, 1)
        ledger.import_statements(write_mt940(tmp_path / "b.sta", later, "S2"))
        # without what was learned, two invoices of 200.00 fit: the fake matcher gives up
        assert (
            fake_matcher(_open_lines(ledger), ledger.open_items().assign(customer_iban=""))
            .allocations.query("transaction_id.str.startswith('') and amount == 200")
            .empty
        )
        s = ledger.reconcile(matcher=fake_matcher)
        assert s.known_payers >= 2
        auto = ledger.allocations().query("source == 'auto'")
        assert "FA-007" in set(auto["invoice_id"])


def _open_lines(ledger: Ledger):  # type: ignore[no-untyped-def]
    from rapprochement.store.reconcile import load_open_transactions

    with ledger.engine.connect() as conn:
        return load_open_transactions(conn)


def test_rejected_pair_is_not_proposed_again(ledger_url: str, tmp_path: Path) -> None:
    with _loaded(ledger_url, tmp_path) as ledger:
        ledger.reconcile(matcher=fake_matcher)
        sugg = ledger.suggestions().set_index("invoice_id")
        assert ledger.reject(int(sugg.loc["FA-002", "suggestion_id"])) == 1
        s = ledger.reconcile(matcher=fake_matcher)
        assert s.skipped_rejected == 1
        assert "FA-002" not in set(ledger.suggestions()["invoice_id"])


def test_bad_decisions_are_typed_errors_and_change_nothing(ledger_url: str, tmp_path: Path) -> None:
    with _loaded(ledger_url, tmp_path) as ledger:
        ledger.reconcile(matcher=fake_matcher)
        with pytest.raises(NotFoundError, match="no suggestion 999"):
            ledger.accept(999)
        sid = int(ledger.suggestions()["suggestion_id"].iloc[0])
        ledger.accept(sid)
        before = ledger.status()
        with pytest.raises(LedgerError, match="accepted, not pending"):
            ledger.accept(sid)
        with pytest.raises(NotFoundError):
            ledger.allocate("nope", "FA-006", "1.00")
        assert ledger.status() == before


def test_several_ids_are_decided_all_or_none(ledger_url: str, tmp_path: Path) -> None:
    with _loaded(ledger_url, tmp_path) as ledger:
        ledger.reconcile(matcher=fake_matcher)
        sugg = ledger.suggestions()
        grouped = [int(i) for i in sugg.loc[sugg["kind"] == "grouped", "suggestion_id"]]
        single = sorted(set(map(int, sugg["suggestion_id"])) - set(grouped))
        before = ledger.status()
        with pytest.raises(NotFoundError, match="no suggestion 999"):
            ledger.accept([single[0], 999])
        assert ledger.status() == before  # the valid id was not accepted either
        # both rows of one group named: the group is accepted once, not refused the second time
        made = ledger.accept([*grouped, single[0]])
        assert len(made) == 3
        assert ledger.status()["allocations"] == {"accepted": 3, "auto": 1}
        assert ledger.reject(single[1:]) == len(single) - 1
        assert ledger.suggestions().empty


def test_an_overpayment_alone_is_recorded(ledger_url: str, tmp_path: Path) -> None:
    """An allocation with no invoice (the excess of a payment) touches no invoice."""
    with _loaded(ledger_url, tmp_path) as ledger:
        open_before = ledger.open_items().set_index("invoice_id")["open_amount"].to_dict()
        tid = str(_open_lines(ledger)["transaction_id"].iloc[0])
        ledger.allocate(tid, None, "10.00", note="excess kept for the customer")
        al = ledger.allocations()
        assert list(zip(al["invoice_id"], al["kind"], al["amount"], strict=True)) == [
            (None, "overpayment", Decimal("10.00"))
        ]
        assert ledger.open_items().set_index("invoice_id")["open_amount"].to_dict() == open_before


def test_over_allocating_matcher_is_refused_and_rolled_back(
    ledger_url: str, tmp_path: Path
) -> None:
    with _loaded(ledger_url, tmp_path) as ledger:
        before = ledger.status()
        with pytest.raises(LedgerError, match="cannot allocate"):
            ledger.reconcile(matcher=greedy_matcher)
        after = ledger.status()
        assert after == before
        assert after["last_run"] is None


def test_manual_allocation_and_export(ledger_url: str, tmp_path: Path) -> None:
    with _loaded(ledger_url, tmp_path) as ledger:
        tid = _open_lines(ledger).set_index("remittance_info").loc["paiement", "transaction_id"]
        ledger.allocate(tid, "FA-006", "450.00", note="phone call")
        items = ledger.open_items().set_index("invoice_id")
        assert items.loc["FA-006", "open_amount"] == Decimal("549.00")
        out = tmp_path / "alloc.csv"
        assert ledger.export_allocations(out) == 1
        text = out.read_text(encoding="utf-8")
        assert "FA-006,C4,Delta SAS,450.00,EUR,manual,manual" in text


_RACER = textwrap.dedent(
    """
    import sys
    from rapprochement.store import Ledger
    from tests.store.fake_matcher import slow_matcher
    s = Ledger(sys.argv[1]).reconcile(matcher=slow_matcher)
    print(s.auto_allocations, flush=True)
    """
)


def test_two_reconciles_at_once_never_allocate_twice(ledger_url: str, tmp_path: Path) -> None:
    with _loaded(ledger_url, tmp_path) as ledger:
        # the child runs the code under test (src/), not whatever is installed
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO / "src"), str(REPO)])}
        procs = [
            subprocess.Popen(
                [sys.executable, "-c", _RACER, ledger_url],
                stdout=subprocess.PIPE,
                env=env,
                text=True,
                cwd=REPO,
            )
            for _ in range(2)
        ]
        outs = [p.communicate(timeout=120)[0].strip() for p in procs]
        assert [p.returncode for p in procs] == [0, 0]
        assert sorted(outs) == ["0", "1"]
        al = ledger.allocations()
        assert len(al) == 1
        assert ledger.status()["matched_amount"] == {"EUR": "1200.00"}


def test_open_items_as_of_and_payment_history(ledger_url: str, tmp_path: Path) -> None:
    import datetime as dt

    with _loaded(ledger_url, tmp_path) as ledger:
        ledger.reconcile(matcher=fake_matcher)
        assert "FA-001" not in set(ledger.open_items()["invoice_id"])
        early = ledger.open_items(as_of=dt.date(2026, 2, 8)).set_index("invoice_id")
        assert list(early.index) == ["FA-001", "FA-002"]  # issued by then, paid later
        assert early.loc["FA-001", "open_amount"] == Decimal("1200.00")
        hist = ledger.payment_history()
        assert list(hist.columns) == [
            "invoice_id", "customer_id", "transaction_id", "amount", "payment_date",
            "issue_date", "due_date", "invoice_amount",
        ]  # fmt: skip
        assert hist.iloc[0]["payment_date"] == dt.date(2026, 3, 2)


def test_reconcile_modules_stay_small_and_keep_their_names() -> None:
    """The reconcile path is split into cohesive modules (open items, allocation writing, the
    run), each under ~400 lines; the names other modules and tests import from
    ``store.reconcile`` stay there."""
    from pathlib import Path

    import rapprochement.store.allocate as allocate
    import rapprochement.store.open_items as open_items
    import rapprochement.store.reconcile as reconcile

    for module in (reconcile, open_items, allocate):
        assert module.__file__ is not None
        assert len(Path(module.__file__).read_text().splitlines()) <= 400, module.__name__
    for name in reconcile.__all__:
        assert hasattr(reconcile, name), name
    assert reconcile.apply_allocations is allocate.apply_allocations
    assert reconcile.load_open_transactions is open_items.load_open_transactions
