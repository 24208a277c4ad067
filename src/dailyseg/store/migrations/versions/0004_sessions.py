"""Sign-in sessions and failed sign-ins.

`web_sessions` is one row per signed-in browser: the SHA-256 of its session id (the id itself is only in the
browser's cookie, so a copy of the table signs no one in), its user, when it began and when it was last
used (the web app ends it after its idle timeout or its lifetime). `sign_in_failures` is each failed
sign-in, by the name typed and the client address, so that repeated failures lock sign-in out for a while
on every process of the server (docs/web-sign-in.md).

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision: str | None = "0003"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "web_sessions",
        sa.Column("id_hash", sa.String(64), primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("address", sa.String(100), nullable=False),
    )
    op.create_index("ix_web_sessions_user_id", "web_sessions", ["user_id"])
    op.create_table(
        "sign_in_failures",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("address", sa.String(100), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_sign_in_failures_name", "sign_in_failures", ["name"])
    op.create_index("ix_sign_in_failures_address", "sign_in_failures", ["address"])


def downgrade() -> None:
    op.drop_table("sign_in_failures")
    op.drop_table("web_sessions")
