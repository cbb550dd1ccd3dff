"""``rapprochement rates update`` against a real HTTP server on loopback (no network needed).

The server answers in the publishers' formats (the ECB data portal's SDMX-CSV, the
Bundesbank's CSV download with its title lines, a Webstat-style CSV export); the values are
test data, not a source of rates.
"""

from __future__ import annotations

import datetime as dt
import http.server
import json
import threading
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from rapprochement.cli import EXIT_OK, EXIT_PROBLEMS, main
from rapprochement.dunning import compute_penalties
from rapprochement.dunning.rate_fetch import half_years, parse_series
from rapprochement.dunning.rate_store import fetched_dir

ECB_CSV = """KEY,FREQ,REF_AREA,CURRENCY,PROVIDER_FM,INSTRUMENT_FM,PROVIDER_FM_ID,DATA_TYPE_FM,\
TIME_PERIOD,OBS_VALUE,OBS_STATUS
FM.B.U2.EUR.4F.KR.MRR_FR.LEV,B,U2,EUR,4F,KR,MRR_FR,LEV,2024-12-18,3.15,A
FM.B.U2.EUR.4F.KR.MRR_FR.LEV,B,U2,EUR,4F,KR,MRR_FR,LEV,2025-06-11,2.15,A
FM.B.U2.EUR.4F.KR.MRR_FR.LEV,B,U2,EUR,4F,KR,MRR_FR,LEV,2026-07-01,2.40,A
FM.B.U2.EUR.4F.KR.MRR_FR.LEV,B,U2,EUR,4F,KR,MRR_FR,LEV,2026-09-17,2.65,A
"""
BBK_CSV = """,BBK01.SU0115
,Basic rate of interest pursuant to section 247 BGB
unit,% p.a.
unit multiplier,one
last update,2026-07-01 09:00:00
2025-07,1.27,
2026-01,1.27,
2026-07,1.52,
"""
WEBSTAT_CSV = """series_key;time_period;obs_value
TIL.AUTRES;2025-S2;2,76
TIL.AUTRES;2026-S1;2,62
TIL.AUTRES;2026-S2;2,90
"""


@pytest.fixture
def server() -> Iterator[str]:
    pages = {"/ecb": ECB_CSV, "/bbk": BBK_CSV, "/bdf": WEBSTAT_CSV}
    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            hits.append(self.path)
            body = pages.get(self.path.split("?")[0])
            if body is None:
                self.send_error(404)
                return
            data = body.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/csv; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: object) -> None:
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(5)


def _sources(base: str) -> list[str]:
    return ["--source", f"ecb_mro={base}/ecb?format=csvdata", "--source", f"de_base={base}/bbk",
            "--source", f"fr_legal={base}/bdf"]  # fmt: skip


def test_rates_update_stores_every_table_and_penalties_use_the_fetched_rows(
    server: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # before: 2026-H2 is missing, its interest left out with a finding
    due, as_of = dt.date(2026, 6, 30), dt.date(2026, 8, 15)
    assert not compute_penalties(Decimal("1000.00"), due, as_of).complete
    args = ["rates", "update", *_sources(server), "--today", "2026-12-05", "--json"]
    assert main(args) == EXIT_OK
    report = json.loads(capsys.readouterr().out)
    assert [(r["table"], r["status"], r["detail"]) for r in report] == [
        ("ecb_mro", "updated", "up to 2026-H2"),
        ("fr_legal", "updated", "up to 2026-H2"),
        ("de_base", "updated", "up to 2026-H2"),
    ]
    assert sorted(p.name for p in fetched_dir().iterdir()) == [
        "de_base.json", "ecb_mro.json", "fr_legal.json",
    ]  # fmt: skip
    # the rate in force on 1 July 2026 (the change of that day counts), not the later one:
    # 1000 x (2.40 + 10) % x 46/365 = 5704/365 = 15.6274 -> 15.63
    r = compute_penalties(Decimal("1000.00"), due, as_of)
    assert (r.complete, r.interest, r.segments[0].reference_rate) == (True, Decimal("15.63"),
                                                                      Decimal("2.40"))  # fmt: skip
    assert main(["rates", "show", "--since", "2026-07-01", "--json"]) == EXIT_OK
    shown = {(o["table"], o["period"]): o for o in json.loads(capsys.readouterr().out)}
    assert {k: (o["rate"], o["origin"], o["updated"]) for k, o in shown.items()} == {
        ("ecb_mro", "2026-H2"): ("2.40", "fetched", "2026-12-05"),
        ("fr_legal", "2026-H2"): ("2.90", "fetched", "2026-12-05"),
        ("de_base", "2026-H2"): ("1.52", "fetched", "2026-12-05"),
    }


def test_a_source_that_fails_keeps_the_previous_rows_and_exits_1(
    server: str, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["rates", "update", "--source", f"ecb_mro={server}/moved", "--only", "ecb_mro",
            "--today", "2026-12-05"]  # fmt: skip
    assert main(args) == EXIT_PROBLEMS
    assert "ecb_mro: failed" in capsys.readouterr().out
    assert not (fetched_dir() / "ecb_mro.json").exists()


def test_fr_legal_has_no_guessed_default_address(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rates", "update", "--only", "fr_legal"]) == EXIT_PROBLEMS
    assert "--source fr_legal=URL" in capsys.readouterr().out


def test_series_become_the_rate_in_force_on_the_first_day_of_each_half_year() -> None:
    obs = parse_series(ECB_CSV)
    got = dict(half_years(obs, dt.date(2026, 12, 5)))
    assert (got["2025-H1"], got["2025-H2"], got["2026-H1"], got["2026-H2"]) == (
        Decimal("3.15"), Decimal("2.15"), Decimal("2.15"), Decimal("2.40"),
    )  # fmt: skip
    assert "2027-H1" not in got


def test_a_response_with_no_observation_is_a_config_error(tmp_path: Path) -> None:
    from rapprochement.errors import ConfigError

    with pytest.raises(ConfigError, match="no observation"):
        parse_series("<html>maintenance</html>\n", source="x")
