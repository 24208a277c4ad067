"""Reading NFA's public FCM summaries from saved text: each shape of page to its exact figures and problems."""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from dailyseg.watch.nfa import MAX_PROBLEMS, NfaSummary, breakdown_of, measure_of, pool_of, read_file, read_text
from dailyseg.watch.nfa_html import html_text
from tests.watch import nfa_pages as pages

D = Decimal


def _one(text: str) -> NfaSummary:
    read = read_text(text, "page.txt")
    assert read.problems == ()
    (summary,) = read.summaries
    return summary


def test_segregation_inside_the_site_navigation() -> None:
    assert _one(pages.SEG_WITH_NAVIGATION) == NfaSummary(
        "ACME FUTURES LLC",
        "0312456",
        "seg",
        date(2017, 6, 30),
        8,
        {"funds": D(1_000_250), "required": D(900_000), "excess": D(100_250), "target": D(50_000)},
        {
            "holding": {"Bank": D("45.2"), "Clearing Organization": D("30.0"), "Other FCMs": D("24.8")},
            "investment": {"Cash": D("50.0"), "U.S. Treasuries": D("30.0"), "Money Market Funds": D("20.0")},
        },
    )


def test_secured_without_navigation_adding_up_to_99_9_is_no_problem() -> None:
    summary = _one(pages.SECURED_BARE)
    assert (summary.firm, summary.nfa_id, summary.pool, summary.as_of) == ("HARBOR FUTURES LLC", "0400123", "secured", date(2017, 6, 30))
    assert summary.values == {"funds": D(60_000), "required": D(50_000), "excess": D(10_000)}
    assert summary.shares == {"holding": {"Bank": D("33.3"), "Clearing Organization": D("33.3"), "Other FCMs": D("33.3")}}


def test_swaps_deficiency_in_parentheses_adding_up_to_100_1_is_no_problem() -> None:
    summary = _one(pages.SWAPS_DEFICIENT)
    assert (summary.pool, summary.as_of, summary.line) == ("swaps", date(2017, 6, 30), 9)
    assert summary.values == {"funds": D(75_000), "required": D(100_000), "excess": D(-25_000), "target": D(-5_000)}
    assert sum(summary.shares["holding"].values()) == D("100.1")


def test_all_three_pools_in_one_file() -> None:
    read = read_text(pages.ALL_POOLS, "granite.txt")
    assert read.problems == ()
    assert [(s.pool, s.line, s.values["funds"], s.values.get("target")) for s in read.summaries] == [
        ("seg", 6, D(3_000_000), None),
        ("secured", 16, D(500_000), D(20_000)),
        ("swaps", 25, D(0), None),
    ]
    assert {(s.firm, s.nfa_id, s.as_of) for s in read.summaries} == {("GRANITE FUTURES CORP", "0299999", date(2017, 9, 30))}


def test_percentages_far_from_100_are_warnings_naming_file_and_line() -> None:
    read = read_text(pages.SEG_97, "meadow.txt")
    assert len(read.summaries) == 1 and not read.stops_reading
    assert [(p.source, p.line, p.severity, p.found) for p in read.problems] == [
        ("meadow.txt", 9, "warning", "97%"),
        ("meadow.txt", 12, "warning", "103.0%"),
    ]
    assert "holding type add up to 97%" in read.problems[0].message and read.problems[0].expected.startswith("100% within 1.0")


def test_a_damaged_page_gives_problems_not_summaries() -> None:
    read = read_text(pages.DAMAGED, "tiny.txt")
    assert read.summaries == () and read.stops_reading
    assert [str(p) for p in read.problems] == [
        "tiny.txt:5: 'Total Funds in Segregation': not an amount; expected a dollar amount such as $1,234,567 or ($1,234); found $1,2x4",
        "tiny.txt:6: TINY TRADING LLC seg 2017-06-30: the summary lacks funds, required; expected funds, required and excess; found excess",
    ]


def test_what_is_missing_is_named() -> None:
    no_date = read_text("Customer Segregated Funds\nACME LLC\nNFA ID: 1234567\nTotal Funds in Segregation$1\n", "a.txt")
    assert [(p.line, p.message) for p in no_date.problems] == [(4, "Total Funds in Segregation before the as-of date")]
    bad_date = read_text("ACME LLC\nNFA ID: 1234567\nAs of 13/45/2017\n", "b.txt")
    assert [(p.line, p.expected, p.found) for p in bad_date.problems] == [
        (3, "a date such as 06/30/2024 or June 30, 2024", "As of 13/45/2017"),
    ]
    nothing = read_text("Home\nSearch\n", "c.txt")
    assert [(p.message, p.severity) for p in nothing.problems] == [("no NFA summary found", "error")]


