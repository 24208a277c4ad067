"""The daily close: four eyes, error findings, immutability, amendments, due times; on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

import dailyseg
from dailyseg.calendar import due_at, is_late
from dailyseg.checks import validate
from dailyseg.filing import Filing
from dailyseg.store import workflow
from dailyseg.store.audit import entries, verify
from dailyseg.store.ingest import content_hash
from dailyseg.store.workflow import Refused
from tests.close.conftest import Team

pytestmark = pytest.mark.slow  # each test signs people in with Argon2 (about a second each): runs in the full suite, not in the fast tier


def _errors(filing: Filing) -> list[str]:
    return [f"{f.rule}: {f.message}" for f in validate(filing) if f.severity == "error"]


def _refused(kind: str, call: object, *args: object, **kwargs: object) -> str:
    with pytest.raises(Refused) as caught:
        call(*args, **kwargs)  # type: ignore[operator]
    assert caught.value.kind == kind, caught.value
    return str(caught.value)


def test_the_close_from_draft_to_filed(team: Team, sample_filing: Filing) -> None:
    made = workflow.draft(team.store, team.pat, sample_filing, source="sample", errors=[])
    assert (made.state, made.prepared_by, made.content_hash) == ("draft", "pat", content_hash(sample_filing))
    reviewed = workflow.review(team.store, team.quinn, made.id, [("7040", "ties to the ledger"), (None, "fine")])
    assert reviewed.state == "reviewed" and [(c.author, c.code) for c in reviewed.comments] == [("quinn", "7040"), ("quinn", None)]
    approved = workflow.approve(team.store, team.sam, made.id)
    assert (approved.state, approved.approved_by) == ("approved", "sam")
    at = datetime(2013, 7, 26, 15, 59, tzinfo=UTC)  # 11:59 in New York
    filed = workflow.file(team.store, team.pat, made.id, at=at, reference="WJ-123")
    assert (filed.state, filed.filed_at, filed.reference, filed.late) == ("filed", at, "WJ-123", False)
    assert workflow.close_filing(team.store, made.id) == sample_filing
    log = entries(team.store)
    assert [(e.actor, e.action) for e in log if e.subject == f"close {made.id}"] == [
        ("pat", "draft"),
        ("quinn", "review"),
        ("sam", "approve"),
        ("pat", "file"),
    ]
    assert {e.content_hash for e in log if e.subject == f"close {made.id}"} == {made.content_hash}
    assert verify(team.store).ok


def test_four_eyes(team: Team, sample_filing: Filing) -> None:
    made = workflow.draft(team.store, team.both, sample_filing, source="sample", errors=[])
    assert "both made close" in _refused("denied", workflow.review, team.store, team.both, made.id)
    _refused("denied", workflow.review, team.store, team.sam, made.id)  # a signer only: not a preparer
    _refused("denied", workflow.draft, team.store, team.sam, sample_filing, source="sample", errors=[])
    _refused("conflict", workflow.approve, team.store, team.sam, made.id)  # not reviewed yet
    workflow.review(team.store, team.pat, made.id)
    assert "both made close" in _refused("denied", workflow.approve, team.store, team.both, made.id)
    _refused("denied", workflow.approve, team.store, team.quinn, made.id)  # a preparer only: not a signer
    assert workflow.get_close(team.store, made.id).state == "reviewed"
    assert workflow.approve(team.store, team.sam, made.id).state == "approved"


def test_error_findings_block_approval_unless_overridden(team: Team, broken_path: Path) -> None:
    filing = dailyseg.read(broken_path).filing
    errors = _errors(filing)
    assert errors
    made = workflow.draft(team.store, team.pat, filing, source=str(broken_path), errors=errors)
    workflow.review(team.store, team.quinn, made.id)
    assert "error findings" in _refused("errors", workflow.approve, team.store, team.sam, made.id)
    _refused("invalid", workflow.approve, team.store, team.sam, made.id, "   ")
    approved = workflow.approve(team.store, team.sam, made.id, "the DSRO agreed the rounding by phone")
    assert approved.override_reason == "the DSRO agreed the rounding by phone"
    (entry,) = [e for e in entries(team.store) if e.action == "approve"]
    assert entry.detail["override"] == "the DSRO agreed the rounding by phone"


def test_an_approved_filing_is_never_changed_only_replaced(team: Team, sample_filing: Filing, broken_path: Path) -> None:
    first = workflow.draft(team.store, team.pat, sample_filing, source="sample", errors=[])
    workflow.review(team.store, team.quinn, first.id)
    workflow.approve(team.store, team.sam, first.id)
    changed = dailyseg.read(broken_path).filing
    second = workflow.draft(team.store, team.pat, changed, source="changed", errors=_errors(changed))
    assert second.id != first.id and second.state == "draft"
    old = workflow.get_close(team.store, first.id)
    assert old.state == "superseded" and old.content_hash == first.content_hash
    assert workflow.close_filing(team.store, first.id) == sample_filing
    _refused("conflict", workflow.file, team.store, team.pat, first.id)
    (entry,) = [e for e in entries(team.store) if e.subject == f"close {second.id}"]
    assert entry.detail["superseded"] == [first.id]


def test_a_filed_filing_is_changed_only_by_an_amendment(team: Team, sample_filing: Filing) -> None:
    _refused("invalid", workflow.draft, team.store, team.pat, sample_filing, source="s", errors=[], amend_reason="typo")
    first = workflow.draft(team.store, team.pat, sample_filing, source="sample", errors=[])
    workflow.review(team.store, team.quinn, first.id)
    workflow.approve(team.store, team.sam, first.id)
    workflow.file(team.store, team.pat, first.id)
    assert "amendment" in _refused("conflict", workflow.draft, team.store, team.pat, sample_filing, source="again", errors=[])
    _refused("invalid", workflow.draft, team.store, team.pat, sample_filing, source="s", errors=[], amend_reason=" ")
    amendment = workflow.draft(team.store, team.pat, sample_filing, source="again", errors=[], amend_reason="7040 was mistyped")
    assert (amendment.status, amendment.amends, amendment.amend_reason) == ("AMENDED", first.id, "7040 was mistyped")
    assert workflow.get_close(team.store, first.id).state == "filed"
    workflow.review(team.store, team.quinn, amendment.id)
    workflow.approve(team.store, team.sid, amendment.id)
    assert workflow.file(team.store, team.both, amendment.id).state == "filed"
    assert [e.action for e in entries(team.store, firm_id="citigroup-global-markets")][-4:] == ["amend", "review", "approve", "file"]


def test_nothing_moves_backwards_or_twice(team: Team, sample_filing: Filing) -> None:
    made = workflow.draft(team.store, team.pat, sample_filing, source="sample", errors=[])
    workflow.review(team.store, team.quinn, made.id)
    _refused("conflict", workflow.review, team.store, team.quinn, made.id)
    _refused("invalid", workflow.review, team.store, team.quinn, 999)
    _refused("invalid", workflow.file, team.store, team.pat, made.id, at=datetime(2999, 1, 1, tzinfo=UTC))


def test_due_at_noon_new_york_of_the_next_business_day() -> None:
    assert due_at(date(2013, 7, 25)).isoformat() == "2013-07-26T12:00:00-04:00"  # Thursday: Friday, EDT
    assert due_at(date(2013, 7, 26)).isoformat() == "2013-07-29T12:00:00-04:00"  # Friday: Monday
    assert due_at(date(2013, 7, 3)).isoformat() == "2013-07-05T12:00:00-04:00"  # Independence Day between
    assert due_at(date(2013, 12, 20)).isoformat() == "2013-12-23T12:00:00-05:00"  # EST
    assert not is_late(date(2013, 7, 25), datetime(2013, 7, 26, 15, 59, 59, tzinfo=UTC))
    assert is_late(date(2013, 7, 25), datetime(2013, 7, 26, 16, 0, 1, tzinfo=UTC))
    assert is_late(date(2013, 7, 25), date(2013, 7, 29)) and not is_late(date(2013, 7, 25), date(2013, 7, 26))  # a day alone
