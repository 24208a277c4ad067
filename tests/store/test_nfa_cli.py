"""import-nfa, observations and month-end with NFA figures, end to end; and publish's summary read back by import-nfa."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from dailyseg.cli import main
from dailyseg.store import Store
from dailyseg.store.synthetic import daily_filing, series
from dailyseg.watch import publish
from dailyseg.watch.monthend import POOL_STATEMENTS
from dailyseg.watch.nfa import read_file, read_text
from dailyseg.watch.nfa_html import html_text
from tests.cli_support import in_pipe
from tests.watch import nfa_pages as pages

D = Decimal
POOL_OF = {statement: pool for pool, statement in POOL_STATEMENTS.items()}
MEASURE_OF = {"requirement": "required", "funds": "funds", "excess": "excess", "target": "target"}


def _files(tmp_path: Path, **texts: str) -> list[str]:
    paths = []
    for name, text in texts.items():
        path = tmp_path / f"{name}.txt"
        path.write_text(text, "utf-8")
        paths.append(str(path))
    return paths


def test_import_nfa_says_a_line_per_file_and_stores_each_once(store_url: str, tmp_path: Path) -> None:
    acme, granite = _files(tmp_path, acme=pages.SEG_WITH_NAVIGATION, granite=pages.ALL_POOLS)
    result = CliRunner().invoke(main, ["import-nfa", acme, granite, "--db", store_url])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [f"{acme}: stored 1, already had 0, 0 problems", f"{granite}: stored 3, already had 0, 0 problems"]
    again = CliRunner().invoke(main, ["import-nfa", granite, "--db", store_url, "--json"])
    assert again.exit_code == 0
    (report,) = json.loads(again.output)["files"]
    assert (report["stored"], report["already_present"], report["refused"]) == (0, 3, False)
    assert report["summaries"][0]["values"] == {"funds": "3000000", "required": "2900000", "excess": "100000"}
    assert report["summaries"][0]["percentages"] == {"holding": {"Bank": "100.0"}}


def test_import_nfa_exit_codes(store_url: str, tmp_path: Path) -> None:
    meadow, tiny, junk = _files(tmp_path, meadow=pages.SEG_97, tiny=pages.DAMAGED, junk="Home\n")
    warned = CliRunner().invoke(main, ["import-nfa", meadow, "--db", store_url])
    assert warned.exit_code == 1 and warned.output.startswith(f"{meadow}: stored 1, already had 0, 2 problems")
    assert f"  warning: {meadow}:9: " in warned.output
    unread = CliRunner().invoke(main, ["import-nfa", tiny, junk, "--db", store_url, "--json"])
    assert unread.exit_code == 2
    files = json.loads(unread.output)["files"]
    assert [(f["stored"], len(f["problems"])) for f in files] == [(0, 2), (0, 1)]
    assert files[0]["problems"][0]["line"] == 5


def test_observations_table_and_json(store_url: str, tmp_path: Path) -> None:
    (acme,) = _files(tmp_path, acme=pages.SEG_WITH_NAVIGATION)
    assert CliRunner().invoke(main, ["import-nfa", acme, "--db", store_url]).exit_code == 0
    table = CliRunner().invoke(main, ["observations", "Acme Futures", "--db", store_url])
    assert table.exit_code == 0, table.output
    lines = table.output.splitlines()
    assert lines[0].split() == ["as", "of", "source", "pool", "field", "amount", "%", "text", "file"]
    assert lines[1].split() == ["2017-06-30", "nfa", "seg", "funds", "1,000,250", acme]
    assert any(line.split()[3:5] == ["holding:Bank", "45.2"] for line in lines) and lines[-1] == "1 observations."
    shown = CliRunner().invoke(main, ["observations", "acme-futures", "--db", store_url, "--json", "--from", "2017-06-30"])
    report = json.loads(shown.output)
    assert report["firm_id"] == "acme-futures"
    (observed,) = report["observations"]
    assert (observed["source"], observed["file"], observed["pool"], observed["texts"]) == ("nfa", acme, "seg", {"nfa_id": "0312456"})
    assert observed["values"]["target"] == "50000" and observed["percentages"]["investment"]["Cash"] == "50"
    empty = CliRunner().invoke(main, ["observations", "acme-futures", "--db", store_url, "--json", "--to", "2017-06-29"])
    assert json.loads(empty.output)["observations"] == []
    unknown = CliRunner().invoke(main, ["observations", "nobody", "--db", store_url])
    assert unknown.exit_code == 2 and "no firm 'nobody'" in unknown.output


def test_month_end_shows_nfa_beside_the_filing(store_url: str, tmp_path: Path) -> None:
    with Store.open(store_url) as store:
        filing = daily_filing("Acme Futures LLC", date(2017, 6, 30), requirement=D(900_000), funds=D(1_000_250), target=D(50_000))
        store.ingest_filing(filing, source="a")
    (acme,) = _files(tmp_path, acme=pages.SEG_WITH_NAVIGATION)
    CliRunner().invoke(main, ["import-nfa", acme, "--db", store_url])
    result = CliRunner().invoke(main, ["month-end", "acme-futures", "--db", store_url, "--json"])
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output)["figures"]
    assert [(f["measure"], f["nfa"], f["nfa_difference"], f["nfa_source"], f["status"]) for f in figures] == [
        ("funds", "1000250", "0", acme, "agrees"),
        ("required", "900000", "0", acme, "agrees"),
        ("excess", "100250", "0", acme, "agrees"),
        ("target", "50000", "0", acme, "agrees"),
    ]
    table = CliRunner().invoke(main, ["month-end", "acme-futures", "--db", store_url, "--format", "csv"])
    assert table.output.splitlines()[0] == "as_of,statement,figure,code,cftc,filed,difference,nfa,nfa_difference,status,nfa_source"


@pytest.mark.cli  # the installed command, in a pipe
def test_help_ends_with_the_exit_codes() -> None:
    for command in ("import-nfa", "observations"):
        done = in_pipe(command, "--help")
        description = done.stdout.split("Options:")[0].strip()
        assert done.code == 0 and description.split("\n\n")[-1].strip().startswith("Exit codes: 0"), done.stdout


def test_publish_summary_reads_back(store_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """What publish writes in its summary is what import-nfa reads, from the HTML or from its text."""
    with Store.open(store_url) as store:
        store.ingest_filings(list(series("Acme Futures LLC", date(2024, 2, 26), date(2024, 3, 8))), source="history")
        deficient = daily_filing("Acme Futures LLC", date(2024, 3, 8), requirement=D(2000), funds=D(1500), status="AMENDED")
        store.ingest_filing(deficient, source="amended")
        pub = publish.publication(store, "acme-futures")
    # The chart's axis numbers are drawn, not written: an SVG with figures in it must not be read.
    monkeypatch.setattr(publish, "chart_svg", lambda _: "<svg><text>Total funds</text><text>1,000</text></svg>")
    html = publish.render_publication(pub)
    page = tmp_path / "acme.html"
    page.write_text(html, "utf-8")
    expected = {
        POOL_OF[s.statement.id]: (
            {MEASURE_OF[m]: v for m, v in s.values.items() if v is not None},
            {h.label: h.percent for h in s.holdings if h.percent is not None},
        )
        for s in pub.summary
    }
    for read in (read_file(str(page)), read_text(html_text(html), "acme.txt")):
        assert {p.severity for p in read.problems} <= {"warning"}, read.problems
        assert {s.pool: (s.values, s.shares["holding"]) for s in read.summaries} == expected
        assert {(s.firm, s.nfa_id, s.as_of) for s in read.summaries} == {("Acme Futures LLC", "", date(2024, 3, 8))}
    assert expected["seg"][0]["excess"] == D(-500)
    result = CliRunner().invoke(main, ["import-nfa", str(page), "--db", store_url])
    assert result.output.startswith(f"{page}: stored 3, already had 0")
    month = CliRunner().invoke(main, ["month-end", "acme-futures", "--db", store_url, "--json"])
    assert {f["status"] for f in json.loads(month.output)["figures"]} <= {"agrees", "not reported"}
