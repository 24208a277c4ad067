"""The store commands end to end: ingest a folder (one file unreadable), list, history, diff."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from dailyseg.cli import main
from dailyseg.render import render_json, render_text
from dailyseg.store.synthetic import daily_filing

D = Decimal


@pytest.fixture
def loaded(store_url: str, tmp_path: Path) -> str:
    folder = tmp_path / "in"
    (folder / "sub").mkdir(parents=True)
    for offset, funds in enumerate((150, 160, 170)):
        day = date(2024, 3, 4 + offset)
        (folder / f"acme-{offset}.txt").write_text(render_text([daily_filing("Acme Futures LLC", day, requirement=D(100), funds=D(funds))]))
    amended = daily_filing(
        "ACME FUTURES, L.L.C.", date(2024, 3, 5), requirement=D(100), funds=D(120), status="AMENDED", submit=date(2024, 3, 7)
    )
    (folder / "sub" / "amended.json").write_text(render_json([amended]))
    (folder / "broken.txt").write_text("not a filing")
    result = CliRunner().invoke(main, ["ingest", str(folder), "--db", store_url, "--json"])
    assert result.exit_code == 1, result.output
    report = json.loads(result.output)
    assert report["summary"] == {"stored": 3, "already-present": 0, "amended": 1, "unreadable": 1}
    assert "broken.txt" in next(o["reason"] for o in report["outcomes"] if o["status"] == "unreadable")
    again = CliRunner().invoke(main, ["ingest", str(folder / "*.txt"), "--db", store_url, "--json"])
    assert json.loads(again.output)["summary"]["already-present"] == 3
    return store_url


def test_firms_and_filings(loaded: str) -> None:
    firms = json.loads(CliRunner().invoke(main, ["firms", "--db", loaded, "--json"]).output)
    seen = [(f["firm_id"], f["latest_end_date"], f["statements"]["segregation"]["excess"]) for f in firms]
    assert seen == [("acme-futures", "2024-03-06", "70")]
    listed = json.loads(CliRunner().invoke(main, ["filings", "Acme Futures", "--from", "2024-03-05", "--db", loaded, "--json"]).output)
    assert [(v["end_date"], v["status"], v["version"], v["is_record"]) for v in listed] == [
        ("2024-03-05", "INITIAL", 1, False),
        ("2024-03-05", "AMENDED", 2, True),
        ("2024-03-06", "INITIAL", 1, True),
    ]


def test_history_formats(loaded: str) -> None:
    csv = CliRunner().invoke(main, ["history", "acme-futures", "--code", "7190", "--code", "7060", "--format", "csv", "--db", loaded])
    assert csv.output.splitlines() == ["end_date,7190,7060,amended", "2024-03-04,50,100,", "2024-03-05,20,100,*", "2024-03-06,70,100,"]
    history = json.loads(CliRunner().invoke(main, ["history", "Acme Futures", "--code", "7190", "--format", "json", "--db", loaded]).output)
    assert (history["firm_id"], history["codes"]) == ("acme-futures", ["7190"])
    assert [p["value"] for p in history["points"]] == ["50", "20", "70"]
    missing = CliRunner().invoke(main, ["history", "nobody", "--code", "7190", "--db", loaded])
    assert missing.exit_code == 2 and "no firm 'nobody'" in missing.output


def test_diff_versions_and_days(loaded: str) -> None:
    versions = CliRunner().invoke(main, ["diff", "acme-futures", "2024-03-05", "--db", loaded, "--json"])
    assert versions.exit_code == 1
    report = json.loads(versions.output)
    lines = {line["code"]: (line["before"], line["after"], line["change"]) for line in report["lines"]}
    assert lines["7190"] == ("60", "20", "-40") and lines["7180"] == ("160", "120", "-40")
    assert {h["field"] for h in report["header"]} == {"status", "firm_name", "submit_date"}
    days = CliRunner().invoke(main, ["diff", "acme-futures", "2024-03-04", "2024-03-06", "--db", loaded])
    assert "7190" in days.output and "+++ filing" in days.output
    same = CliRunner().invoke(main, ["diff", "1", "1", "--db", loaded])
    assert same.exit_code == 0 and "no amount differs" in same.output
    alone = CliRunner().invoke(main, ["diff", "acme-futures", "2024-03-04", "--db", loaded])
    assert alone.exit_code == 2 and "has one version for 2024-03-04" in alone.output


def test_ingest_names_an_original_that_arrived_after_its_amendment(store_url: str, tmp_path: Path) -> None:
    day = date(2024, 3, 4)
    amended = daily_filing("Acme Futures LLC", day, requirement=D(100), funds=D(140), status="AMENDED", submit=date(2024, 3, 6))
    initial = daily_filing("Acme Futures LLC", day, requirement=D(100), funds=D(150))
    (tmp_path / "1-amended.json").write_text(render_json([amended]))
    (tmp_path / "2-initial.txt").write_text(render_text([initial]))
    first = CliRunner().invoke(main, ["ingest", str(tmp_path / "1-amended.json"), "--db", store_url])
    late = CliRunner().invoke(main, ["ingest", str(tmp_path / "2-initial.txt"), "--db", store_url])
    assert first.exit_code == 0 and "1 amended" in first.output
    assert late.exit_code == 0 and "1 stored" in late.output and "0 amended" in late.output
    assert "arrived after its amendment; filing 1 stays the filing of record" in late.output
