"""Each registered rule, triggered by a small constructed filing, with its exact expected/actual/difference."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal

import pytest

from dailyseg.catalogue import CATALOGUE
from dailyseg.checks import REGISTRY, Context, Finding, UnknownRuleError, validate
from dailyseg.filing import CoverPage, Entry, Filing, Header, Target

HEADER = Header("INITIAL", date(2013, 7, 25), "Example Futures LLC", "Daily Seg - FOCUS II", date(2013, 7, 26))
TESTED = {
    "formulas",
    "ties",
    "signs",
    "offset-limit",
    "greater-of",
    "complete",
    "unknown-codes",
    "funds-negative",
    "header-complete",
    "submit-date",
    "late-initial",
    "business-day",
    "deficiency",
    "below-target",
    "below-undermargined",
    "target-missing",
    "target-cover",
}


def make(amounts: Mapping[int, int], layout: str = "2013", header: Header = HEADER, cover: CoverPage | None = None) -> Filing:
    return Filing.of(header, {code: Decimal(value) for code, value in amounts.items()}, layout=layout, cover=cover)


def only(filing: Filing, rule: str, context: Context | None = None) -> Finding:
    findings = validate(filing, [rule], context)
    assert len(findings) == 1, findings
    assert findings[0].rule == rule
    return findings[0]


def test_every_rule_over_one_filing_is_tested_here() -> None:
    assert {r.id for r in REGISTRY.values() if r.scope == "filing"} == TESTED


def test_formulas_with_and_without_tolerance() -> None:
    filing = make({7010: 100, 7040: 90, 7060: 90, 7190: -90})
    finding = only(filing, "formulas")
    assert (finding.severity, finding.statement, finding.codes) == (
        "error",
        "segregation",
        ("7040", "7010", "7020", "7030", "7032", "7033"),
    )
    assert (finding.expected, finding.actual, finding.difference) == (Decimal(100), Decimal(90), Decimal(-10))
    assert finding.message == (
        "S1: line 7040 should be 7010 + 7020 + 7030 + 7032 + 7033 = 100; "
        "filed 90 (off by -10; not filed, counted as 0: 7020, 7030, 7032, 7033)"
    )
    assert validate(filing, ["formulas"], Context(tolerance=Decimal(10))) == []
    assert len(validate(filing, ["formulas"], Context(tolerance=Decimal("9.99")))) == 1


def test_ties_are_warnings() -> None:
    finding = only(make({7020: 100, 7090: 60, 7120: 30}), "ties")
    assert (finding.severity, finding.codes[0]) == ("warning", "7020")
    assert (finding.expected, finding.actual, finding.difference) == (Decimal(90), Decimal(100), Decimal(10))
    assert finding.message.startswith("T1: ")


def test_signs_wrong_sign() -> None:
    finding = only(make({7033: 5}), "signs")
    assert (finding.codes, finding.expected, finding.actual) == (("7033",), "zero or negative", Decimal(5))
    assert finding.message.endswith("must be zero or negative; filed 5 (wrong sign)")


def test_signs_convention_violation_when_flipping_repairs_the_formulas() -> None:
    filing = make({7700: 100, 7735: 5, 7740: 95, 7770: 95, 7370: 95, 7380: 95})
    assert validate(filing, ["formulas"]) != []
    finding = only(filing, "signs")
    assert (finding.codes, finding.actual) == (("7735",), Decimal(5))
    assert finding.message.endswith("(sign-convention violation: the formulas hold with the sign flipped)")


def test_offset_limit() -> None:
    finding = only(make({7045: 10, 7047: -15, 7050: -5}), "offset-limit")
    assert finding.codes == ("7047", "7045")
    assert (finding.expected, finding.actual, finding.difference) == (Decimal(10), Decimal(-15), Decimal(5))
    assert finding.message == "|7047| <= 7045 fails: 7047 is -15, 7045 is 10"


def test_greater_of() -> None:
    finding = only(make({7305: 100, 7355: 50, 7360: 80}, layout="full"), "greater-of")
    assert finding.codes == ("7360", "7305")
    assert (finding.expected, finding.actual, finding.difference) == (Decimal(100), Decimal(80), Decimal(-20))


def test_complete_names_every_missing_line() -> None:
    finding = only(make({7010: 1}), "complete")
    expected = tuple(r.ref for r in CATALOGUE.statement_by_id["segregation"].rows("2013") if r.code is not None and r.ref != "7010")
    assert finding.codes == expected
    assert finding.actual == f"{len(expected)} missing"
    assert finding.message.startswith(f"Daily Segregation - Segregation Statement: {len(expected)} coded line(s) missing: 7020, 7030")


def test_unknown_codes() -> None:
    filing = Filing(HEADER, "2013", (Entry("segregation", "7010", Decimal(1)), Entry("segregation", "7175", Decimal(5), "Other deposits")))
    finding = only(filing, "unknown-codes")
    assert (finding.severity, finding.statement, finding.codes, finding.actual) == ("warning", "segregation", ("7175",), Decimal(5))
    assert finding.message == "code 7175 is not in the catalogue (label 'Other deposits'); kept as filed"


def test_funds_negative() -> None:
    finding = only(make({7180: -1}), "funds-negative")
    assert (finding.codes, finding.expected, finding.actual) == (("7180",), "zero or positive", Decimal(-1))


def test_header_complete() -> None:
    filing = make({7010: 1}, header=Header("", None, "", ""))
    findings = validate(filing, ["header-complete"])
    assert sorted(f.message for f in findings) == [
        "header: End Date missing or unreadable",
        "header: Firm Name missing or unreadable",
        "header: Form missing or unreadable",
        "header: status missing or unreadable",
    ]
    status = next(f for f in findings if "status" in f.message)
    assert status.expected == "INITIAL or AMENDED"


def test_submit_date_before_end_date() -> None:
    header = Header("INITIAL", date(2013, 7, 25), "X", "Daily Seg 1-FR", date(2013, 7, 24))
    finding = only(make({7010: 1}, header=header), "submit-date")
    assert (finding.expected, finding.actual) == ("on or after 2013-07-25", "2013-07-24")


@pytest.mark.parametrize(
    ("end", "submitted", "due"),
    [
        (date(2013, 7, 26), date(2013, 7, 30), "2013-07-29"),  # Friday, submitted Tuesday: late
        (date(2013, 7, 26), date(2013, 7, 29), None),  # Friday, submitted Monday: on time
        (date(2013, 8, 30), date(2013, 9, 3), None),  # Labor Day Monday moves the deadline to Tuesday
        (date(2013, 8, 30), date(2013, 9, 4), "2013-09-03"),
    ],
)
def test_late_initial(end: date, submitted: date, due: str | None) -> None:
    header = Header("INITIAL", end, "X", "Daily Seg 1-FR", submitted)
    findings = validate(make({7010: 1}, header=header), ["late-initial"])
    if due is None:
        assert findings == []
        return
    (finding,) = findings
    assert (finding.expected, finding.actual) == (due, submitted.isoformat())
    assert finding.message == f"INITIAL filing submitted {submitted.isoformat()}, 1 day(s) after it was due on {due}"
    amended = Header("AMENDED", end, "X", "Daily Seg 1-FR", submitted)
    assert validate(make({7010: 1}, header=amended), ["late-initial"]) == []


@pytest.mark.parametrize(("end", "why"), [(date(2013, 7, 4), "Independence Day"), (date(2013, 7, 27), "Saturday")])
def test_business_day(end: date, why: str) -> None:
    header = Header("INITIAL", end, "X", "Daily Seg 1-FR", end)
    finding = only(make({7010: 1}, header=header), "business-day")
    assert (finding.expected, finding.actual) == ("a business day", end.isoformat())
    assert finding.message == f"End Date {end.isoformat()} is not a business day ({why})"
    assert validate(make({7010: 1}), ["business-day"]) == []


def test_deficiency() -> None:
    finding = only(make({7190: -5}), "deficiency")
    assert (finding.question, finding.severity, finding.codes) == ("firm", "error", ("7190",))
    assert finding.notice.startswith("immediate notice to the CFTC and the DSRO (17 CFR 1.12(h))")
    assert (finding.expected, finding.actual, finding.difference) == (Decimal(0), Decimal(-5), Decimal(-5))


def test_below_target_from_the_target_line() -> None:
    finding = only(make({7190: 100, 7194: 150}, layout="full"), "below-target")
    assert (finding.expected, finding.actual, finding.difference) == (Decimal(150), Decimal(100), Decimal(-50))
    assert finding.message.endswith("excess 100 is 50 under the target 150 (line 7194)")


def test_below_target_from_the_cover_page() -> None:
    cover = CoverPage(targets=(("segregation", Target("minimum_percent", Decimal(20))),))
    finding = only(make({7060: 1000, 7190: 100}, cover=cover), "below-target")
    assert (finding.expected, finding.actual, finding.difference) == (Decimal(200), Decimal(100), Decimal(-100))
    assert finding.message.endswith("(cover page)")


def test_below_undermargined() -> None:
    context = Context(undermargined={"segregation": Decimal(500)})
    finding = only(make({7190: 100}), "below-undermargined", context)
    assert (finding.expected, finding.actual, finding.difference) == (Decimal(500), Decimal(100), Decimal(-400))
    assert validate(make({7190: 100}), ["below-undermargined"]) == []


def test_target_missing() -> None:
    finding = only(make({7010: 1}, layout="full"), "target-missing")
    assert (finding.statement, finding.codes, finding.expected, finding.actual) == ("segregation", ("7194",), "a target amount", "nothing")
    assert validate(make({7010: 1}), ["target-missing"]) == []


def test_missing_target_lines_are_a_warning_not_a_formula_error() -> None:
    footed = {7010: 400, 7040: 400, 7060: 400, 7070: 500, 7180: 500, 7190: 100}
    filing = make(footed, layout="full")
    assert [f.rule for f in validate(filing, ["formulas", "target-missing"])] == ["target-missing"]
    with_target = make(footed | {7194: 150, 7198: -40}, layout="full")
    assert only(with_target, "formulas").codes[:3] == ("7198", "7190", "7194")


def test_target_cover() -> None:
    cover = CoverPage(targets=(("segregation", Target("minimum_dollars", Decimal(150))),))
    finding = only(make({7060: 1000, 7194: 140}, layout="full", cover=cover), "target-cover")
    assert (finding.expected, finding.actual, finding.difference) == (Decimal(150), Decimal(140), Decimal(-10))


def test_rules_are_chosen_by_id() -> None:
    filing = make({7190: -5, 7180: -1})
    assert {f.rule for f in validate(filing)} >= {"deficiency", "complete"}
    assert "funds-negative" not in {f.rule for f in validate(filing)}  # a strict rule, not run by default
    assert {f.rule for f in validate(filing, tier="strict")} >= {"deficiency", "funds-negative", "complete"}
    assert {f.rule for f in validate(filing, ["deficiency"])} == {"deficiency"}
    assert {f.rule for f in validate(filing, ["funds-negative"])} == {"funds-negative"}  # named: run whatever its tier


def test_an_unknown_rule_id_is_refused() -> None:
    with pytest.raises(UnknownRuleError) as error:
        validate(make({7010: 1}), ["formulas", "nope"])
    assert str(error.value) == f"no rule 'nope'; known rules: {', '.join(sorted(REGISTRY))}"
