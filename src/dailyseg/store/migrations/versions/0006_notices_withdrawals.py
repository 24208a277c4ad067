"""Notices and residual-interest withdrawals.

`withdrawals` is the ledger of withdrawals of a firm's own funds (residual interest) from each class: amount
in its currency and in US dollars (integer cents), recipient, purpose, time, whether for customers, the prior
business day's computation it was measured against and what that decided (17 CFR 1.23(b)-(d), 30.7(g),
22.17(b)-(c)), and who recorded, approved and executed it. `notices` holds each drafted notice (17 CFR 1.12(h),
1.12(j), 1.23(d)) with its filing or withdrawal, its fields as JSON text, and when and by whom it was sent
(docs/notices.md, docs/withdrawals.md).

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision: str | None = "0005"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "withdrawals",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("firm_id", sa.String(300), nullable=False),
        sa.Column("firm_name", sa.String(300), nullable=False),
        sa.Column("statement", sa.String(20), nullable=False),
        sa.Column("cents", sa.BigInteger, nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("usd_cents", sa.BigInteger, nullable=False),
        sa.Column("recipient", sa.Text, nullable=False),
        sa.Column("purpose", sa.Text, nullable=False),
        sa.Column("for_customers", sa.Boolean, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("basis_date", sa.Date, nullable=False),
        sa.Column("basis", sa.String(40), nullable=True),
        sa.Column("residual_cents", sa.BigInteger, nullable=True),
        sa.Column("target_cents", sa.BigInteger, nullable=True),
        sa.Column("series_cents", sa.BigInteger, nullable=False),
        sa.Column("needs_approval", sa.Boolean, nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("recorded_by", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("approved_by", sa.Integer, sa.ForeignKey("users.id"), nullable=True),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("executed_by", sa.Integer, sa.ForeignKey("users.id"), nullable=True),
        sa.Column("executed_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_withdrawals_series", "withdrawals", ["firm_id", "statement", "basis_date"])
    op.create_table(
        "notices",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("filing_id", sa.Integer, sa.ForeignKey("filings.id"), nullable=True),
        sa.Column("withdrawal_id", sa.Integer, sa.ForeignKey("withdrawals.id"), nullable=True, unique=True),
        sa.Column("firm_id", sa.String(300), nullable=False),
        sa.Column("statement", sa.String(20), nullable=False),
        sa.Column("end_date", sa.Date, nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("drafted_by", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("drafted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_by", sa.Integer, sa.ForeignKey("users.id"), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sent_reference", sa.String(200), nullable=True),
        sa.UniqueConstraint("filing_id", "kind", "statement", name="uq_notices_filing_event"),
    )
    op.create_index("ix_notices_firm_date", "notices", ["firm_id", "end_date"])


def downgrade() -> None:
    for table in ("notices", "withdrawals"):
        op.drop_table(table)
