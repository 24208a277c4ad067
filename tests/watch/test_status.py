"""One verdict everywhere: for each fault injected into a firm's filings, the CLI (validate, monitor, firms),
the API and the firms page report the same rule id with the same severity, and firms are listed worst first."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from dailyseg.calendar import business_days
from dailyseg.checks import REGISTRY, Finding, Hit
from dailyseg.cli import main
from dailyseg.filing import Filing
from dailyseg.render import renderer
from dailyseg.store import Store
from dailyseg.store.synthetic import Faults, series
from dailyseg.watch.status import firm_statuses
from dailyseg.web import Settings, create_app

# Builds a store of eleven firms and asks every surface about them: seconds of work, so not in the fast tier.
pytestmark = pytest.mark.slow

DAYS = business_days(date(2024, 10, 1), date(2024, 12, 31))
LAST, BEFORE, GAP = DAYS[-1], DAYS[-2], DAYS[-3]
SAMPLE = Path(__file__).resolve().parents[2] / "examples" / "daily-seg-citigroup-2013-07-25.txt"

# Each firm and the rule its fault must be reported under, first in its status.
FAULTED = {
    "Deficient Co": (Faults(deficiency=((LAST, "segregation"),)), "deficiency"),
    "Under Co": (Faults(below_target=((LAST, "secured"),)), "below-target"),
    "Drawdown Co": (Faults(drawdown=((BEFORE, "swaps"),)), "drawdown-25"),
    "Late Co": (Faults(late=(LAST,)), "late-initial"),
    "Gap Co": (Faults(missing_day=(GAP,)), "missing-day"),
    "Amended Co": (Faults(amended=(BEFORE,)), "amended"),
    "Backwards Co": (Faults(amended_first=(BEFORE,)), "amended"),
}


def _broken(filing: Filing) -> Filing:
    """The filing with one funds line a million dollars off, so its formulas no longer hold."""
    amounts: dict[int | str, Decimal] = {ref: value for ref, value in filing.amounts.items()}
    amounts["7070"] += Decimal(1_000_000)
    return Filing.of(filing.header, amounts, layout=filing.layout)


def _ingest(store: Store, filings: Iterator[Filing] | list[Filing], source: str) -> None:
    store.ingest_filings(list(filings), source=source)


@pytest.fixture(scope="module")
def url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('status') / 'store.sqlite'}"
    with Store.open(url) as store:
        for seed, (firm, (faults, _)) in enumerate(FAULTED.items()):
            _ingest(store, series(firm, DAYS[0], LAST, seed=seed, faults=faults), firm)
        _ingest(store, series("Clean Co", DAYS[0], LAST, seed=40), "clean")
        _ingest(store, series("Silent Co", DAYS[0], DAYS[-40], seed=41), "silent")
        clean = list(series("Broken Co", DAYS[0], LAST, seed=42))
        _ingest(store, [*clean[:-1], _broken(clean[-1])], "broken")
        store.ingest_path(SAMPLE)
    return url


@pytest.fixture(scope="module")
def statuses(url: str) -> dict[str, dict[str, Any]]:
    done = CliRunner().invoke(main, ["firms", "--db", url, "--json"], catch_exceptions=False)
    assert done.exit_code == 0
    return {f["name"]: f for f in json.loads(done.stdout)}


def _severities(findings: list[dict[str, Any]]) -> dict[str, str]:
    return {f["rule"]: f["severity"] for f in findings}


def test_a_clean_generated_firm_has_nothing_to_report(url: str, statuses: dict[str, dict[str, Any]]) -> None:
    """The defect: generated filings carried 12 formula errors each and drawdowns every other week."""
    assert statuses["Clean Co"]["status"] == []
    done = CliRunner().invoke(main, ["monitor", "clean-co", "--db", url, "--json", "--strict"], catch_exceptions=False)
    assert (done.exit_code, json.loads(done.stdout)["findings"]) == (0, [])


@pytest.fixture(scope="module")
def surfaces(url: str) -> dict[str, Any]:
    """What each surface says about every firm, asked once: the monitor (CLI), the API and the firms page."""
    monitored = CliRunner().invoke(main, ["monitor", "--db", url, "--json"], catch_exceptions=False)
    by_firm: dict[str, list[dict[str, Any]]] = {}
    for finding in json.loads(monitored.stdout)["findings"]:
        by_firm.setdefault(finding["firm_id"], []).append(finding)
    with TestClient(create_app(Settings(db_url=url))) as client:
        listed = {f["firm_id"]: f for f in client.get("/api/firms").json()}
        found = {firm_id: client.get(f"/api/firms/{firm_id}/findings").json() for firm_id in listed}
        page = client.get("/").text
    return {"monitor": by_firm, "api": listed, "api_findings": found, "page": page}


@pytest.mark.parametrize("firm", list(FAULTED))
def test_a_fault_is_one_rule_with_one_severity_in_firms_monitor_and_the_api(
    statuses: dict[str, dict[str, Any]], surfaces: dict[str, Any], firm: str
) -> None:
    _, rule = FAULTED[firm]
    severity = REGISTRY[rule].severity
    status = statuses[firm]
    assert rule in status["status"], status["status"]
    assert _severities(status["findings"])[rule] == severity
    firm_id = str(status["firm_id"])
    assert _severities(surfaces["monitor"][firm_id])[rule] == severity
    assert surfaces["api"][firm_id]["status"] == status["status"]
    assert _severities(surfaces["api_findings"][firm_id])[rule] == severity
    row = next(r for r in re.split(r"<tr[ >]", surfaces["page"]) if f'href="/firms/{firm_id}"' in r)
    assert re.findall(r'data-rule="([a-z0-9-]+)"', row) == status["status"]


@pytest.mark.parametrize("firm", ["Deficient Co", "Under Co", "Late Co"])
def test_validate_rates_a_filing_fault_as_the_monitor_does(tmp_path: Path, firm: str) -> None:
    faults, rule = FAULTED[firm]
    seed = list(FAULTED).index(firm)
    latest = [f for f in series(firm, DAYS[0], LAST, seed=seed, faults=faults) if f.header.end_date == LAST][-1]
    path = tmp_path / "latest.json"
    path.write_text(str(renderer("json")([latest])), "utf-8")
    done = CliRunner().invoke(main, ["validate", str(path), "--json"], catch_exceptions=False)
    (checked,) = json.loads(done.stdout)["filings"]
    assert _severities(checked["findings"]) == {rule: REGISTRY[rule].severity}
    assert checked["findings"][0]["question"] == "firm"


def test_a_firm_that_stopped_filing_is_not_ok(statuses: dict[str, dict[str, Any]]) -> None:
    """The defects: "ok" for a firm that stopped filing months ago, and for one last filed in 2013 among
    firms filing in 2024."""
    for firm in ("Silent Co", "Citigroup Global Markets Inc."):
        assert statuses[firm]["status"] == ["not-filing"], firm
        (finding,) = statuses[firm]["findings"]
        assert finding["end_date"] == LAST.isoformat()
    silent = statuses["Silent Co"]["findings"][0]
    assert silent["since"] == DAYS[-39].isoformat() and "39 business days" in silent["message"]


def test_a_latest_filing_with_errors_is_not_ok(statuses: dict[str, dict[str, Any]]) -> None:
    """The defect: "ok" for a firm whose latest filing had four formula errors."""
    assert statuses["Broken Co"]["status"] == ["formulas"]


def test_firms_are_listed_worst_first(url: str, statuses: dict[str, dict[str, Any]]) -> None:
    with Store.open(url) as store:
        order = [s.name for s in firm_statuses(store)]
    assert order[0] == "Deficient Co"  # the one error event
    assert order[-1] == "Clean Co"  # nothing to report
    ranks = [REGISTRY.rank(finding_of(statuses[name]["status"][0])) for name in order[:-1]]
    assert ranks == sorted(ranks)


def finding_of(rule_id: str) -> Finding:
    """A finding of `rule_id`, to rank rules as the registry ranks their findings."""
    return REGISTRY[rule_id].stamp(Hit("x"))


def test_as_of_judges_status_at_an_earlier_day(url: str) -> None:
    with Store.open(url) as store:
        earlier = {s.name: s for s in firm_statuses(store, DAYS[-45])}
    assert earlier["Silent Co"].status == ()  # still filing then
    assert "not-filing" not in earlier["Deficient Co"].status


def test_excess_is_shown_against_requirement_and_target(statuses: dict[str, dict[str, Any]]) -> None:
    figures = statuses["Under Co"]["statements"]["secured"]
    excess, target, requirement = (Decimal(figures[k]) for k in ("excess", "target", "requirement"))
    assert Decimal(figures["over_target"]) == excess - target < 0
    assert Decimal(figures["excess_percent"]) == (excess * 100 / requirement).quantize(Decimal("0.01"))
    assert figures["excess_change"] is not None