def test_finer_percentages_and_second_values_are_errors() -> None:
    text = pages.SECURED_BARE + "Bank  33.333%\nTotal Funds in Separate Section 30.7 Accounts $ 60,001\n"
    read = read_text(text, "x.txt")
    assert [(p.line, p.found) for p in read.problems] == [(11, "33.333%"), (12, "60001")]


def test_the_words_of_labels_and_headings() -> None:
    assert [
        pool_of(t) for t in ("Customer Segregated Funds", "30.7 Secured Amount", "Cleared Swaps Customer Segregated Funds", "Home")
    ] == [
        "seg",
        "secured",
        "swaps",
        None,
    ]
    assert [measure_of(t) for t in ("Excess/Deficiency Funds in Segregation", "Amount required", "Total funds", "Excess over target")] == [
        "excess",
        "required",
        "funds",
        None,
    ]
    assert [breakdown_of(t) for t in ("Percentage of funds by holding type", "Percentage of Segregated Funds by Investment", "Bank")] == [
        "holding",
        "investment",
        None,
    ]


def test_html_is_read_as_its_text(tmp_path: Path) -> None:
    lines = pages.SEG_WITH_NAVIGATION.splitlines()
    body = "".join(f"<p>{line.replace('&', '&amp;')}</p>\n" for line in lines)
    html = f"<!DOCTYPE html><html><head><title>NFA ID: 9</title><style>p {{}}</style></head><body><nav>Home</nav>{body}"
    html += "<svg><text>Total funds 1</text></svg></body></html>"
    path = tmp_path / "acme.html"
    path.write_text(html, "utf-8")
    read = read_file(str(path))
    assert read.problems == () and read.summaries == (replace(_one(pages.SEG_WITH_NAVIGATION), line=9),)  # <nav>Home</nav> is a line
    assert html_text("<table><tr><td>a</td><td></td><td>b</td></tr></table>") == "a\t\tb"


def test_a_file_that_cannot_be_opened_or_is_binary(tmp_path: Path) -> None:
    missing = read_file(str(tmp_path / "none.txt"))
    assert missing.summaries == () and missing.problems[0].severity == "fatal"
    binary = tmp_path / "b.txt"
    binary.write_bytes(bytes(range(256)) * 4)
    assert read_file(str(binary)).stops_reading


# -- the property: a summary rendered in NFA's text shape, with any navigation and spacing, reads back as it was --

NOISE = (
    "Home",
    "Home | About NFA | Members | Search",
    "BASIC - Background Affiliation Status Information Center",
    "Menu",
    "Log In",
    "Contact Us",
    "Privacy Policy | Terms of Use",
    "© 2024 National Futures Association. All rights reserved.",
    "Back to top",
    "Print this page",
    "News & Events",
    "Futures Commission Merchant Financial Information",
)
TITLES = {"seg": "Customer Segregated Funds", "secured": "30.7 Secured Amount", "swaps": "Cleared Swaps Customer Funds"}
LABELS = {
    "seg": ("Total Funds in Segregation", "Amount Required to be in Segregation", "Excess/Deficiency Funds in Segregation"),
    "secured": (
        "Total Funds in Separate Section 30.7 Accounts",
        "Amount Required to be Set Aside in Separate Section 30.7 Accounts",
        "Excess Funds in Separate Section 30.7 Accounts",
    ),
    "swaps": (
        "Total Funds in Cleared Swaps Customer Accounts",
        "Amount Required to be Segregated for Cleared Swaps Customers",
        "Excess/Deficiency Funds in Cleared Swaps Customer Accounts",
    ),
}
HOLDINGS = ("Bank", "Clearing Organization", "Other FCMs", "Other F.C.M.", "Broker-Dealers")
INVESTMENTS = ("Cash", "U.S. Treasuries", "Money Market Funds", "Municipal Securities")
FIRMS = ("ACME FUTURES LLC", "J.P. MORGAN SECURITIES LLC", "R.J. O'BRIEN & ASSOCIATES, LLC", "MIZUHO AMERICAS LLC")

amounts = st.integers(min_value=-(10**13), max_value=10**13).map(Decimal) | st.decimals(
    min_value=-(10**9), max_value=10**9, places=2, allow_nan=False, allow_infinity=False
)
percents = st.decimals(min_value=0, max_value=100, places=1, allow_nan=False, allow_infinity=False)


