"""Statements as Arrow tables and Parquet files (rapprochement.arrow): the rows of
``transactions_frame(read_statement(f))``, streamed, one Parquet file per statement file."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow.parquet as pq
import pytest

from rapprochement import read_statement, transactions_frame
from rapprochement.arrow import (
    COLUMNS,
    TRANSACTIONS_SCHEMA,
    _money,
    iter_transaction_batches,
    transactions_table,
    write_parquet,
)
from rapprochement.errors import AmountError, UnknownFormatError
from tests.conftest import FIXTURES

STATEMENTS = sorted(
    p
    for d in ("camt", "mt940", "ofx", "cfonb", "csv")
    for p in (FIXTURES / d).iterdir()
    if p.is_file() and p.suffix not in (".json", ".py")
)


def expected_rows(path: Path, file: str) -> list[tuple[Any, ...]]:
    """``transactions_frame(read_statement(path))`` as tuples, with the ``file`` column."""
    frame = transactions_frame(read_statement(path)).astype(object)
    frame["file"] = file
    return [tuple(None if pd.isna(v) else v for v in r) for r in frame.itertuples(index=False)]


def table_rows(table: Any) -> list[tuple[Any, ...]]:
    return [tuple(r[c] for c in COLUMNS) for r in table.to_pylist()]


def test_fixtures_cover_every_format() -> None:
    assert {p.parent.name for p in STATEMENTS} == {"camt", "mt940", "ofx", "cfonb", "csv"}


@pytest.mark.parametrize("path", STATEMENTS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_table_equals_transactions_frame(path: Path) -> None:
    table = transactions_table(path)
    assert table.schema == TRANSACTIONS_SCHEMA
    assert table_rows(table) == expected_rows(path, str(path))
    # the same from the file's bytes, named by the caller
    again = transactions_table(path.read_bytes(), file=path.name)
    assert table_rows(again) == expected_rows(path, path.name)


def test_batches_split_a_statement_and_keep_its_rows() -> None:
    path = max(STATEMENTS, key=lambda p: len(transactions_table(p)))
    whole = table_rows(transactions_table(path))
    batches = list(iter_transaction_batches(path, batch_rows=2))
    assert len(batches) > 1
    assert all(b.num_rows <= 2 for b in batches)
    assert [r for b in batches for r in table_rows(b)] == whole


def test_write_parquet_one_file_per_statement(tmp_path: Path) -> None:
    paths = STATEMENTS[:4]
    written = write_parquet(paths, tmp_path / "out", workers=2)
    assert len(written) == len(set(written)) == 4
    for p, w in zip(paths, written, strict=True):
        assert Path(w).parent == tmp_path / "out"
        assert Path(w).name.startswith(p.name)
        assert table_rows(pq.read_table(w)) == expected_rows(p, str(p))
    assert pq.read_schema(written[0]) == TRANSACTIONS_SCHEMA
    # the folder reads back as one dataset, every file's rows once
    assert pq.read_table(tmp_path / "out").num_rows == sum(len(expected_rows(p, "")) for p in paths)


def test_an_unreadable_file_names_the_file() -> None:
    with pytest.raises(UnknownFormatError, match=r"^bank/2026-12-01\.bin: "):
        transactions_table(b"no statement here\n", file="bank/2026-12-01.bin")


def test_an_amount_beyond_four_places_is_refused_not_rounded() -> None:
    rows = [{"transaction_id": "t-0", "amount": Decimal("1.00001")}]
    with pytest.raises(AmountError, match="more than 4 decimal places"):
        _money(rows, "x.csv")
    _money([{"transaction_id": "t-0", "amount": Decimal("1.2300")}], "x.csv")


def test_write_parquet_can_skip_a_broken_file_and_says_which(tmp_path: Path) -> None:
    """``on_error="skip"``: one broken file among good ones does not lose the run, and it is
    listed with the typed error's class and message (file and place); ``raise`` (the default)
    still fails on it."""
    from rapprochement.arrow import FileFailure, ParquetWritten
    from rapprochement.errors import ConfigError

    broken = tmp_path / "broken.sta"
    broken.write_text("no statement here\n")
    paths = [STATEMENTS[0], broken, STATEMENTS[1], tmp_path / "missing.xml"]
    done = write_parquet(paths, tmp_path / "out", on_error="skip", workers=2)
    assert isinstance(done, ParquetWritten)
    assert len(done.files) == 2
    assert [Path(f).name.split("-")[0] for f in done.files] == [
        STATEMENTS[0].name.split("-")[0],
        STATEMENTS[1].name.split("-")[0],
    ]
    assert [f.file for f in done.failures] == [str(broken), str(tmp_path / "missing.xml")]
    first = done.failures[0]
    assert isinstance(first, FileFailure)
    assert first.error == "UnknownFormatError"
    assert first.message.startswith(f"{broken}: ")
    assert done.failures[1].error == "StatementError"
    assert "file not found" in done.failures[1].message
    assert len(list((tmp_path / "out").iterdir())) == 2  # nothing written for a skipped file
    with pytest.raises(UnknownFormatError):
        write_parquet(paths, tmp_path / "again")
    with pytest.raises(ConfigError, match="on_error"):
        write_parquet(paths, tmp_path / "again", on_error="ignore")  # type: ignore[call-overload]
