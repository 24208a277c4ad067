"""Notices kept with a daily close (docs/notices.md).

A firm that finds a deficiency or funds below its target in its own computation, before it files, drafts the
notice there: the notice then belongs to the close (`close_id`), as a stored filing's belongs to its filing.
A close's figures are written once, so its notice of an event is drafted once per event and statement
(`uq_notices_close_event`, as `uq_notices_filing_event` for a filing). The close is never deleted, so neither
is the link: filing the close later leaves its notice with it.

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision: str | None = "0009"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    with op.batch_alter_table("notices") as table:
        table.add_column(sa.Column("close_id", sa.Integer, sa.ForeignKey("closes.id", name="fk_notices_close_id"), nullable=True))
        table.create_unique_constraint("uq_notices_close_event", ["close_id", "kind", "statement"])


def downgrade() -> None:
    """Refused while a close's notice is kept: without `close_id` it would belong to nothing, and a notice, with
    its place in the audit log, is never deleted."""
    kept = op.get_bind().execute(sa.text("SELECT count(*) FROM notices WHERE close_id IS NOT NULL")).scalar()
    if kept:
        raise RuntimeError(f"{kept} notices are kept with daily closes: a schema before 0010 cannot hold them, so it is not downgraded")
    with op.batch_alter_table("notices") as table:
        table.drop_constraint("uq_notices_close_event", type_="unique")
        table.drop_column("close_id")
