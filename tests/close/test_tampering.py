"""`audit verify` names what a database administrator changed behind the application's back, on both databases."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import insert, select, text, update

from dailyseg.filing import Filing
from dailyseg.store import StoreError, workflow
from dailyseg.store.audit import GENESIS, entry_hash, utc, verify
from dailyseg.store.packed import CENT_BYTES, Lines
from dailyseg.store.tables import audit_head, audit_log, filing_amounts, value_lines
from tests.close.conftest import Team

pytestmark = pytest.mark.slow  # each test signs people in with Argon2 (about a second each): runs in the full suite, not in the fast tier


@pytest.fixture
def closed(team: Team, sample_filing: Filing, sample_path: Path) -> Iterator[Team]:
    """A filed close and an ingested filing: entries 1-6 add users, 7-10 the close, 11 the ingest."""
    made = workflow.draft(team.store, team.pat, sample_filing, source="sample", errors=[])
    workflow.review(team.store, team.quinn, made.id)
    workflow.approve(team.store, team.sam, made.id)
    workflow.file(team.store, team.pat, made.id)
    team.store.ingest_path(sample_path, actor="pat")
    assert verify(team.store).ok
    yield team


def _sql(team: Team, *statements: str) -> None:
    with team.store.engine.begin() as conn:
        for statement in statements:
            conn.execute(text(statement))


def test_an_untouched_log_verifies(closed: Team) -> None:
    found = verify(closed.store)
    assert found.ok and found.entries == 11 and found.head != GENESIS


def test_a_changed_entry_is_named(closed: Team) -> None:
    with closed.store.engine.begin() as conn:
        detail = json.loads(conn.execute(text("SELECT detail FROM audit_log WHERE seq = 7")).scalar_one())
        detail["values"] = 81
        conn.execute(text("UPDATE audit_log SET detail = :d WHERE seq = 7"), {"d": json.dumps(detail)})
    found = verify(closed.store)
    assert found.broken is not None and (found.broken.seq, found.broken.kind) == (7, "changed")
    assert "entry 7 was changed" in found.broken.message


def test_a_changed_amount_in_a_close_is_named(closed: Team) -> None:
    _sql(closed, "UPDATE close_values SET cents = cents + 100 WHERE close_id = 1 AND code = '7190'")
    found = verify(closed.store)
    assert found.broken is None
    assert [m.subject for m in found.mismatches] == ["close 1"]
    assert "close 1 no longer matches its recorded content" in found.mismatches[0].message


def _change_amounts(team: Team, change: Callable[[bytes, Lines], bytes]) -> None:
    """Rewrite filing 1's packed cents (store/packed.py) as `change` gives them."""
    with team.store.engine.begin() as conn:
        lines_id, cents = conn.execute(
            select(filing_amounts.c.lines_id, filing_amounts.c.cents).where(filing_amounts.c.filing_id == 1)
        ).one()
        lines = Lines.read(conn.execute(select(value_lines.c.lines).where(value_lines.c.id == lines_id)).scalar_one())
        conn.execute(update(filing_amounts).where(filing_amounts.c.filing_id == 1).values(cents=change(bytes(cents), lines)))


def test_a_changed_amount_of_a_stored_filing_is_named(closed: Team) -> None:
    def zero_7040(cents: bytes, lines: Lines) -> bytes:
        at = CENT_BYTES * lines.place["7040"]
        assert cents[at : at + CENT_BYTES] != bytes(CENT_BYTES)  # the sample's 7040 is not zero
        return cents[:at] + bytes(CENT_BYTES) + cents[at + CENT_BYTES :]

    _change_amounts(closed, zero_7040)
    assert [m.subject for m in verify(closed.store).mismatches] == ["filing 1"]


def test_stored_amounts_that_no_longer_read_are_named(closed: Team) -> None:
    """Regression for the packed layout: cents cut short are a mismatch in `audit verify`, and one line naming
    the filing (not a traceback) where the filing is read."""
    _change_amounts(closed, lambda cents, lines: cents[:-3])
    assert [m.subject for m in verify(closed.store).mismatches] == ["filing 1"]
    with pytest.raises(StoreError, match=r"stored amounts of filing 1 do not read: \d+ bytes of cents for \d+ lines"):
        closed.store.get(1)
    (firm,) = closed.store.firm_ids()
    with pytest.raises(StoreError, match="stored amounts of filing 1 do not read"):
        closed.store.history_columns(firm, ["7040"])


