"""Migration 0010 (a notice kept with a daily close), on SQLite (batch mode) and PostgreSQL: down to 0009 and up
again keeps every filing's notice; refused, changing nothing, while a close's notice is kept."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import inspect

from dailyseg.store import Store
from dailyseg.store.notices import draft_for_close, draft_for_filing, get_notice, list_notices
from dailyseg.store.synthetic import daily_filing
from dailyseg.store.workflow import draft
from tests.close.conftest import Team
from tests.store.test_fast_ingest import _migrate

pytestmark = pytest.mark.slow  # people sign in with Argon2

DAY = date(2024, 3, 4)


def _shape(store: Store) -> tuple[set[str], set[str]]:
    """The notices table's columns and its unique constraints of an event (withdrawal_id's is named by the database)."""
    with store.engine.connect() as conn:
        found = inspect(conn)
        unique = {str(u["name"]) for u in found.get_unique_constraints("notices") if str(u["name"]).startswith("uq_notices_")}
        return {c["name"] for c in found.get_columns("notices")}, unique


def test_down_to_0009_and_up_again_keeps_the_filings_notices(team: Team) -> None:
    filing = daily_filing("Acme Futures LLC", DAY, requirement=Decimal(1_000_000), funds=Decimal(900_000))
    filing_id = team.store.ingest_filing(filing, source="test").filing_id
    assert filing_id is not None
    kept = draft_for_filing(team.store, team.pat, filing_id, kinds=["deficiency"])
    columns, unique = _shape(team.store)
    assert "close_id" in columns and unique == {"uq_notices_filing_event", "uq_notices_close_event"}

    _migrate(team.store, "0009")
    columns, unique = _shape(team.store)
    assert "close_id" not in columns and "uq_notices_close_event" not in unique and "uq_notices_filing_event" in unique
    with Store.open(team.store.engine.url.render_as_string(hide_password=False)) as reopened:  # upgraded again
        assert "close_id" in _shape(reopened)[0]
        assert [get_notice(reopened, n.id) for n in kept] == kept and list_notices(reopened) == kept


def test_down_from_0010_is_refused_while_a_close_keeps_a_notice(team: Team) -> None:
    filing = daily_filing("Acme Futures LLC", DAY, requirement=Decimal(1_000_000), funds=Decimal(900_000))
    close = draft(team.store, team.pat, filing, source="test", errors=[])
    kept = draft_for_close(team.store, team.pat, close.id, kinds=["deficiency"])[0]  # of one of its three classes
    before = _shape(team.store)
    with pytest.raises(RuntimeError, match="notices are kept with daily closes: a schema before 0010 cannot hold them"):
        _migrate(team.store, "0009")
    assert _shape(team.store) == before and get_notice(team.store, kept.id) == kept
