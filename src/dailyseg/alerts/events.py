"""An event's identity across runs, and the body every channel sends about it.

The monitor finds the same event again on every run (a deficiency on 2024-03-04 stays one), and its words
may change between releases, so the identity is built from what names the condition and never from the
message: the firm, the rule id, the End Date and the statement (as the monitor keys an event's run of days),
and the codes, which tell apart the findings one rule makes for one statement and day (an unusual move in
7010 and another in 7060). Findings that are defects of a filing (is the filing right?) are not events and
are never alerted.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import quote

from dailyseg.watch.monitor import Observation

# Where a subscriber's link points: the firm's findings page of `dailyseg serve`, under this address.
BASE_URL_ENV = "DAILYSEG_BASE_URL"
DEFAULT_BASE_URL = "http://127.0.0.1:8000"


def event_id(o: Observation) -> str:
    """The SHA-256 (hex) of the event's identity: the same event gets the same id on every run and machine."""
    f = o.finding
    identity = [o.firm_id, f.rule, o.end_date.isoformat(), f.statement, list(f.codes)]
    return hashlib.sha256(json.dumps(identity, separators=(",", ":")).encode("utf-8")).hexdigest()


def _text(value: Decimal | str | None) -> str | None:
    return None if value is None else str(value)


@dataclass(frozen=True)
class Event:
    """One event to alert about: the monitor's observation and its stable id."""

    id: str
    observation: Observation

    @property
    def firm_id(self) -> str:
        return self.observation.firm_id

    @property
    def rule(self) -> str:
        return self.observation.finding.rule

    def body(self, base_url: str) -> dict[str, Any]:
        """What is sent: amounts as exact strings, as everywhere in dailyseg, and a link to the firm's findings."""
        o, f = self.observation, self.observation.finding
        return {
            "event_id": self.id,
            "firm_id": o.firm_id,
            "rule": f.rule,
            "severity": f.severity,
            "statement": f.statement,
            "end_date": o.end_date.isoformat(),
            "since": f.since.isoformat() if f.since else None,
            "codes": list(f.codes),
            "message": f.message,
            "figures": {"expected": _text(f.expected), "actual": _text(f.actual), "difference": _text(f.difference)},
            "citation": f.citation,
            "notice": f.notice,
            "link": f"{base_url.rstrip('/')}/firms/{quote(o.firm_id, safe='')}/findings",
        }


def events_of(observations: Iterable[Observation]) -> list[Event]:
    """The events among the monitor's findings, each once (the first of any two with the same identity)."""
    found: dict[str, Event] = {}
    for o in observations:
        if o.finding.is_event:
            found.setdefault(event_id(o), Event(event_id(o), o))
    return list(found.values())
