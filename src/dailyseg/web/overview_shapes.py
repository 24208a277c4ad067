"""The JSON shapes of the overview (`GET /api/overview`, and the totals its chart draws), in `dailyseg.shapes`' style.

Amounts are strings holding the exact `str(Decimal)`; dates are ISO 8601. The totals are in the columns the
firm page's chart data uses (`ChartOut`: dates, parts, statements with their series), so the same script
draws them.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from dailyseg.catalogue import CATALOGUE
from dailyseg.shapes import EXACT, ChartEvent, ChartPart, ChartStatement, ObservationOut, Shape, _iso, _text
from dailyseg.web.overview_view import GROUP_TITLES, Board, BoardFirm, FeedEvent, Overview, Share, Totals


class BoardFirmOut(Shape):
    firm_id: str
    name: str
    latest_end_date: str | None = Field(description="the End Date of the firm's latest filing of record")
    status: list[str] = Field(description="rule ids of the firm's current findings, worst first (GET /api/firms)")
    filing_id: int | None = Field(description="the filing linked: the board day's filing of record, else the firm's latest (none: too old)")

    @classmethod
    def of(cls, entry: BoardFirm) -> BoardFirmOut:
        f = entry.firm
        latest = _iso(f.latest_end_date)
        return cls(firm_id=f.firm_id, name=f.name, latest_end_date=latest, status=list(f.status), filing_id=entry.filing_id)


class BoardOut(Shape):
    """Who filed the board's day, who did not, and who filed late, deficient or under target (from each firm's status)."""

    day: str = Field(description="the board's End Date: the as-of day of the firms' status")
    due_at: str = Field(description="when that day's statements were due (noon America/New_York of the next business day)")
    overdue: bool = Field(description="the due time had passed when the answer was made")
    counts: dict[str, int] = Field(description="firms in each group: " + ", ".join(GROUP_TITLES))
    groups: dict[str, list[BoardFirmOut]] = Field(description="the firms of each group, worst first")

    @classmethod
    def of(cls, board: Board, now: datetime) -> BoardOut:
        return cls(
            day=board.day.isoformat(),
            due_at=board.due.isoformat(),
            overdue=board.overdue(now),
            counts=board.counts,
            groups={group: [BoardFirmOut.of(e) for e in entries] for group, entries in board.groups.items()},
        )


class ShareOut(Shape):
    rank: int = Field(description="1 for the largest requirement of the statement")
    firm_id: str
    name: str
    latest_end_date: str | None
    requirement: str = Field(description=EXACT)
    funds: str | None = Field(description=EXACT)
    excess: str | None = Field(description=EXACT)
    share: str = Field(description="the requirement as a percentage of the total over firms, to two places")

    @classmethod
    def of(cls, share: Share) -> ShareOut:
        f = share.firm
        return cls(
            rank=share.rank,
            firm_id=f.firm_id,
            name=f.name,
            latest_end_date=_iso(f.latest_end_date),
            requirement=str(share.requirement),
            funds=_text(share.funds),
            excess=_text(share.excess),
            share=str(share.percent),
        )


class FeedEventOut(Shape):
    firm_name: str
    filing_id: int | None = Field(description="the filing of record of the event's End Date (none: no filing that day)")
    event: ObservationOut

    @classmethod
    def of(cls, event: FeedEvent) -> FeedEventOut:
        return cls(firm_name=event.firm_name, filing_id=event.filing_id, event=ObservationOut.of(event.observation))


class TotalsOut(Shape):
    """Requirement, funds and excess of each statement summed over firms, per End Date, as chart columns."""

    parts: list[ChartPart] = Field(description="the parts totalled, in order, with their labels")
    dates: list[str] = Field(description="the End Dates with at least one filing of record, in order")
    firms: list[int] = Field(description="how many firms' filings of record each date's totals add up")
    statements: dict[str, ChartStatement] = Field(description="by statement: the codes added and, by part, one exact total per date")
    events: dict[str, list[ChartEvent]] = Field(description="none: the totals mark no events (the feed lists them)")

    @classmethod
    def of(cls, found: Totals) -> TotalsOut:
        names = {s.id: s.name for s in CATALOGUE.statements}
        parts = next(iter(found.sums.values()), {})
        return cls(
            parts=[ChartPart(id=p, label="Total " + CATALOGUE.key_line_by_id[p].label.lower()) for p in parts],
            dates=[d.isoformat() for d in found.dates],
            firms=found.firms,
            statements={
                sid: ChartStatement(title=names[sid], codes=found.codes[sid], series={p: list(map(_text, vs)) for p, vs in series.items()})
                for sid, series in found.sums.items()
            },
            events={},
        )


class OverviewOut(Shape):
    """`GET /api/overview`: the day's board, each firm's share and rank, the totals over a range, the events feed."""

    as_of: str | None = Field(description="the day the firms' status is judged at (the latest End Date stored, or ?as_of=)")
    days: int = Field(description="the feed's length in calendar days, ending at as_of")
    board: BoardOut | None = Field(description="none: the store holds no filing")
    shares: dict[str, list[ShareOut]] = Field(description="by statement, firms ranked by requirement on their latest filing of record")
    share_totals: dict[str, str] = Field(description="by statement, the requirement summed over those firms, exact")
    totals: TotalsOut
    feed: list[FeedEventOut] = Field(description="every event of the last `days` days, newest first")

    @classmethod
    def of(cls, found: Overview, totals: Totals, now: datetime) -> OverviewOut:
        return cls(
            as_of=found.board.day.isoformat() if found.board else None,
            days=found.days,
            board=BoardOut.of(found.board, now) if found.board else None,
            shares={sid: [ShareOut.of(s) for s in listed] for sid, listed in found.shares.items()},
            share_totals={sid: str(total) for sid, total in found.share_totals.items()},
            totals=TotalsOut.of(totals),
            feed=[FeedEventOut.of(e) for e in found.feed],
        )
