"""A notice an event requires, drafted as a document: to whom, about what, the figures, and what a person must add.

The events that oblige a firm to write to the CFTC and its DSRO (form-spec 10) are rules of the registry: a
deficiency (17 CFR 1.12(h)), excess below the target or below the undermargined amount (1.12(j)), and a
withdrawal of more than 25% of residual interest (1.23(d), 30.7(g)(3)-(5), 22.17(c)). A draft takes its
citation and the obligation from that rule, its figures from the statement's key lines as `dailyseg.standing`
reads them and its shortfall from the rule's finding, so a notice cannot state a figure the rules did not see.

What only the firm knows (17 CFR 1.12(n): "how the reporting event originated and what steps have been, or
are being taken") is left as blanks for a person to complete; a draft never says it was sent (store.py keeps
that, set only by `mark_sent`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from dailyseg.catalogue import CATALOGUE
from dailyseg.checks import REGISTRY, Finding
from dailyseg.standing import Standing

# The rules whose events require a written notice, in the order notices are drafted.
FILING_EVENTS = ("deficiency", "below-undermargined", "below-target")
WITHDRAWAL_EVENT = "withdrawal-25"

TITLES = {
    "deficiency": "Notice of a deficiency in customer funds",
    "below-undermargined": "Notice of residual interest below the undermargined amount",
    "below-target": "Notice of funds below the targeted residual interest",
    "withdrawal-25": "Notice of a withdrawal of more than 25% of residual interest",
}

# 17 CFR 1.12(n): what the notice must discuss, which only the firm can write.
TO_STATE = (
    "How the reporting event originated",
    "What steps have been, or are being, taken to address it",
)
WITHDRAWAL_TO_STATE = ("Reasons for the withdrawal", *TO_STATE[1:])
COMPLIANCE = (
    "The firm represents that, after the withdrawal, it remains in compliance with the segregation or secured amount "
    "requirements of the class, and that the withdrawal was approved in writing before it was made by the firm's chief "
    "executive officer, chief financial officer or another principal with knowledge of the firm's financial requirements."
)
CFTC = "Commodity Futures Trading Commission"
SEC = "Securities and Exchange Commission (only if the firm is also a registered broker-dealer; 17 CFR 1.12(n))"
BLANK = "________________"


@dataclass(frozen=True)
class Figure:
    """One figure of a notice: its label, the form's code when it is a line of the statement, the amount."""

    label: str
    code: str
    amount: Decimal | None


