"""The shipped migrations build exactly the tables the code declares, on both databases."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from dailyseg.store import Store
from dailyseg.store.migrate import SCHEMA_REVISION, script_directory
from dailyseg.store.tables import metadata


def test_schema_revision_is_the_head() -> None:
    assert script_directory().get_current_head() == SCHEMA_REVISION


def test_migrated_schema_matches_the_tables(store_url: str) -> None:
    with Store.open(store_url) as store, store.engine.connect() as conn:
        context = MigrationContext.configure(conn)
        assert context.get_current_revision() == SCHEMA_REVISION
        assert compare_metadata(context, metadata) == []
    Store.open(store_url).close()  # opening again is a no-op
