"""Every firm known by its closes is in the alias table, as a firm known by its filings is.

A close drafted before this revision did not record its firm's name key in `aliases` (storing a filing
did), so a firm whose closes were drafted before any of its filings was stored was unknown to every command
that names a firm. Each close's name key without an alias now gets the firm id the key gives, as drafting a
close does from this revision on (store/firms.py).

Downgrade leaves those aliases: revision 0011 reads them as it reads any other.

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from dailyseg.store.identity import firm_id_of

revision = "0012"
down_revision: str | None = "0011"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    bind = op.get_bind()
    aliases = sa.table("aliases", sa.column("name_key", sa.String), sa.column("firm_id", sa.String))
    closes = sa.table("closes", sa.column("name_key", sa.String))
    missing = sa.select(closes.c.name_key).distinct().where(closes.c.name_key.not_in(sa.select(aliases.c.name_key)))
    keys = sorted(str(key) for key in bind.execute(missing).scalars())
    if keys:
        bind.execute(sa.insert(aliases), [{"name_key": key, "firm_id": firm_id_of(key)} for key in keys])


def downgrade() -> None:
    pass
