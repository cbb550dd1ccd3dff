"""Ledger fixtures: real SQLite files, and fresh PostgreSQL databases when RAPPROCHEMENT_PG_URL
is set (the PostgreSQL cases skip only when it is unset)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from rapprochement.store.migrate import pg_url

PG_ENV = "RAPPROCHEMENT_PG_URL"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def new_ledger_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Callable[[], str]]:
    """A factory of URLs of empty ledger databases of the parametrized backend."""
    made: list[str] = []
    if request.param == "postgresql":
        base = os.environ.get(PG_ENV)
        if not base:
            pytest.skip(f"{PG_ENV} is not set")
        admin = create_engine(pg_url(base), isolation_level="AUTOCOMMIT")

        def make() -> str:
            name = f"rap_test_{uuid.uuid4().hex[:12]}"
            with admin.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
            made.append(name)
            return pg_url(base).set(database=name).render_as_string(hide_password=False)

        try:
            yield make
        finally:
            with admin.connect() as conn:
                for name in made:
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
        return

    def make_sqlite() -> str:
        made.append("x")
        return f"sqlite:///{tmp_path / f'ledger{len(made)}.db'}"

    yield make_sqlite


@pytest.fixture
def ledger_url(new_ledger_url: Callable[[], str]) -> str:
    """URL of an empty ledger database (SQLite file, or a new PostgreSQL database)."""
    return new_ledger_url()
