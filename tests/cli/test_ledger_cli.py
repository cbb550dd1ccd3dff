"""The ledger workflow on the command line: import → invoices → reconcile → review → status,
export and report, with exit codes that mean something."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from rapprochement.cli import EXIT_INPUT, EXIT_LEDGER, EXIT_OK, EXIT_PROBLEMS, main
from tests.store.helpers import LINES, write_invoices, write_mt940


@pytest.fixture
def files(tmp_path: Path) -> dict[str, str]:
    return {
        "db": str(tmp_path / "books.db"),
        "sta": str(write_mt940(tmp_path / "a.sta", LINES)),
        "csv": str(write_invoices(tmp_path / "inv.csv")),
        "dir": str(tmp_path),
    }


def _json(capsys: pytest.CaptureFixture[str], argv: list[str]) -> object:
    capsys.readouterr()
    assert main(argv) == EXIT_OK
    return json.loads(capsys.readouterr().out)


def test_full_loop(files: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    db = ["--db", files["db"]]
    imported = _json(capsys, ["import", files["sta"], *db, "--json"])
    assert isinstance(imported, dict)
    assert imported["entries_new"] == 5
    again = _json(capsys, ["import", files["sta"], *db, "--json"])
    assert isinstance(again, dict)
    assert (again["entries_new"], again["entries_known"]) == (0, 5)
    assert main(["invoices", "import", files["csv"], *db]) == EXIT_OK
    run = _json(capsys, ["reconcile", *db, "--json"])
    assert isinstance(run, dict)
    assert run["transactions"] == 4  # the bank fee line is categorized (starter rules)
    assert run["auto_allocations"] >= 1
    listing = _json(capsys, ["review", *db, "--json"])
    assert isinstance(listing, list)
    assert len(listing) == run["suggestions"]
    if listing:
        sid = str(listing[0]["suggestion_id"])
        assert main(["review", "accept", sid, *db]) == EXIT_OK
        assert main(["review", "accept", sid, *db]) == EXIT_LEDGER  # no longer pending
    assert main(["review", *db]) == EXIT_OK
    status = _json(capsys, ["status", *db, "--json"])
    assert isinstance(status, dict)
    assert status["entries"] == 5
    assert status["matched_transactions"] >= 1
    out = Path(files["dir"]) / "alloc.csv"
    assert main(["export", str(out), *db]) == EXIT_OK
    with out.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert {r["source"] for r in rows} <= {"auto", "accepted"}
    assert "FA-001" in {r["invoice_id"] for r in rows}
    html = Path(files["dir"]) / "r.html"
    assert main(["report", "--html", str(html), *db]) == EXIT_OK
    assert "Aged balance" in html.read_text(encoding="utf-8")
    assert main(["status", *db]) == EXIT_OK
    assert "match rate" in capsys.readouterr().out


def test_bad_input_exit_codes(files: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    db = ["--db", files["db"]]
    assert main(["import", str(Path(files["dir"]) / "missing.sta"), *db]) == EXIT_INPUT
    assert "missing.sta" in capsys.readouterr().err
    assert main(["review", "reject", "42", *db]) == EXIT_LEDGER
    assert "no suggestion 42" in capsys.readouterr().err
    assert main(["invoices", "import", files["csv"], "--map", "oops", *db]) == EXIT_INPUT
    assert main(["reconcile", "--as-of", "yesterday", *db]) == EXIT_INPUT
    assert main(["status", "--db", str(Path(files["dir"]) / "no" / "such.db")]) == EXIT_LEDGER


def test_column_map_option(files: dict[str, str]) -> None:
    text = Path(files["csv"]).read_text(encoding="utf-8").replace("invoice_id,", "Numero,", 1)
    mapped = write_invoices(Path(files["dir"]) / "erp.csv", text)
    argv = ["invoices", "import", str(mapped), "--db", files["db"]]
    assert main(argv) == EXIT_INPUT
    assert main([*argv, "--map", "invoice_id=Numero"]) == EXIT_OK


def test_import_check_flags_findings(files: dict[str, str]) -> None:
    bad = Path(files["sta"])
    bad.write_text(bad.read_text(encoding="latin-1").replace(":62F:C", ":62F:D"), "latin-1")
    assert main(["import", str(bad), "--db", files["db"], "--check"]) == EXIT_PROBLEMS


def test_bundled_demo_data_imports_cleanly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from demo.make_data import DATA
    from demo.run import STATEMENTS

    db = ["--db", str(tmp_path / "demo.db")]
    files = [str(DATA / f) for f in STATEMENTS]
    summary = _json(capsys, ["import", *files, *db, "--json", "--check"])
    assert isinstance(summary, dict)
    assert summary["statements_new"] == 4
    assert summary["entries_known"] > 0  # the re-sent February file overlaps the first one
    assert summary["findings"] == []
    assert main(["invoices", "import", str(DATA / "invoices.csv"), *db]) == EXIT_OK


def test_the_review_why_shows_evidence_for_and_against() -> None:
    import json

    from rapprochement.cli.review import explain_short

    contributions = [
        {"feature": "prior", "value": "base rate", "weight": 6.5},
        {"feature": "amount", "value": "partial", "weight": -2.4},
        {"feature": "reference", "value": "none", "weight": -3.1},
        {"feature": "iban", "value": "known", "weight": 0.0},
        {"feature": "name", "value": "exact", "weight": 0.0},
        {"feature": "date", "value": "on_time", "weight": 0.0},
        {"feature": "rivals", "value": "2+", "weight": -3.6},
        {"feature": "siblings", "value": "sum", "weight": 1.2},
        {"feature": "calibration", "value": "isotonic", "weight": 4.9},
    ]
    why = explain_short(json.dumps(contributions))
    assert why == "siblings=sum +1.2, iban=known; rivals=2+ -3.6, reference=none -3.1"
    assert explain_short("") == ""
    assert explain_short("not json") == "not json"
    quoted = {"feature": "payer", "value": "customer number 000103 quoted in the text: X (C1)"}
    why = explain_short(json.dumps([*contributions, {**quoted, "weight": 0.0}]))
    assert why.startswith("siblings=sum +1.2, iban=known (customer no. 000103); ")


def test_the_review_why_leaves_out_the_books_chance_terms() -> None:
    """The per-book chance corrections (matching/chance.py) weigh every pair sharing the
    levels alike: they never take an evidence slot of the short explanation."""
    import json

    from rapprochement.cli.review import explain_short

    contributions = [
        {"feature": "prior", "value": "base rate", "weight": 6.5},
        {"feature": "reference", "value": "none", "weight": -3.1},
        {"feature": "name", "value": "high", "weight": 1.4},
        {"feature": "rivals", "value": "1", "weight": -1.2},
        {"feature": "chance", "value": "4000 open items (training books: 900): any one pair "
         "is less likely right by chance alone", "weight": -4.5},
        {"feature": "chance", "value": "amount=exact weighed down: 4.1 % of random pairs of "
         "this book agree so (0.05 % in training)", "weight": -3.8},
    ]  # fmt: skip
    why = explain_short(json.dumps(contributions))
    assert why == "name=high +1.4; reference=none -3.1, rivals=1 -1.2"
    assert "chance" not in why
