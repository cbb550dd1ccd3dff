"""Text in the ledger: the same on SQLite and PostgreSQL. Free text is unbounded, NUL is removed,
an id over its bound is refused with a typed error; database failures are LedgerErrors."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
from demo.writers import Line, camt053, ofx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, insert, inspect, select, text

from rapprochement.errors import InputError, LedgerError, NotFoundError
from rapprochement.store import SCHEMA_VERSION, Ledger
from rapprochement.store import schema as t
from tests.store.helpers import ACCOUNT

ID_LENGTH = 255  # docs/ledger.md: invoice, customer and account ids

LONG_NAME = ("Société Coopérative Agricole " * 11).strip()  # 318 characters


def _invoice(customer_id: str, name: str, invoice_id: str = "FA-1") -> pd.DataFrame:
    row = (invoice_id, customer_id, name, "100.00", "EUR", "2026-03-01")
    cols = ["invoice_id", "customer_id", "customer_name", "amount", "currency", "issue_date"]
    return pd.DataFrame([row], columns=cols)


def _payer_lines(ledger: Ledger) -> list[tuple[str, str]]:
    x = t.transactions.c
    with ledger.engine.connect() as conn:
        rows = conn.execute(select(x.counterparty_name, x.remittance_info).order_by(x.id))
        return [(r[0], r[1]) for r in rows]


def test_long_names_and_nul_in_a_memo_are_stored_alike_on_both_backends(
    ledger_url: str, tmp_path: Path
) -> None:
    day = dt.date(2026, 3, 2)
    long_camt = tmp_path / "long.xml"
    long_camt.write_text(
        camt053(ACCOUNT, "C1", Decimal(0), [Line(day, Decimal("10.00"), LONG_NAME, "", "x", "R1")]),
        encoding="utf-8",
    )
    nul_ofx = tmp_path / "nul.ofx"
    memo = [Line(day, Decimal("5.00"), "ACME", "", "FA-1\x00\x00 paid", "R2")]
    nul_ofx.write_text(ofx(ACCOUNT, Decimal(0), memo), encoding="latin-1")
    with Ledger(ledger_url) as ledger:
        ledger.import_statements([long_camt, nul_ofx])
        assert _payer_lines(ledger) == [(LONG_NAME, "x"), ("ACME", "FA-1 paid")]
        ledger.import_invoices(_invoice("C" * ID_LENGTH, LONG_NAME))
        (customer,) = ledger.customers().to_dict("records")
        assert (customer["customer_id"], customer["name"]) == ("C" * ID_LENGTH, LONG_NAME)


def test_an_id_over_its_bound_is_refused_naming_line_and_column(
    ledger_url: str, tmp_path: Path
) -> None:
    csv = tmp_path / "inv.csv"
    csv.write_text(
        "invoice_id,customer_id,customer_name,amount,currency,issue_date\n"
        f"FA-1,C1,Acme,10.00,EUR,2026-03-01\nFA-2,{'C' * 300},Acme,10.00,EUR,2026-03-01\n",
        encoding="utf-8",
    )
    with Ledger(ledger_url) as ledger:
        with pytest.raises(InputError, match="300 characters") as info:
            ledger.import_invoices(csv)
        assert info.value.location == "line 3, column customer_id"
        assert ledger.customers().empty


def test_a_value_over_its_bound_written_any_other_way_is_a_ledger_error_naming_the_column(
    ledger_url: str,
) -> None:
    action = {"customer_id": "C" * 300, "invoice_ids": ["FA-1"], "level": 1,
              "action_date": "2026-03-01"}  # fmt: skip
    with Ledger(ledger_url) as ledger:
        with pytest.raises(LedgerError, match=r"dunning_actions\.customer_id .* 300 characters"):
            ledger.record_dunning_actions([action])
        assert ledger.dunning_history().empty


def test_reimporting_invoices_with_nul_changes_nothing(ledger_url: str) -> None:
    with Ledger(ledger_url) as ledger:
        ledger.import_invoices(_invoice("C1\x00", "Acme\x00 SA", "FA\x00-1"))
        again = ledger.import_invoices(_invoice("C1\x00", "Acme\x00 SA", "FA\x00-1"))
        assert (again.new, again.updated, again.unchanged) == (0, 0, 1)
        assert list(ledger.open_items()["invoice_id"]) == ["FA-1"]


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(name=st.text(st.characters(codec="utf-8"), min_size=1, max_size=400))
def test_any_customer_name_reads_back_as_stored_text_on_both_backends(
    ledger_url: str, name: str
) -> None:
    expected = name.replace("\x00", "").strip()
    with Ledger(ledger_url) as ledger:
        if not expected:
            with pytest.raises(InputError, match="customer_name is empty"):
                ledger.import_invoices(_invoice("C1", name))
            return
        ledger.import_invoices(_invoice("C1", name))
        names = ledger.customers().set_index("customer_id")["name"]
        assert names["C1"] == expected


def test_suggestion_ids_beyond_64_bits_are_not_found(ledger_url: str) -> None:
    with Ledger(ledger_url) as ledger, pytest.raises(NotFoundError, match="no suggestion"):
        ledger.accept(10**20)


def test_database_failures_are_ledger_errors_naming_the_operation(ledger_url: str) -> None:
    twice = [{"account": "A1"}, {"account": "A1"}]
    with Ledger(ledger_url) as ledger:
        with (
            pytest.raises(LedgerError, match=r"^probe: the ledger refused") as info,
            ledger._write("probe") as conn,
        ):
            conn.execute(insert(t.accounts), twice)
        assert "nothing was written" in str(info.value)
        with ledger.engine.connect() as conn:
            assert conn.execute(select(t.accounts)).all() == []


def test_our_own_bad_sql_is_not_disguised_as_a_ledger_error(ledger_url: str) -> None:
    with Ledger(ledger_url) as ledger:
        with pytest.raises(Exception) as info, ledger._write("probe") as conn:
            conn.execute(text("SELEC 1"))
        assert not isinstance(info.value, LedgerError)


def _column_types(ledger: Ledger) -> dict[tuple[str, str], str]:
    with ledger.engine.connect() as conn:
        insp = inspect(conn)
        return {
            (table, c["name"]): str(c["type"])
            for table in t.metadata.tables
            for c in insp.get_columns(table)
        }


def test_a_schema_2_ledger_is_widened_and_cleaned_on_open(ledger_url: str) -> None:
    from rapprochement.store.migrate import WIDENED_COLUMNS

    with Ledger(ledger_url) as fresh:
        want = _column_types(fresh)
        with fresh.engine.begin() as conn:
            # back to schema 2: the old VARCHAR sizes (PostgreSQL), a NUL kept (SQLite could)
            if conn.dialect.name == "postgresql":
                for table, columns in WIDENED_COLUMNS.items():
                    for column, (old, _) in columns.items():
                        narrow = (
                            f'ALTER TABLE "{table}" ALTER COLUMN "{column}" TYPE VARCHAR({old})'
                        )
                        conn.execute(text(narrow))
            else:
                conn.exec_driver_sql(
                    "INSERT INTO customers (customer_id, name) VALUES ('C1', 'Acme' || char(0))"
                )
            conn.execute(delete(t.schema_version).where(t.schema_version.c.version >= 3))
        assert _column_types(fresh) != want or fresh.engine.dialect.name == "sqlite"
    with Ledger(ledger_url) as reopened:
        assert reopened.status()["schema_version"] == SCHEMA_VERSION
        assert _column_types(reopened) == want
        assert "\x00" not in "".join(reopened.customers()["name"])
        reopened.import_invoices(_invoice("C" * ID_LENGTH, LONG_NAME))
        assert LONG_NAME in set(reopened.customers()["name"])
