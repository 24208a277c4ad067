"""Cancelling a recorded withdrawal: who cancelled it, when and why (docs/withdrawals.md).

A withdrawal not yet executed may be cancelled (state `cancelled`); it then no longer counts toward its series'
25% (17 CFR 1.23(c)-(d)), and its 1.23(d) notice, if not sent, says it is not to be sent. The row is kept, never
deleted, so the log and the ledger still show what was asked for.

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision: str | None = "0007"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    with op.batch_alter_table("withdrawals") as table:
        table.add_column(
            sa.Column("cancelled_by", sa.Integer, sa.ForeignKey("users.id", name="fk_withdrawals_cancelled_by"), nullable=True)
        )
        table.add_column(sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True))
        table.add_column(sa.Column("cancel_reason", sa.Text, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("withdrawals") as table:
        for column in ("cancel_reason", "cancelled_at", "cancelled_by"):
            table.drop_column(column)
