"""A firm's status: the rule ids the monitor finds about it as of a day, worst first.

The status is not a judgment of its own: it is the set of rules whose findings concern the firm now, taken
from `watch` over a short look-back, as of the latest End Date in the store (or a day the caller names):

* every event on the latest filing of record (a deficiency, excess below target, a late INITIAL);
* every error on the latest filing of record (the latest filing has errors: it does not foot, say);
* every event of the rules over time dated within the last `RECENT_DAYS` business days (a drawdown, an
  unusual move, a missing day, an amendment);
* not-filing, when the firm's latest filing is `NOT_FILING_DAYS` business days or more before the as-of day.

Firms are listed worst first: by the rank of their worst finding (events before defects, then severity,
then the registry's order), then by name.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from dailyseg.calendar import business_days
from dailyseg.checks import REGISTRY, Finding, Hit
from dailyseg.checks.history import NOT_FILING
from dailyseg.standing import Standing, standing, standings
from dailyseg.store.store import Store
from dailyseg.watch.monitor import Observation, WatchLatest, as_of_date, watch_latest

RECENT_DAYS = 5
# Enough filed days before the latest for the rules over time (the unusual-move window is 20 filed days).
LOOK_BACK_DAYS = 30
# Calendar days before a day that those filed days take, at most.
LOOK_BACK = timedelta(days=LOOK_BACK_DAYS * 7 // 5 + 7)
# The days of events the overview's feed shows unless asked for more, each with the look-back before it. A
# status is judged over the same days, so that the feed's part of a firm and its status are one watch of it
# (web/cache.py): the longer look-back changes no current finding, only lets a run that began earlier than
# the look-back carry its first day as `since` a little further back.
FEED_DAYS = 10
STATUS_WINDOW = LOOK_BACK + timedelta(days=FEED_DAYS - 1)


@dataclass(frozen=True)
class StatementFigures:
    """A statement of the latest filing of record, with the excess's change from the prior filed day."""

    standing: Standing
    excess_change: Decimal | None

    def value(self, name: str) -> Decimal | None:
        """A figure by name: a key line of the standing, `excess_percent`, `over_target` or `excess_change`."""
        found = self.excess_change if name == "excess_change" else getattr(self.standing, name)
        return found if isinstance(found, Decimal) or found is None else None


@dataclass(frozen=True)
class FirmStatus:
    firm_id: str
    name: str
    latest_end_date: date | None
    as_of: date | None
    statements: dict[str, StatementFigures]
    findings: tuple[Observation, ...]

    @property
    def status(self) -> tuple[str, ...]:
        """The rule ids of the firm's current findings, worst first, each once."""
        return tuple(dict.fromkeys(o.finding.rule for o in self.findings))

    @property
    def worst(self) -> tuple[int, int, int] | None:
        return REGISTRY.rank(self.findings[0].finding) if self.findings else None


def _current(finding: Finding, day: date, latest: date, recent: date) -> bool:
    if finding.rule == NOT_FILING.id:
        return True
    if day == latest:
        return finding.is_event or finding.severity == "error"
    return finding.is_event and finding.rule in _OVER_TIME and day >= recent


_OVER_TIME = frozenset(r.id for r in REGISTRY.values() if r.scope == "history")


def firm_status(store: Store, firm: str, as_of: date | None = None, watch: WatchLatest = watch_latest) -> FirmStatus | None:
    """The status of one firm as of `as_of` (default: the latest End Date in the store); None if unknown."""
    firm_id = store.resolve(firm)
    if firm_id is None:
        return None
    judged_at = as_of or as_of_date(store)
    last = store.latest_end_date(firm_id)
    end = min(last, judged_at) if last is not None and judged_at is not None else last
    if end is None:
        return None
    # Only the latest filing's defects are reported (below): the earlier records are judged by the events alone.
    watched = watch(store, firm_id, end - STATUS_WINDOW, end, judged_at)
    records = watched.records
    if not records:
        return None
    version, filing = records[-1]
    prior = records[-2][1] if len(records) > 1 else None
    figures = {}
    for sid, place in standings(filing).items():
        before = standing(prior, sid).excess if prior is not None else None
        change = place.excess - before if place.excess is not None and before is not None else None
        figures[sid] = StatementFigures(place, change)
    recent = (business_days(end - timedelta(days=RECENT_DAYS * 2 + 7), end)[-RECENT_DAYS:] or [end])[0]
    current = [o for o in watched.observations if _current(o.finding, o.end_date, version.end_date, recent)]
    ordered = sorted(current, key=lambda o: (*REGISTRY.rank(o.finding), -o.end_date.toordinal()))
    return FirmStatus(firm_id, version.firm_name, version.end_date, judged_at, figures, tuple(ordered))


