"""Reconciliations with depository confirmations.

`confirmations` keeps, for each firm and confirmation date, one row per balance (depository, class, asset,
currency) that `dailyseg reconcile --db` compared: the books' and the depository's amounts in integer cents
and whether they matched. The unique key is the balance of the day: a rerun replaces the day's rows. The
stale-confirmation rule reads it (docs/alerts.md).

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision: str | None = "0006"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "confirmations",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("firm_id", sa.String(300), nullable=False),
        sa.Column("business_date", sa.Date, nullable=False),
        sa.Column("depository", sa.String(300), nullable=False),
        sa.Column("customer_class", sa.String(20), nullable=False),
        sa.Column("asset", sa.String(40), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("books_cents", sa.BigInteger, nullable=False),
        sa.Column("confirmed_cents", sa.BigInteger, nullable=False),
        sa.Column("matched", sa.Boolean, nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint(
            "firm_id", "business_date", "depository", "customer_class", "asset", "currency", name="uq_confirmations_balance"
        ),
    )


def downgrade() -> None:
    op.drop_table("confirmations")
