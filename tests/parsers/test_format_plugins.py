"""A format installed by another distribution (entry point ``rapprochement.formats``) is read
by ``read_statement``, ``rapprochement parse`` and ``rapprochement import``.

The distribution is a ``.dist-info`` folder with an ``entry_points.txt`` on ``sys.path``, as
pip leaves it: ``importlib.metadata`` finds it the same way.
"""

from __future__ import annotations

import re
import sys
import textwrap
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from rapprochement import StatementFormat, read_statement
from rapprochement.cli import EXIT_OK, main
from rapprochement.errors import FormatPluginError, UnknownFormatError
from rapprochement.parsers import formats, iter_statement

#: The example format: a header line, ``key=value`` account line, one line per entry, closing.
PLUGIN = '''
"""KV statements: a tiny format for the tests of installed formats."""

import datetime as dt
from decimal import Decimal

from rapprochement import Balance, Entry, SourceRef, Statement, Transaction
from rapprochement.parsers.registry import StatementBegin


class KVStatement:
    name = "kvstatement"

    def sniff(self, head):
        return 1.0 if head.startswith(b"KVSTATEMENT 1") else 0.0

    def iter_events(self, stream, *, filename, member):
        lines = stream.read().decode("utf-8").splitlines()
        head = dict(kv.split("=", 1) for kv in lines[1].split(";"))
        day = dt.date.fromisoformat(head["date"])
        yield StatementBegin(0, head["account"])
        for n, line in enumerate(lines[2:-1], 3):
            booked, amount, name, text = line.split(";")
            tx = Transaction(amount=Decimal(amount), currency=head["currency"],
                             counterparty_name=name, remittance_info=text)
            yield Entry(amount=Decimal(amount), currency=head["currency"],
                        booking_date=dt.date.fromisoformat(booked), transactions=(tx,),
                        source=SourceRef(file=filename, statement_index=0, line=n, member=member))
        closing = Decimal(lines[-1].split("=", 1)[1])
        yield Statement(account_iban=head["account"], currency=head["currency"],
                        opening_balance=Balance(amount=Decimal(head["opening"]), date=day),
                        closing_balance=Balance(amount=closing, date=day),
                        source_format="kvstatement",
                        source=SourceRef(file=filename, statement_index=0, member=member))


FORMAT = KVStatement()
'''

STATEMENT = b"""KVSTATEMENT 1
account=DE89370400440532013000;currency=EUR;opening=100.00;date=2026-12-02
2026-12-01;25.00;Dupont SA;F-2041
2026-12-02;-5.00;Bank;fee
closing=120.00
"""


def _install(site: Path, entry_points: str, module: str = PLUGIN) -> None:
    site.mkdir()
    (site / "kvstatement_example.py").write_text(textwrap.dedent(module), encoding="utf-8")
    dist = site / "kvstatement_example-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: kvstatement-example\nVersion: 1.0\n", encoding="utf-8"
    )
    (dist / "entry_points.txt").write_text(entry_points, encoding="utf-8")


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A folder on ``sys.path`` to install distributions in; the registry read again after."""
    where = tmp_path / "site"
    monkeypatch.syspath_prepend(str(where))
    yield where
    monkeypatch.undo()
    sys.modules.pop("kvstatement_example", None)
    formats(refresh=True)


@pytest.fixture
def installed(site: Path) -> Path:
    _install(site, "[rapprochement.formats]\nkvstatement = kvstatement_example:FORMAT\n")
    formats(refresh=True)
    return site


@pytest.fixture
def statement_file(tmp_path: Path) -> Path:
    path = tmp_path / "december.kv"
    path.write_bytes(STATEMENT)
    return path


def test_without_the_distribution_the_file_is_unknown(statement_file: Path) -> None:
    formats(refresh=True)
    with pytest.raises(UnknownFormatError):
        read_statement(statement_file)


@pytest.mark.usefixtures("installed")
def test_read_statement_sniffs_an_installed_format(statement_file: Path) -> None:
    [stmt] = read_statement(statement_file)
    assert stmt.source_format == "kvstatement"
    assert [e.amount for e in stmt.entries] == [Decimal("25.00"), Decimal("-5.00")]
    assert all(e.fingerprint for e in stmt.entries)  # fingerprints as for any format
    assert stmt.balance_difference() == 0
    assert isinstance(formats()["kvstatement"], StatementFormat)
    assert list(formats())[-1] == "kvstatement"  # after the built-in ones


@pytest.mark.usefixtures("installed")
def test_format_names_an_installed_format_and_streams(statement_file: Path) -> None:
    items = list(iter_statement(statement_file, format="kvstatement"))
    assert len(items) == 3
    assert read_statement(STATEMENT, format="kvstatement")[0].entries[0].amount == 25


@pytest.mark.usefixtures("installed")
def test_rapprochement_parse_reads_an_installed_format(
    statement_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["parse", str(statement_file)]) == EXIT_OK
    assert "Dupont SA" in capsys.readouterr().out
    assert main(["parse", "--json", str(statement_file)]) == EXIT_OK
    assert '"kvstatement"' in capsys.readouterr().out


@pytest.mark.usefixtures("installed")
def test_rapprochement_import_reads_an_installed_format(
    statement_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = ["--db", str(tmp_path / "ledger.db")]
    assert main(["import", str(statement_file), *db]) == EXIT_OK
    assert re.search(r"entries new\s*│\s*2\b", capsys.readouterr().out)
    assert main(["import", str(statement_file), *db]) == EXIT_OK  # twice: nothing new
    assert re.search(r"entries already known\s*│\s*2\b", capsys.readouterr().out)


def test_an_entry_point_that_is_not_a_format_is_named(site: Path) -> None:
    _install(
        site, "[rapprochement.formats]\nbroken = kvstatement_example:nothing\n", "nothing = 1\n"
    )
    with pytest.raises(FormatPluginError, match="'broken'"):
        formats(refresh=True)


def test_an_installed_format_cannot_take_a_built_in_name(site: Path) -> None:
    module = PLUGIN.replace('name = "kvstatement"', 'name = "camt"')
    _install(site, "[rapprochement.formats]\ncamt = kvstatement_example:FORMAT\n", module)
    with pytest.raises(FormatPluginError, match="already known"):
        formats(refresh=True)