@dataclass(frozen=True)
class Draft:
    """A notice's content as drafted: what is stored (as JSON) and what every rendering shows."""

    kind: str
    title: str
    citation: str
    obligation: str
    firm_id: str
    firm_name: str
    statement: str
    statement_name: str
    end_date: date
    event_at: datetime | None  # when the event happened, when known to the minute (a withdrawal's time)
    addressees: tuple[str, ...]
    event: str  # the finding's message
    figures: tuple[Figure, ...]
    facts: tuple[tuple[str, str], ...]  # further particulars (a withdrawal's amount, recipient, purpose)
    to_state: tuple[str, ...]  # blanks a person completes
    to_sign: str  # a statement a person signs ("" when none)

    def to_json(self) -> str:
        return json.dumps(asdict(self), default=_plain, ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> Draft:
        data = json.loads(text)
        figures = tuple(Figure(f["label"], f["code"], Decimal(f["amount"]) if f["amount"] is not None else None) for f in data["figures"])
        return cls(
            kind=data["kind"],
            title=data["title"],
            citation=data["citation"],
            obligation=data["obligation"],
            firm_id=data["firm_id"],
            firm_name=data["firm_name"],
            statement=data["statement"],
            statement_name=data["statement_name"],
            end_date=date.fromisoformat(data["end_date"]),
            event_at=datetime.fromisoformat(data["event_at"]) if data["event_at"] else None,
            addressees=tuple(data["addressees"]),
            event=data["event"],
            figures=figures,
            facts=tuple((label, value) for label, value in data["facts"]),
            to_state=tuple(data["to_state"]),
            to_sign=data["to_sign"],
        )


def _plain(value: object) -> str:
    """Amounts as their exact text, days and times in ISO 8601, as everywhere in dailyseg's JSON."""
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not kept in a notice")


def addressees(dsro: str | None) -> tuple[str, ...]:
    """The CFTC, the DSRO (named when the store knows it from the CFTC's table, else a blank) and, for a
    broker-dealer, the SEC."""
    return (CFTC, f"{dsro or BLANK} (designated self-regulatory organization)", SEC)


def key_figures(place: Standing) -> list[Figure]:
    """The statement's key lines (catalogue order and labels) as the standing reads them."""
    statement = CATALOGUE.statement_by_id[place.statement]
    return [Figure(k.label, statement.key_refs[k.id], getattr(place, _RENAMED.get(k.id, k.id))) for k in CATALOGUE.key_lines]


# Standing names its fields after the key lines, but for one.
_RENAMED = {"excess_over_target": "over_target"}


def _base(kind: str, finding: Finding, place: Standing, firm_id: str, firm_name: str, end_date: date, dsro: str | None) -> dict[str, Any]:
    rule = REGISTRY[kind]
    return {
        "kind": kind,
        "title": TITLES[kind],
        "citation": finding.citation,
        "obligation": rule.notice,
        "firm_id": firm_id,
        "firm_name": firm_name,
        "statement": place.statement,
        "statement_name": CATALOGUE.statement_by_id[place.statement].name,
        "end_date": end_date,
        "addressees": addressees(dsro),
        "event": finding.message,
    }


def filing_notice(finding: Finding, place: Standing, *, firm_id: str, firm_name: str, end_date: date, dsro: str | None) -> Draft:
    """The notice of an event found in a filing (a finding of one of FILING_EVENTS, on `place`'s statement).

    The shortfall is the finding's own difference, negated: the amount by which the funds miss the requirement,
    the target or the undermargined amount (whichever the rule measured against, `finding.expected`).
    """
    if finding.rule not in FILING_EVENTS:
        raise ValueError(f"rule {finding.rule} does not require a notice of a filing's event")
    figures = key_figures(place)
    if finding.rule == "below-undermargined" and isinstance(finding.expected, Decimal):
        figures.append(Figure("Undermargined amount", "", finding.expected))
    figures.append(Figure("Shortfall", "", -finding.difference if finding.difference is not None else None))
    base = _base(finding.rule, finding, place, firm_id, firm_name, end_date, dsro)
    facts = (("As of", f"the close of business on {end_date.isoformat()}"),)
    return Draft(**base, event_at=None, figures=tuple(figures), facts=facts, to_state=TO_STATE, to_sign="")


@dataclass(frozen=True)
class WithdrawalParticulars:
    """What the 1.23(d) notice states of a withdrawal, beside the prior day's figures."""

    amount: Decimal
    currency: str
    usd_amount: Decimal
    recipient: str
    purpose: str
    at: datetime
    day: date  # the business day it is made on (in the filing zone)
    series: Decimal
    estimated_after: Decimal
    short_of_target: Decimal | None


def withdrawal_notice(
    finding: Finding, place: Standing, basis: str, w: WithdrawalParticulars, *, firm_id: str, firm_name: str, dsro: str | None
) -> Draft:
    """The notice of a withdrawal that needs pre-approval (a withdrawal-25 finding), with the prior business day's
    computation (`place`, from `basis`, "close 3" or "filing 12") it was measured against."""
    amount = f"{w.amount} {w.currency}" + ("" if w.currency == "USD" else f" (USD {w.usd_amount})")
    facts = (
        ("Amount", amount),
        ("Recipient", w.recipient),
        ("Purpose", w.purpose),
        ("Time of the withdrawal", w.at.isoformat(timespec="minutes")),
        ("Measured against", f"the computation of {basis}"),
    )
    after = [
        Figure("Withdrawn in the series, this one included", "", w.series),
        Figure("Estimated residual interest after the withdrawal", "", w.estimated_after),
        Figure("Shortfall against the target after the withdrawal", "", w.short_of_target),
    ]
    base = _base(WITHDRAWAL_EVENT, finding, place, firm_id, firm_name, w.day, dsro)
    figures = (*key_figures(place), *after)
    return Draft(**base, event_at=w.at, figures=figures, facts=facts, to_state=WITHDRAWAL_TO_STATE, to_sign=COMPLIANCE)


def notices_of(
    findings: Sequence[Finding], standings: Mapping[str, Standing], *, firm_id: str, firm_name: str, end_date: date, dsro: str | None
) -> list[Draft]:
    """A draft for each finding of a filing that requires a notice, in the order of FILING_EVENTS."""
    wanted = sorted(
        (f for f in findings if f.rule in FILING_EVENTS and f.statement in standings), key=lambda f: FILING_EVENTS.index(f.rule)
    )
    return [
        filing_notice(f, standings[str(f.statement)], firm_id=firm_id, firm_name=firm_name, end_date=end_date, dsro=dsro) for f in wanted
    ]
