"""Watching firms over time: findings across a firm's filings of record, day after day.

Rules (ids as in `RULES`), each finding's message naming the firm and the End Date:

* deficiency    excess (7190 / 7380 / 8730) below zero on a filing of record.
* below-target  excess at or above zero but below the management target (7194 / 7780 / 8760).
* drawdown-25   excess fell by more than 25% of the prior filed day's excess (residual interest): the
                review trigger of 17 CFR 1.23(d), 30.7(g) and 22.17(c) (catalogue: residual_interest_rule).
* missing-day   a business day (dailyseg.calendar) between the first and last filing watched with no filing.
* late-initial  an INITIAL filing submitted after the next business day after its End Date.
* amended       a further version of a day, with the lines it changed against the version before it.
* unusual-move  a day-over-day change in a requirement line or a funds line that is unusual: its robust z
                score, 0.6745 * (change - median) / MAD over the changes of the trailing 20 filed days
                (at least 10 of them), exceeds 5 in absolute value, AND the change is at least $1,000,000.
                When the MAD is zero (a flat history) any change of that size counts. Medians resist the
                odd outlier in the window, so one earlier spike does not hide the next.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from itertools import pairwise
from typing import Any

from dailyseg.calendar import business_days
from dailyseg.catalogue import CATALOGUE, Severity, Statement
from dailyseg.checks import Finding
from dailyseg.filing import Filing
from dailyseg.money import format_amount
from dailyseg.store.diff import diff_filings
from dailyseg.store.store import Store, is_late
from dailyseg.store.types import FilingVersion


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


RULES: dict[str, tuple[Severity, str]] = {
    "deficiency": ("error", "Excess funds below zero: the firm holds less than it owes its customers."),
    "below-target": ("warning", "Excess below the firm's management target for residual interest."),
    "drawdown-25": ("warning", "Residual interest fell by more than 25% of the prior day's."),
    "missing-day": ("warning", "A business day with no filing."),
    "late-initial": ("warning", "An INITIAL filing submitted after the next business day."),
    "amended": ("notice", "A filing was amended; the finding lists what changed."),
    "unusual-move": ("notice", "An unusual day-over-day move in a requirement or funds line."),
}
_Z = Decimal("0.6745")
_MAX_CHANGES_LISTED = 8


@dataclass(frozen=True)
class Observation:
    """A finding with the firm and End Date it concerns."""

    firm_id: str
    end_date: date
    finding: Finding

    def to_dict(self) -> dict[str, Any]:
        return {"firm_id": self.firm_id, "end_date": self.end_date.isoformat()} | self.finding.to_dict()


def _finding(rule: str, statement: str | None, codes: Sequence[str], message: str, **values: Any) -> Finding:
    severity, _ = RULES[rule]
    citation = CATALOGUE.statement_by_id[statement].residual_interest_rule if rule == "drawdown-25" and statement else ""
    return Finding(rule, severity, statement, tuple(codes), message, citation=citation, **values)


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


def _level_findings(firm_id: str, days: Sequence[tuple[FilingVersion, Filing]]) -> Iterator[Observation]:
    previous: Filing | None = None
    for version, filing in days:
        day = version.end_date
        for statement in CATALOGUE.statements:
            excess = filing.get(statement.excess)
            if excess is None:
                continue
            target = filing.get(statement.target)
            name, code = statement.id, str(statement.excess)
            if excess < 0:
                message = f"{firm_id} {day}: {name} excess {format_amount(excess)} is a deficiency"
                yield Observation(firm_id, day, _finding("deficiency", name, [code], message, expected=">= 0", actual=excess))
            elif target is not None and excess < target:
                message = f"{firm_id} {day}: {name} excess {format_amount(excess)} is below the target {format_amount(target)}"
                yield Observation(
                    firm_id,
                    day,
                    _finding(
                        "below-target",
                        name,
                        [code, str(statement.target)],
                        message,
                        expected=target,
                        actual=excess,
                        difference=excess - target,
                    ),
                )
            prior = previous.get(statement.excess) if previous is not None else None
            if prior is not None and prior > 0 and excess < prior * Decimal("0.75"):
                fall = prior - excess
                message = (
                    f"{firm_id} {day}: {name} residual interest fell {format_amount(fall)} ({fall * 100 / prior:.1f}%) "
                    f"from {format_amount(prior)} the prior filed day"
                )
                yield Observation(
                    firm_id,
                    day,
                    _finding("drawdown-25", name, [code], message, expected=prior * Decimal("0.75"), actual=excess, difference=-fall),
                )
        previous = filing


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


def _move_findings(firm_id: str, days: Sequence[tuple[FilingVersion, Filing]], rule: UnusualMoveRule) -> Iterator[Observation]:
    for statement in CATALOGUE.statements:
        codes = {ref for _, filing in days for ref in watched_lines(statement, filing.layout)}
        for code in sorted(codes):
            for day, change, value, z in unusual_moves([(v.end_date, f.get(code)) for v, f in days], rule):
                score = "unbounded (flat history)" if z is None else f"{z:.1f}"
                message = (
                    f"{firm_id} {day}: {statement.id} {code} moved {format_amount(change)} to {format_amount(value)}; "
                    f"robust z {score} (unusual: {rule.describe()})"
                )
                yield Observation(firm_id, day, _finding("unusual-move", statement.id, [code], message, actual=value, difference=change))


def _version_findings(firm_id: str, versions: Sequence[FilingVersion], store: Store) -> Iterator[Observation]:
    by_day: dict[tuple[date, str], list[FilingVersion]] = {}
    for v in versions:
        by_day.setdefault((v.end_date, v.form), []).append(v)
        if v.status.upper() == "INITIAL" and is_late(v):
            message = f"{firm_id} {v.end_date}: INITIAL filing submitted {v.submit_date}, after the next business day"
            yield Observation(firm_id, v.end_date, _finding("late-initial", None, [], message, actual=str(v.submit_date)))
    for (day, _), group in sorted(by_day.items()):
        ordered = sorted(group, key=lambda v: v.version)
        for before, after in pairwise(ordered):
            changes = diff_filings(store.get(before.id)[1], store.get(after.id)[1])
            listed = "; ".join(c.describe() for c in changes[:_MAX_CHANGES_LISTED])
            more = f" and {len(changes) - _MAX_CHANGES_LISTED} more" if len(changes) > _MAX_CHANGES_LISTED else ""
            what = f"changed {listed}{more}" if changes else "changed no amount"
            message = f"{firm_id} {day}: version {after.version} ({after.status}, filing {after.id}) {what}"
            yield Observation(firm_id, day, _finding("amended", None, [c.code for c in changes], message))


def _missing_days(firm_id: str, filed: Iterable[date], start: date | None, end: date | None) -> Iterator[Observation]:
    days = sorted(set(filed))
    if not days:
        return
    present = set(days)
    for day in business_days(max(start or days[0], days[0]), min(end or days[-1], days[-1])):
        if day not in present:
            yield Observation(firm_id, day, _finding("missing-day", None, [], f"{firm_id} {day}: no filing for this business day"))


def watch(
    store: Store, firm: str | None = None, start: date | None = None, end: date | None = None, *, unusual: UnusualMoveRule | None = None
) -> list[Observation]:
    """Every finding for `firm` (or every firm) between `start` and `end`, by firm, date and rule."""
    rule = unusual or UnusualMoveRule()
    firm_ids = [store.require(firm)] if firm is not None else store.firm_ids()
    found: list[Observation] = []
    for firm_id in firm_ids:
        versions = store.filings(firm_id, start, end)
        days = store.record_filings(firm_id, start, end)
        found.extend(_level_findings(firm_id, days))
        found.extend(_move_findings(firm_id, days, rule))
        found.extend(_version_findings(firm_id, versions, store))
        found.extend(_missing_days(firm_id, (v.end_date for v in versions), start, end))
    order = list(RULES)
    return sorted(found, key=lambda o: (o.firm_id, o.end_date, order.index(o.finding.rule), o.finding.statement or "", o.finding.codes))


def monitor(store: Store, firm: str | None = None, start: date | None = None, end: date | None = None) -> list[Finding]:
    """The findings of `watch`, as plain `Finding` values (the Store API contract)."""
    return [o.finding for o in watch(store, firm, start, end)]
