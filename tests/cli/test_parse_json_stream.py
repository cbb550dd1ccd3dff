"""``parse --json`` streams (issue 18 item 14): the same bytes as dumping whole statements, on
every hand fixture and corpus file, and memory flat in the number of entries."""

from __future__ import annotations

import io
import json
import tracemalloc
from pathlib import Path

import pytest

from rapprochement.cli import EXIT_OK, EXIT_PROBLEMS, main
from rapprochement.cli.parse_json import write_json
from rapprochement.errors import StatementError
from rapprochement.parsers import read_statement
from tests.conftest import FIXTURES, corpus_dir


def _old(paths: list[Path]) -> str:
    """What ``parse --json`` printed before it streamed: every statement held, then dumped."""
    statements = [s for p in paths for s in read_statement(p)]
    payload = [s.model_dump(mode="json") for s in statements]
    return json.dumps(payload, indent=2, ensure_ascii=False) + "\n"


def _new(paths: list[Path]) -> str:
    out = io.StringIO()
    write_json(paths, out)
    return out.getvalue()


def _readable(folder: Path) -> list[Path]:
    found = []
    for p in sorted(folder.rglob("*")):
        if not p.is_file() or p.suffix in {".json", ".yml", ".md", ".pydata"}:
            continue
        try:
            read_statement(p)
        except StatementError:
            continue
        found.append(p)
    return found


def test_stream_equals_whole_dump_on_every_fixture() -> None:
    paths = _readable(FIXTURES)
    assert len(paths) > 20
    for p in paths:
        assert _new([p]) == _old([p]), p
    assert _new(paths[:5]) == _old(paths[:5])  # several files: one list


def test_stream_equals_whole_dump_on_the_corpus() -> None:
    corpus = corpus_dir()
    if corpus is None:
        pytest.skip("no statement corpus (set RAPPROCHEMENT_CORPUS)")
    paths = _readable(corpus)
    assert len(paths) > 50
    for p in paths:
        assert _new([p]) == _old([p]), p


def test_no_statement_is_an_empty_list(tmp_path: Path) -> None:
    p = tmp_path / "empty.ofx"
    p.write_text("OFXHEADER:100\nDATA:OFXSGML\nVERSION:102\n\n<OFX>\n</OFX>\n", encoding="ascii")
    assert _new([p]) == _old([p]) == "[]\n"


def _mt940(n: int) -> bytes:
    lines = [":20:BIG\n:25:NL91ABNA0417164300\n:28C:1/1\n:60F:C260102EUR0,00\n"]
    for i in range(n):
        lines.append(f":61:2601020102C{i % 97 + 1},00NTRFREF{i}//B{i}\n:86:/REMI/INV {i}\n")
    total = sum(i % 97 + 1 for i in range(n))
    lines.append(f":62F:C260102EUR{total},00\n-\n")
    return "".join(lines).encode("ascii")


def _peak(path: Path) -> int:
    tracemalloc.start()
    try:
        write_json([path], _Sink())
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


class _Sink(io.TextIOBase):
    """Discards what is written (the output itself is not the program's memory)."""

    def write(self, s: str) -> int:
        return len(s)


def test_memory_is_flat_in_the_entries(tmp_path: Path) -> None:
    small, big = tmp_path / "small.sta", tmp_path / "big.sta"
    small.write_bytes(_mt940(1_000))
    big.write_bytes(_mt940(8_000))
    peak_small, peak_big = _peak(small), _peak(big)
    # holding the entries would grow the peak 8 times; streamed it barely moves
    assert peak_big < 2 * peak_small, (peak_small, peak_big)


@pytest.mark.parametrize("option", ["--json", "--csv"])
def test_the_cli_streams_and_keeps_its_exit_codes(
    option: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``parse --json`` / ``--csv`` print what they printed from whole statements, and exit 1
    when a statement's balances do not add up."""
    from tests.cli.test_parse_csv_stream import _old as old_csv

    old = _old if option == "--json" else old_csv
    p = tmp_path / "s.sta"
    p.write_bytes(_mt940(50))
    assert main(["parse", option, str(p)]) == EXIT_OK
    assert capsys.readouterr().out == old([p])
    off = tmp_path / "off.sta"
    off.write_bytes(_mt940(50).replace(b":62F:C", b":62F:D"))
    assert main(["parse", option, str(off)]) == EXIT_PROBLEMS
    assert capsys.readouterr().out == old([off])
