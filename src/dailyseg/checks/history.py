"""Rules over a firm's filings in time: the monitor's rules that no single filing can answer.

Each function takes what the monitor read from the store (a firm's filings of record in date order, the
versions of a day in their proper order) and yields `(End Date, Finding)` pairs stamped by its rule.

* drawdown-25     excess fell by more than 25% of the prior filed day's excess (residual interest).
* unusual-move    a day-over-day change in a requirement or funds line whose robust z score,
                  0.6745 * (change - median) / MAD over the changes of the trailing 20 filed days (at least 10),
                  exceeds 5 in absolute value, AND that is at least $1,000,000. When the MAD is zero (a flat
                  history) any change of that size counts. Medians resist the odd outlier in the window, so one
                  earlier spike does not hide the next.
* missing-day     a business day between the first and last filing watched with no filing (and, judged at the
                  clock by `dailyseg.alerts.deadman`, one after the last filing whose due time has passed).
* not-filing      no filing for `NOT_FILING_DAYS` business days or more before the as-of date (the latest End
                  Date in the store, while other firms file): the firm stopped filing, or the store stopped
                  receiving its filings.
* amended         a further version of a day, with the lines it changed against the version before it.
* initial-missing an AMENDED filing with no INITIAL for the same End Date and form (V15).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Protocol

from dailyseg.calendar import business_days
from dailyseg.catalogue import CATALOGUE, Statement
from dailyseg.checks.registry import Finding, Hit, Rule
from dailyseg.filing import Filing
from dailyseg.money import format_amount

# A firm whose latest filing is this many business days or more before the as-of date is "not filing".
# Three: a filing is due by noon of the next business day, so one day's delay is a late filing and three
# is a firm (or a feed) that has stopped.
NOT_FILING_DAYS = 3
DRAWDOWN_SHARE = Decimal("0.25")
_Z = Decimal("0.6745")
_MAX_CHANGES_LISTED = 8

DRAWDOWN = Rule(
    "drawdown-25",
    question="firm",
    tier="basic",
    severity="warning",
    scope="history",
    citation="17 CFR 1.23(d); 30.7(g); 22.17(c)",
    citations={s.id: s.residual_interest_rule for s in CATALOGUE.statements if s.residual_interest_rule},
    description="Residual interest (excess) fell by more than 25% of the prior filed day's (V12): withdrawals are not "
    "on the form, so this asks whether a withdrawal needed pre-approval and notice.",
    notice="review: a withdrawal of more than 25% of residual interest not for customers needs written pre-approval "
    "and immediate notice to the CFTC and the DSRO",
)
NOT_FILING = Rule(
    "not-filing",
    question="firm",
    tier="basic",
    severity="warning",
    scope="history",
    citation="17 CFR 1.32(d); 1.12(c)",
    description=f"No filing for {NOT_FILING_DAYS} business days or more before the as-of date (the latest End Date in the "
    "store, or --as-of) while others file.",
    notice="if the daily computation was not prepared, notice the same day (17 CFR 1.12(c))",
)
MISSING_DAY = Rule(
    "missing-day",
    question="firm",
    tier="basic",
    severity="warning",
    scope="history",
    citation="17 CFR 1.32(d); 22.2(g)(3); 30.7(l)(3)",
    description="A business day with no filing: between the firm's first and last filing watched, or (the dead-man check of "
    f"`monitor --notify`) one of the first {NOT_FILING_DAYS} after its last filing whose due time has passed.",
)
AMENDED = Rule(
    "amended",
    question="firm",
    tier="basic",
    severity="notice",
    scope="history",
    citation="17 CFR 1.55(o)(2)",
    description="A filing was amended; the finding lists the lines the amendment changed.",
    notice="postings of the data must mark it as amended (17 CFR 1.55(o)(2))",
)
UNUSUAL_MOVE = Rule(
    "unusual-move",
    question="firm",
    tier="basic",
    severity="notice",
    scope="history",
    citation="dailyseg (robust z score)",
    description="An unusual day-over-day move in a requirement or funds line (robust z score over the trailing 20 "
    "filed days beyond 5, and at least $1,000,000).",
)
INITIAL_MISSING = Rule(
    "initial-missing",
    question="filing",
    tier="basic",
    severity="warning",
    scope="history",
    citation="form-spec 9; V15",
    description="An AMENDED filing with no INITIAL for the same End Date and form in the store.",
)

RULES = (DRAWDOWN, NOT_FILING, MISSING_DAY, AMENDED, UNUSUAL_MOVE, INITIAL_MISSING)

Dated = tuple[date, Finding]


@dataclass(frozen=True)
class UnusualMoveRule:
    """The definition of an unusual day-over-day move (see the module docstring)."""

    window: int = 20
    min_history: int = 10
    threshold: Decimal = Decimal(5)
    min_move: Decimal = Decimal(1_000_000)

    def describe(self) -> str:
        return (
            f"robust z-score of the daily change against the trailing {self.window} filed days (at least {self.min_history}) "
            f"beyond {self.threshold}, and a change of at least {format_amount(self.min_move)}"
        )


def drawdowns(firm_id: str, records: Sequence[tuple[date, Filing]]) -> Iterator[Dated]:
    previous: Filing | None = None
    for day, filing in records:
        for statement in CATALOGUE.statements:
            excess = filing.get(statement.excess)
            prior = previous.get(statement.excess) if previous is not None else None
            if excess is None or prior is None or prior <= 0 or excess >= prior * (1 - DRAWDOWN_SHARE):
                continue
            fall = prior - excess
            message = (
                f"{firm_id} {day}: {statement.id} residual interest fell {format_amount(fall)} ({fall * 100 / prior:.1f}%) "
                f"from {format_amount(prior)} the prior filed day"
            )
            hit = Hit(
                message,
                statement=statement.id,
                codes=(str(statement.excess),),
                expected=prior * (1 - DRAWDOWN_SHARE),
                actual=excess,
                difference=-fall,
            )
            yield day, DRAWDOWN.stamp(hit)
        previous = filing


def watched_lines(statement: Statement, layout: str) -> list[str]:
    """The requirement line and every coded funds line (funds section, without excess and target lines)."""
    skip = {str(statement.excess), str(statement.target), str(statement.excess_over_target)}
    funds = [
        row.ref
        for section in statement.sections_in(layout)
        if section.id == "funds"
        for row in section.rows
        if row.ref and row.code is not None and layout in row.layouts and row.ref not in skip
    ]
    return [str(statement.requirement), *funds]


def _median(values: Sequence[Decimal]) -> Decimal:
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def robust_z(change: Decimal, history: Sequence[Decimal]) -> Decimal | None:
    """0.6745 * (change - median) / MAD of `history`; None when the MAD is zero and change differs."""
    centre = _median(history)
    spread = _median([abs(x - centre) for x in history])
    if spread == 0:
        return Decimal(0) if change == centre else None
    return _Z * (change - centre) / spread


def unusual_moves(
    series: Sequence[tuple[date, Decimal | None]], rule: UnusualMoveRule
) -> Iterator[tuple[date, Decimal, Decimal, Decimal | None]]:
    """(day, change, value, z) for each unusual move in a series of filed values (None: the line was not filed)."""
    changes: list[Decimal] = []
    previous: Decimal | None = None
    for day, value in series:
        if value is not None and previous is not None:
            change = value - previous
            history = changes[-rule.window :]
            if len(history) >= rule.min_history and abs(change) >= rule.min_move:
                z = robust_z(change, history)
                if z is None or abs(z) > rule.threshold:
                    yield day, change, value, z
            changes.append(change)
        previous = value


# Each statement's watched lines in each layout, listed once: `moves` asks for them of every filing.
_WATCHED = {(s.id, layout): tuple(watched_lines(s, layout)) for s in CATALOGUE.statements for layout in CATALOGUE.layouts}


def moves(firm_id: str, records: Sequence[tuple[date, Filing]], rule: UnusualMoveRule) -> Iterator[Dated]:
    layouts = {filing.layout for _, filing in records}
    for statement in CATALOGUE.statements:
        codes = {ref for layout in layouts for ref in _WATCHED[(statement.id, layout)]}
        for code in sorted(codes):
            # Watched lines are catalogue keys already, so each filing's amounts are read without `key_of`.
            for day, change, value, z in unusual_moves([(d, f.amounts.get(code)) for d, f in records], rule):
                score = "unbounded (flat history)" if z is None else f"{z:.1f}"
                message = (
                    f"{firm_id} {day}: {statement.id} {code} moved {format_amount(change)} to {format_amount(value)}; "
                    f"robust z {score} (unusual: {rule.describe()})"
                )
                yield day, UNUSUAL_MOVE.stamp(Hit(message, statement=statement.id, codes=(code,), actual=value, difference=change))


def missing_days(firm_id: str, filed: Iterable[date], start: date | None, end: date | None) -> Iterator[Dated]:
    days = sorted(set(filed))
    if not days:
        return
    present = set(days)
    for day in business_days(max(start or days[0], days[0]), min(end or days[-1], days[-1])):
        if day not in present:
            yield day, MISSING_DAY.stamp(Hit(f"{firm_id} {day}: no filing for this business day"))


def not_filing(firm_id: str, last_filed: date, as_of: date) -> Iterator[Dated]:
    """The firm's silence up to `as_of`, dated at its last filing and counted in business days since."""
    silent = [d for d in business_days(last_filed, as_of) if d > last_filed]
    if len(silent) >= NOT_FILING_DAYS:
        message = f"{firm_id}: no filing for {len(silent)} business days since {last_filed} (as of {as_of})"
        hit = Hit(message, expected=f"a filing for each business day to {as_of}", actual=f"last End Date {last_filed}", since=silent[0])
        yield as_of, NOT_FILING.stamp(hit)