def by_worst_finding(statuses: Iterable[FirmStatus]) -> list[FirmStatus]:
    """Firms worst first (by their worst finding's rank), firms with nothing to report last, by name."""
    return sorted(statuses, key=lambda s: (s.worst is None, s.worst or (0, 0, 0), s.name.lower(), s.firm_id))


def firm_statuses(store: Store, as_of: date | None = None) -> list[FirmStatus]:
    """Every firm's status, worst first."""
    judged_at = as_of or as_of_date(store)
    return by_worst_finding(s for s in (firm_status(store, firm_id, judged_at) for firm_id in store.firm_ids()) if s is not None)


# -- kept in the store (store/answers.py): a status and the monitor's observations as JSON, and back ---------
# Amounts are the exact `str(Decimal)` (a finding's expected or actual value may also be a text, so an amount
# is written as {"amount": ...}); dates are ISO 8601. A finding is stamped again by its rule, as every finding
# is made, from the hit it was stamped from: its citation kept, the rule's declared facts its own.


def status_to_json(status: FirmStatus | None) -> str:
    if status is None:
        return "null"
    return json.dumps(
        {
            "firm_id": status.firm_id,
            "name": status.name,
            "latest_end_date": day_text(status.latest_end_date),
            "as_of": day_text(status.as_of),
            "statements": {sid: figures_data(f) for sid, f in status.statements.items()},
            "findings": [observation_data(o) for o in status.findings],
        }
    )


def status_from_json(text: str) -> FirmStatus | None:
    data = json.loads(text)
    if data is None:
        return None
    return FirmStatus(
        data["firm_id"],
        data["name"],
        day_of(data["latest_end_date"]),
        day_of(data["as_of"]),
        {sid: figures_of(f) for sid, f in data["statements"].items()},
        tuple(observation_of(o) for o in data["findings"]),
    )


def observation_data(observation: Observation) -> dict[str, Any]:
    f = observation.finding
    return {
        "firm_id": observation.firm_id,
        "end_date": observation.end_date.isoformat(),
        "rule": f.rule,
        "statement": f.statement,
        "codes": list(f.codes),
        "message": f.message,
        "expected": _value_data(f.expected),
        "actual": _value_data(f.actual),
        "difference": _amount_text(f.difference),
        "citation": f.citation,
        "since": day_text(f.since),
    }


def observation_of(data: dict[str, Any]) -> Observation:
    hit = Hit(
        message=data["message"],
        statement=data["statement"],
        codes=tuple(data["codes"]),
        expected=_value(data["expected"]),
        actual=_value(data["actual"]),
        difference=_amount(data["difference"]),
        since=day_of(data["since"]),
        citation=data["citation"],
    )
    return Observation(data["firm_id"], date.fromisoformat(data["end_date"]), REGISTRY[data["rule"]].stamp(hit))


def figures_data(figures: StatementFigures) -> dict[str, Any]:
    s = figures.standing
    return {
        "statement": s.statement,
        "requirement": _amount_text(s.requirement),
        "funds": _amount_text(s.funds),
        "excess": _amount_text(s.excess),
        "target": _amount_text(s.target),
        "target_source": s.target_source,
        "over_target": _amount_text(s.over_target),
        "excess_change": _amount_text(figures.excess_change),
    }


def figures_of(data: dict[str, Any]) -> StatementFigures:
    place = Standing(
        data["statement"],
        _amount(data["requirement"]),
        _amount(data["funds"]),
        _amount(data["excess"]),
        _amount(data["target"]),
        data["target_source"],
        _amount(data["over_target"]),
    )
    return StatementFigures(place, _amount(data["excess_change"]))


def _amount_text(amount: Decimal | None) -> str | None:
    return None if amount is None else str(amount)


def _amount(text: str | None) -> Decimal | None:
    return None if text is None else Decimal(text)


def _value_data(value: Decimal | str | None) -> dict[str, str] | str | None:
    return {"amount": str(value)} if isinstance(value, Decimal) else value


def _value(data: dict[str, str] | str | None) -> Decimal | str | None:
    return Decimal(data["amount"]) if isinstance(data, dict) else data


def day_text(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


def day_of(text: str | None) -> date | None:
    return None if text is None else date.fromisoformat(text)
