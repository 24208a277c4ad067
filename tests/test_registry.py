"""The one registry: every finding anywhere comes from a registered rule, stamped with what the rule declares."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator, Mapping
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import dailyseg
from dailyseg.catalogue import CATALOGUE
from dailyseg.checks import QUESTIONS, REGISTRY, SEVERITIES, TIERS, Context, Finding, Hit, Registry, Rule, validate
from dailyseg.checks.history import DRAWDOWN
from dailyseg.filing import Filing, Header

SRC = Path(__file__).resolve().parents[1] / "src" / "dailyseg"
HEADER = Header("INITIAL", date(2024, 3, 1), "Registry Co", "Daily Seg - FOCUS II", date(2024, 3, 4))


def make(amounts: Mapping[int, int], layout: str = "full") -> Filing:
    return Filing.of(HEADER, {code: Decimal(value) for code, value in amounts.items()}, layout=layout)


def _calls(tree: ast.AST, name: str) -> Iterator[ast.Call]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            called = node.func
            if (isinstance(called, ast.Name) and called.id == name) or (isinstance(called, ast.Attribute) and called.attr == name):
                yield node


def test_no_module_makes_a_finding_itself() -> None:
    """A finding is made only by `Rule.stamp`; nothing else may call `Finding(...)` and retype a rule's facts."""
    makers = {
        str(path.relative_to(SRC)): node.lineno
        for path in SRC.rglob("*.py")
        for node in _calls(ast.parse(path.read_text("utf-8")), "Finding")
        if path.name != "registry.py"
    }
    assert makers == {}


def test_every_rule_that_is_not_run_on_one_filing_is_stamped_somewhere() -> None:
    """A rule of a computation, a reconciliation or the monitor is declared once and used by its producer."""
    source = "\n".join(p.read_text("utf-8") for p in SRC.rglob("*.py") if "checks" not in p.parts)
    history = (SRC / "checks" / "history.py").read_text("utf-8")
    constants = {
        name: value
        for module in ("computation", "history", "withdrawals")
        for name, value in vars(__import__(f"dailyseg.checks.{module}", fromlist=["RULES"])).items()
        if isinstance(value, Rule)
    }
    for name, declared in constants.items():
        used = f"{name}.stamp(" in source or f"{name}.stamp(" in history
        assert used, f"rule {declared.id} ({name}) is declared but nothing stamps its findings"
    assert {r.id for r in constants.values()} == {r.id for r in REGISTRY.values() if r.scope not in ("filing", "read")}


def test_every_reading_problem_falls_under_a_reading_rule_of_its_severity() -> None:
    """Reading reports problems, not findings; each names the registered rule it falls under."""
    from dailyseg.problems import RULE_OF, Problem

    for severity, rule_id in RULE_OF.items():
        declared = REGISTRY[rule_id]
        assert declared.scope == "read" and declared.severity == ("warning" if severity == "warning" else "error")
        assert Problem("x", 1, "m", severity=severity).rule == rule_id
    damaged = dailyseg.read(b"End Date:2024-03-04\nnot a filing at all [7190]\n")
    assert damaged.problems and all(p.rule in REGISTRY for p in damaged.problems)


def test_the_registry_is_immutable_and_refuses_a_duplicate_id() -> None:
    with pytest.raises(TypeError):
        REGISTRY["formulas"] = REGISTRY["signs"]  # type: ignore[index]
    with pytest.raises(TypeError):
        REGISTRY._rules["x"] = REGISTRY["signs"]  # type: ignore[index]
    with pytest.raises(ValueError, match="rule formulas declared twice"):
        Registry([REGISTRY["formulas"], REGISTRY["formulas"]])


def test_every_rule_declares_its_facts_once() -> None:
    for r in REGISTRY.values():
        assert r.question in QUESTIONS and r.tier in TIERS and r.severity in SEVERITIES
        assert r.citation and r.description and r.surfaces
        assert (r.check is not None) == (r.scope == "filing"), r.id
        if r.notice:
            assert r.question == "firm", f"{r.id}: only an event asks for a notice"


def test_events_come_before_defects_whatever_their_severity() -> None:
    """The defect: the filing page rated a deficiency NOTICE beneath twelve ERRORs; the monitor rated it ERROR."""
    filing = make({7010: 100, 7040: 1, 7060: 1, 7180: 1, 7190: -5})
    found = validate(filing)
    events = [f for f in found if f.is_event]
    assert events and events[0].rule == "deficiency" and events[0].severity == "error"
    first_defect = next(i for i, f in enumerate(found) if not f.is_event)
    assert all(f.is_event for f in found[:first_defect]) and not any(f.is_event for f in found[first_defect:])
    assert any(f.rule == "formulas" for f in found[first_defect:])


