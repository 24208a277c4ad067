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

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from dailyseg.calendar import business_days
from dailyseg.checks import REGISTRY, Finding, Selection
from dailyseg.checks.history import NOT_FILING
from dailyseg.standing import Standing, standing, standings
from dailyseg.store.store import Store
from dailyseg.watch.monitor import Observation, UnusualMoveRule, as_of_date, watch_firm

RECENT_DAYS = 5
# Enough filed days before the latest for the rules over time (the unusual-move window is 20 filed days).
LOOK_BACK_DAYS = 30


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


def firm_status(store: Store, firm: str, as_of: date | None = None) -> FirmStatus | None:
    """The status of one firm as of `as_of` (default: the latest End Date in the store); None if unknown."""
    firm_id = store.resolve(firm)
    if firm_id is None:
        return None
    judged_at = as_of or as_of_date(store)
    last = store.latest_end_date(firm_id)
    end = min(last, judged_at) if last is not None and judged_at is not None else last
    if end is None:
        return None
    start = end - timedelta(days=LOOK_BACK_DAYS * 7 // 5 + 7)
    watched = watch_firm(store, firm_id, start, end, selection=Selection(), unusual=UnusualMoveRule(), as_of=judged_at)
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