class Change(Protocol):
    """A line an amendment changed (`dailyseg.store.diff.LineChange`)."""

    @property
    def code(self) -> str: ...
    def describe(self) -> str: ...


@dataclass(frozen=True)
class Revision:
    """One version of a day, with the lines it changed against the version before it (none for the first)."""

    status: str
    filing_id: int
    changes: Sequence[Change] = ()


def amendments(firm_id: str, day: date, versions: Sequence[Revision]) -> Iterator[Dated]:
    """Each further version of a day; `versions` are in their proper order (INITIAL first, then by Submit Date)."""
    if versions and all(v.status.upper() == "AMENDED" for v in versions):
        first = versions[0].filing_id
        yield day, INITIAL_MISSING.stamp(Hit(f"{firm_id} {day}: AMENDED filing {first} and no INITIAL for this day in the store"))
    for position, version in enumerate(versions[1:], start=2):
        changes = version.changes
        listed = "; ".join(c.describe() for c in changes[:_MAX_CHANGES_LISTED])
        more = f" and {len(changes) - _MAX_CHANGES_LISTED} more" if len(changes) > _MAX_CHANGES_LISTED else ""
        what = f"changed {listed}{more}" if changes else "changed no amount"
        message = f"{firm_id} {day}: version {position} ({version.status}, filing {version.filing_id}) {what}"
        yield day, AMENDED.stamp(Hit(message, codes=tuple(c.code for c in changes)))