@st.composite
def summaries(draw: st.DrawFn, pool: str) -> NfaSummary:
    funds, required = draw(amounts), draw(amounts)
    values = {"funds": funds, "required": required, "excess": funds - required}
    if draw(st.booleans()):
        values["target"] = draw(amounts)
    shares: dict[str, dict[str, Decimal]] = {}
    for breakdown, labels in (("holding", HOLDINGS), ("investment", INVESTMENTS)):
        chosen = draw(st.lists(st.sampled_from(labels), unique=True, max_size=len(labels)))
        if chosen:
            shares[breakdown] = {label: draw(percents) for label in chosen}
    firm = draw(st.sampled_from(FIRMS))
    nfa_id = draw(st.from_regex(r"\A[0-9]{7}\Z"))
    as_of = draw(st.dates(min_value=date(2010, 1, 1), max_value=date(2030, 12, 31)))
    return NfaSummary(firm, nfa_id, pool, as_of, 0, values, shares)


def _amount_text(draw: st.DrawFn, amount: Decimal) -> str:
    digits = f"{abs(amount):,}"
    if amount >= 0:
        return draw(st.sampled_from([f"${digits}", f"$ {digits}"]))
    return draw(st.sampled_from([f"$({digits})", f"(${digits})", f"-${digits}", f"($ {digits})"]))


def _date_text(draw: st.DrawFn, day: date) -> str:
    return draw(st.sampled_from([f"{day:%m/%d/%Y}", day.isoformat(), f"{day:%B} {day.day}, {day.year}", f"{day:%b} {day.day}, {day.year}"]))


@st.composite
def pages_of(draw: st.DrawFn) -> tuple[str, list[NfaSummary]]:
    """A file of one to three pools' pages, with the lines each summary's first figure is on."""
    pools = draw(st.lists(st.sampled_from(list(TITLES)), unique=True, min_size=1, max_size=3))
    lines: list[str] = []
    expected: list[NfaSummary] = []

    def noise() -> None:
        lines.extend(draw(st.lists(st.sampled_from((*NOISE, "")), max_size=2)))

    for pool in pools:
        summary = draw(summaries(pool))
        noise()
        lines.append(TITLES[pool])
        noise()
        if draw(st.booleans()):
            lines += [summary.firm, f"NFA ID: {summary.nfa_id}"]
        else:
            lines.append(f"{summary.firm} (NFA ID {summary.nfa_id})")
        noise()
        lines.append(draw(st.sampled_from(["As of ", "As of: ", "Data as of "])) + _date_text(draw, summary.as_of))
        first = len(lines) + 1
        for label, measure in zip(LABELS[pool], ("funds", "required", "excess"), strict=True):
            lines.append(label + draw(st.sampled_from(["", " ", "  "])) + _amount_text(draw, summary.values[measure]))
            noise()
        if "target" in summary.values:
            lines.append("Target Residual Interest" + _amount_text(draw, summary.values["target"]))
        for breakdown, heading in (("holding", "by Depository"), ("investment", "by Investment")):
            if breakdown in summary.shares:
                lines.append(f"Percentage of Funds {heading}")
                noise()
                for label, percent in summary.shares[breakdown].items():
                    lines.append(label + draw(st.sampled_from(["", " ", "  ", "\t"])) + f"{percent}%" + draw(st.sampled_from(["", " "])))
        noise()
        expected.append(NfaSummary(summary.firm, summary.nfa_id, pool, summary.as_of, first, summary.values, summary.shares))
    return "\n".join(lines) + "\n", expected


@given(pages_of())
@settings(max_examples=40, deadline=None)
def test_a_rendered_summary_reads_back_as_it_was(page: tuple[str, list[NfaSummary]]) -> None:
    text, expected = page
    read = read_text(text, "page.txt")
    assert not read.stops_reading, read.problems
    assert {p.severity for p in read.problems} <= {"warning"}
    assert list(read.summaries) == expected


@given(
    st.text(alphabet=st.sampled_from("As of 06/30/2017 NFA ID: 1234567 Total Funds in Segregation $(),.%-\n\t0123456789Bank"), max_size=400)
)
@settings(max_examples=200, deadline=None)
def test_any_text_reads_without_raising(text: str) -> None:
    read = read_text(text, "junk.txt")
    assert all(p.source == "junk.txt" for p in read.problems)
    assert read.summaries or read.problems


def test_pathological_lines_cost_their_length() -> None:
    """Runs of spaces after "NFA ID" or "as", long labels: each line is read in time linear in its length."""
    lines = ["NFA ID" + " " * 1990 + "x", "As" + " " * 1995 + "of", "Total " * 330 + "$", "Bank" + "1." * 990 + "%", "x\t" * 999]
    started = time.perf_counter()
    read = read_text("\n".join(lines * 100), "long.txt")
    assert time.perf_counter() - started < 2 and len(read.problems) <= MAX_PROBLEMS + 1
