"""What the pages say of a notice's sending, and the link beside an event's banner to the notice it requires.

A notice says DRAFT — NOT SENT until a person records its sending (`dailyseg.store.notices.mark_sent`); the pages say
only what the store holds, in the words of `notices.render`, and the time on New York's clock.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from dailyseg.calendar import FILING_ZONE
from dailyseg.notices.draft import FILING_EVENTS
from dailyseg.notices.render import DRAFT_STATUS, WITHDRAWN_STATUS
from dailyseg.store.notices import Notice

DRAFT_IT = "Draft the notice"


def sent_at(notice: Notice) -> str:
    """When the notice was sent (New York time), or its draft status (withdrawn: its withdrawal was cancelled)."""
    if notice.sent_at is None:
        return WITHDRAWN_STATUS if notice.withdrawn is not None else DRAFT_STATUS
    return notice.sent_at.astimezone(FILING_ZONE).strftime("%Y-%m-%d %H:%M %Z")


@dataclass(frozen=True)
class NoticeLink:
    """The notice of one event of a filing (its rule and statement): the stored one, or none drafted yet."""

    kind: str
    statement: str | None
    notice_id: int | None
    text: str

    @property
    def href(self) -> str | None:
        return f"/notices/{self.notice_id}" if self.notice_id is not None else None


def notice_link(kind: str, statement: str | None, kept: Mapping[tuple[str, str | None], Notice]) -> NoticeLink | None:
    """The link of an event that requires a notice (None for one that does not): "Notice: DRAFT — NOT SENT" or
    "Notice sent <time>" to the notice kept, else "Draft the notice"."""
    if kind not in FILING_EVENTS:
        return None
    found = kept.get((kind, statement))
    if found is None:
        return NoticeLink(kind, statement, None, DRAFT_IT)
    return NoticeLink(kind, statement, found.id, f"Notice sent {sent_at(found)}" if found.sent else f"Notice: {DRAFT_STATUS}")
