"""The JSON shapes of the daily close, in `dailyseg.shapes`' style: what `dailyseg close|review|approve|file|amend
--format json` and `dailyseg closes --format json` write, and what `/api/closes` answers.

One model for both, so the same store gives the same JSON from the command line and from the API. It sits
beside `dailyseg.shapes` rather than under `dailyseg.web` because the command line writes it too and should
not import the web application to do so. Amounts (in the figures of one close) are strings; times are ISO 8601.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from dailyseg.serial import filing_to_dict
from dailyseg.shapes import FILING, Shape, _iso

if TYPE_CHECKING:
    from dailyseg.filing import Filing
    from dailyseg.store.audit import LogEntry
    from dailyseg.store.workflow import Close, Comment


class CommentOut(Shape):
    author: str = Field(description="the reviewer who wrote it")
    code: str | None = Field(description="the catalogue code of the line it is on (none: on the whole filing)")
    text: str
    at: str = Field(description="when it was written, UTC")

    @classmethod
    def of(cls, comment: Comment) -> CommentOut:
        return cls(author=comment.author, code=comment.code, text=comment.text, at=comment.at.isoformat())


class CloseOut(Shape):
    """One close: its filing's header, where it is in draft -> reviewed -> approved -> filed, who did each step,
    its due time and whether it was late, the error findings the signer faced and the reviewers' comments."""

    id: int = Field(description="the close's id (GET /api/closes/{close_id})")
    firm_id: str
    firm: str = Field(description="the Firm Name as the draft holds it")
    form: str
    end_date: str
    status: str = Field(description='"INITIAL", or "AMENDED" for an amendment of a filed day')
    state: str = Field(description='"draft", "reviewed", "approved", "filed", or "superseded" by a newer draft of the day')
    content_hash: str = Field(description="SHA-256 of the draft's canonical JSON, as the audit log records it")
    errors: list[str] = Field(description="the error findings recorded with the draft (approval needs an override while there are any)")
    prepared_by: str = Field(description="the preparer who made the draft")
    created_at: str = Field(description="when the draft was made, UTC")
    reviewed_by: str | None
    approved_by: str | None
    override_reason: str | None = Field(description="the signer's written reason for approving despite error findings")
    filed_by: str | None
    filed_at: str | None = Field(description="when it was submitted to the CFTC and the DSRO, UTC")
    reference: str | None = Field(description="the filing system's reference for the submission")
    amends: int | None = Field(description="the filed close this one amends")
    amend_reason: str | None
    due_at: str = Field(description="noon America/New_York of the next business day")
    late: bool = Field(description="filed after its due time, or not filed and past it")
    comments: list[CommentOut]

    @classmethod
    def fields_of(cls, c: Close) -> dict[str, Any]:
        """The fields, for the shapes that extend this one."""
        return {
            "id": c.id,
            "firm_id": c.firm_id,
            "firm": c.firm_name,
            "form": c.form,
            "end_date": c.end_date.isoformat(),
            "status": c.status,
            "state": c.state,
            "content_hash": c.content_hash,
            "errors": list(c.errors),
            "prepared_by": c.prepared_by,
            "created_at": c.created_at.isoformat(),
            "reviewed_by": c.reviewed_by,
            "approved_by": c.approved_by,
            "override_reason": c.override_reason,
            "filed_by": c.filed_by,
            "filed_at": _iso(c.filed_at),
            "reference": c.reference,
            "amends": c.amends,
            "amend_reason": c.amend_reason,
            "due_at": c.due_at.isoformat(),
            "late": c.late,
            "comments": [CommentOut.of(m) for m in c.comments],
        }

    @classmethod
    def of(cls, c: Close) -> CloseOut:
        return cls(**cls.fields_of(c))


class StepOut(Shape):
    """A step as the audit log recorded it: the log, not the close's row, says when a review or an approval happened."""

    action: str = Field(description='"draft", "amend", "review", "approve" or "file"')
    actor: str
    at: str = Field(description="when, UTC")
    seq: int = Field(description="the audit log entry (dailyseg audit log)")

    @classmethod
    def of(cls, entry: LogEntry) -> StepOut:
        return cls(action=entry.action, actor=entry.actor, at=entry.at.isoformat(), seq=entry.seq)


class CloseDetail(CloseOut):
    """One close with each step's time (from the audit log) and its figures."""

    steps: list[StepOut] = Field(description="every step taken on this close, in order")
    filing: dict[str, Any] = Field(description=FILING)

    @classmethod
    def with_filing(cls, c: Close, steps: Iterable[LogEntry], filing: Filing) -> CloseDetail:
        return cls(**cls.fields_of(c), steps=[StepOut.of(e) for e in steps], filing=filing_to_dict(filing))


# -- what the API's steps take ------------------------------------------------------------------------------


def _no_nul(text: str) -> str:
    """PostgreSQL's text holds no NUL character: refused here (422), not by the database (500)."""
    if "\x00" in text:
        raise ValueError("must not hold a NUL character")
    return text


Said = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=10_000), AfterValidator(_no_nul)]
Reference = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), AfterValidator(_no_nul)]
Code = Annotated[str, StringConstraints(pattern=r"^[0-9]{1,12}$")]


class StepIn(BaseModel):
    """A field the API does not know is refused (422), so a misspelt `override` never approves without one."""

    model_config = ConfigDict(extra="forbid")


class CommentIn(StepIn):
    code: Code | None = Field(None, description="the catalogue code of the line commented on, e.g. 7040 (none: the whole filing)")
    text: Said


class ReviewIn(StepIn):
    comments: list[CommentIn] = Field([], description="comments on lines or on the whole filing (as `dailyseg review --comment`)")


class ApproveIn(StepIn):
    override: Said | None = Field(None, description="the written reason for approving despite error findings (as `--override`)")


class FileIn(StepIn):
    at: str | None = Field(
        None, description="when it was submitted, ISO 8601 (YYYY-MM-DDTHH:MM, New York's clock without an offset); default now"
    )
    reference: Reference | None = Field(None, description="the filing system's reference for the submission")


class AmendIn(StepIn):
    books: str = Field(description="the name of books the server knows (`serve --books NAME=DIR`), of the filed day")
    reason: Said = Field(description="why the filed filing is amended (kept in the log)")