def test_the_same_condition_is_one_rule_with_one_severity_everywhere() -> None:
    """The defect: `deficiency` was a notice in validation and an error in the monitor, `under-target` a third name."""
    assert {r.id for r in REGISTRY.values()} >= {"deficiency", "below-target", "late-initial", "amended", "drawdown-25"}
    assert "under-target" not in REGISTRY and "late" not in REGISTRY


def test_citations_do_not_drift() -> None:
    """The defects: the target rule cited 1.23(c) for all three statements; header.py cited 1.32(d) in its
    finding and a longer list in its declaration. A rule's findings cite what it declares."""
    late_header = Header("INITIAL", date(2024, 3, 1), "Late Co", "Daily Seg - FOCUS II", date(2024, 3, 11))
    late = validate(Filing.of(late_header, {}), ["late-initial"])
    assert [f.citation for f in late] == [REGISTRY["late-initial"].citation]
    missing = validate(make({7060: 1}), ["target-missing"])
    assert missing and {f.citation for f in missing} == {REGISTRY["target-missing"].citation}
    assert "1.23(c)" not in REGISTRY["target-missing"].citation
    for statement in CATALOGUE.statements:
        assert DRAWDOWN.citation_for(statement.id) == statement.residual_interest_rule


@settings(max_examples=60, deadline=None)
@given(
    st.dictionaries(st.sampled_from(sorted(CATALOGUE.codes)), st.integers(min_value=-(10**12), max_value=10**12), min_size=1, max_size=30),
    st.sampled_from(TIERS),
)
def test_every_finding_carries_what_its_rule_declares(amounts: dict[int, int], tier: str) -> None:
    filing = Filing.of(HEADER, {code: Decimal(v) for code, v in amounts.items()}, layout="full")
    for finding in validate(filing, tier=tier, context=Context(undermargined={"segregation": Decimal(10**13)})):  # type: ignore[arg-type]
        declared = REGISTRY[finding.rule]
        assert (finding.question, finding.severity, finding.notice) == (declared.question, declared.severity, declared.notice)
        assert declared.tier == "basic" or tier == "strict"


def test_strict_rules_run_only_when_asked() -> None:
    strict = {r.id for r in REGISTRY.values() if r.tier == "strict"}
    assert strict and strict.isdisjoint(r.id for r in REGISTRY.select())
    assert strict <= {r.id for r in REGISTRY.select(tier="strict")}
    assert [r.id for r in REGISTRY.select(["ties"])] == ["ties"]


def test_a_stamp_keeps_a_catalogue_citation_for_its_formula() -> None:
    found = validate(make({7010: 100, 7040: 90}), ["formulas"])
    cited = {f.citation for f in found}
    assert cited <= {f.citation for f in CATALOGUE.formulas} and cited


def test_a_hit_becomes_a_finding_only_through_its_rule() -> None:
    finding = REGISTRY["amended"].stamp(Hit("x changed", codes=("7190",)))
    assert isinstance(finding, Finding)
    assert (finding.rule, finding.question, finding.severity, finding.citation) == ("amended", "firm", "notice", "17 CFR 1.55(o)(2)")


def test_the_documented_rule_table_is_the_registry() -> None:
    from dailyseg.checks.document import rules_markdown

    documented = (SRC.parents[1] / "docs" / "rules.md").read_text("utf-8")
    assert documented == rules_markdown(), "docs/rules.md is stale: python -m dailyseg.checks.document > docs/rules.md"


def test_lateness_is_decided_in_one_place() -> None:
    """The defect: "late" was computed by checks/header.py and again by store/store.py. One function decides
    (`calendar.is_late`, for a Submit Date or a filing time); the late-initial rule (whose test the firm page
    asks of stored headers), the daily close and the overview's board (has the due time passed) ask it."""
    sources = {str(path.relative_to(SRC)): path.read_text("utf-8") for path in SRC.rglob("*.py")}
    assert sorted(name for name, text in sources.items() if re.search(r"^def (is_late|due_at)\b", text, re.MULTILINE)) == ["calendar.py"]
    callers = sorted(name for name, text in sources.items() if any(True for _ in _calls(ast.parse(text), "is_late")))
    assert callers == ["checks/header.py", "store/workflow.py", "web/overview_view.py"]


def test_no_module_keeps_its_own_list_of_key_lines() -> None:
    """The defect: charts, publication, month-end, the store's types, the publication template and charts.js
    each listed requirement, funds, excess and target themselves; the catalogue's key lines are the list."""
    listed = re.compile(r"""["']requirement["'],\s*["']funds["']|requirement:\s*\{""")
    places = [p for p in (*SRC.rglob("*.py"), *SRC.rglob("*.j2"), *SRC.rglob("*.js")) if "catalogue" not in p.parts]
    keeping = sorted(str(p.relative_to(SRC)) for p in places if listed.search(p.read_text("utf-8")))
    assert keeping == []
    assert [k.id for k in CATALOGUE.key_lines] == ["requirement", "funds", "excess", "target", "excess_over_target"]
