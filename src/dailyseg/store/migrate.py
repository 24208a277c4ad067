"""Bringing a database to the newest schema with the Alembic migrations shipped inside the package.

No alembic.ini or env.py is needed: the migration scripts are found with importlib.resources and run on
the store's own connection, in one transaction (PostgreSQL and SQLite both have transactional DDL), so a
failed upgrade leaves the previous schema intact. Alembic takes about a second to import, so a database
already at `SCHEMA_REVISION` is recognised with one query and Alembic is loaded only to migrate (a test
checks that `SCHEMA_REVISION` is the head of the migration scripts).
"""

from __future__ import annotations

from importlib import resources
from typing import TYPE_CHECKING, Any

from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine

from dailyseg.store.tables import metadata

if TYPE_CHECKING:
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

SCHEMA_REVISION = "0014"


def script_directory() -> ScriptDirectory:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(resources.files("dailyseg.store").joinpath("migrations")))
    return ScriptDirectory.from_config(config)


def _is_current(engine: Engine) -> bool:
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return False
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == SCHEMA_REVISION


def upgrade(engine: Engine) -> None:
    """Run every migration the database lacks (none when it is current)."""
    if _is_current(engine):
        return
    from alembic.config import Config
    from alembic.runtime.environment import EnvironmentContext

    script = script_directory()

    def steps(revision: Any, context: MigrationContext) -> Any:
        return script._upgrade_revs("head", revision)

    with engine.begin() as connection:
        environment = EnvironmentContext(Config(), script, fn=steps, destination_rev="head")
        with environment:
            environment.configure(connection=connection, target_metadata=metadata, fn=steps, transactional_ddl=True)
            environment.run_migrations()