def test_a_changed_content_hash_column_is_named(closed: Team) -> None:
    _sql(closed, f"UPDATE closes SET content_hash = '{'f' * 64}' WHERE id = 1")
    assert [m.subject for m in verify(closed.store).mismatches] == ["close 1"]


def test_a_deleted_entry_is_named(closed: Team) -> None:
    _sql(closed, "DELETE FROM audit_log WHERE seq = 8")
    found = verify(closed.store)
    assert found.broken is not None and (found.broken.seq, found.broken.kind) == (9, "deleted")
    assert "an entry before entry 9 was deleted" in found.broken.message


def test_a_deleted_last_entry_is_named(closed: Team) -> None:
    _sql(closed, "DELETE FROM audit_log WHERE seq = 11")
    found = verify(closed.store)
    assert found.broken is not None and found.broken.kind == "truncated"
    assert "entries after entry 10 were deleted" in found.broken.message


def test_two_swapped_entries_are_named(closed: Team) -> None:
    _sql(
        closed,
        "UPDATE audit_log SET seq = 1000 WHERE seq = 8",
        "UPDATE audit_log SET seq = 8 WHERE seq = 9",
        "UPDATE audit_log SET seq = 9 WHERE seq = 1000",
    )
    found = verify(closed.store)
    assert found.broken is not None and (found.broken.seq, found.broken.kind) == (8, "reordered")
    assert "entry 8 is out of order" in found.broken.message


def test_an_inserted_entry_is_named(closed: Team) -> None:
    """Even one hashed correctly after the entry it follows: the entry after it still points past it."""
    with closed.store.engine.begin() as conn:
        before = conn.execute(select(audit_log).where(audit_log.c.seq == 8)).one()
        for seq in range(11, 8, -1):
            conn.execute(text("UPDATE audit_log SET seq = :new WHERE seq = :old"), {"new": seq + 1, "old": seq})
        detail = '{"via":"password"}'
        at = utc(before.at)
        forged = entry_hash(before.entry_hash, at, "sid", "approve", None, None, "close 1", None, detail)
        row = {"seq": 9, "at": at, "actor": "sid", "action": "approve", "subject": "close 1", "detail": detail}
        conn.execute(insert(audit_log).values(row | {"prev_hash": before.entry_hash, "entry_hash": forged}))
    found = verify(closed.store)
    assert found.broken is not None and (found.broken.seq, found.broken.kind) == (9, "inserted")
    assert "entry 9 was inserted" in found.broken.message


def test_a_close_written_behind_the_applications_back_is_named(closed: Team) -> None:
    with closed.store.engine.begin() as conn:
        columns = (
            "name_key, firm_name, form, end_date, status, submit_date, layout, statements, cover, content_hash, source, error_findings"
        )
        conn.execute(
            text(
                f"INSERT INTO closes ({columns}, state, prepared_by, created_at) "
                f"SELECT {columns}, 'approved', prepared_by, created_at FROM closes WHERE id = 1"
            )
        )
    found = verify(closed.store)
    assert [m.subject for m in found.mismatches] == ["close 2"]
    assert "no event in the audit log" in found.mismatches[0].message


def test_a_state_or_signer_changed_without_its_event_is_named(closed: Team) -> None:
    _sql(closed, "UPDATE closes SET approved_by = 6 WHERE id = 1")
    (mismatch,) = verify(closed.store).mismatches
    assert mismatch.subject == "close 1" and "approved_by both" in mismatch.message and "approved_by sam" in mismatch.message


def test_a_rewritten_chain_is_named_by_a_head_kept_elsewhere(closed: Team) -> None:
    """A chain rewritten from entry 10 on, every hash recomputed, verifies alone; the head kept earlier does not."""
    kept = verify(closed.store).head
    with closed.store.engine.begin() as conn:
        rows = conn.execute(select(audit_log).where(audit_log.c.seq >= 10).order_by(audit_log.c.seq)).all()
        previous = conn.execute(select(audit_log.c.entry_hash).where(audit_log.c.seq == 9)).scalar_one()
        for row in rows:
            actor = "sid" if row.seq == 10 else row.actor
            new = entry_hash(previous, utc(row.at), actor, row.action, row.firm_id, row.end_date, row.subject, row.content_hash, row.detail)
            conn.execute(update(audit_log).where(audit_log.c.seq == row.seq).values(actor=actor, prev_hash=previous, entry_hash=new))
            previous = new
        conn.execute(update(audit_head).values(last_hash=previous))
    assert verify(closed.store).broken is None
    found = verify(closed.store, [kept])
    assert found.broken is not None and found.broken.kind == "rewritten" and kept in found.broken.message
