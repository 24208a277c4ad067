"""The first schema: firm aliases, filing versions with their values, CFTC month-end rows.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "aliases",
        sa.Column("name_key", sa.String(300), primary_key=True),
        sa.Column("firm_id", sa.String(300), nullable=False),
    )
    op.create_index("ix_aliases_firm_id", "aliases", ["firm_id"])
    op.create_table(
        "filings",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name_key", sa.String(300), nullable=False),
        sa.Column("firm_name", sa.String(300), nullable=False),
        sa.Column("form", sa.String(100), nullable=False),
        sa.Column("end_date", sa.Date, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("submit_date", sa.Date, nullable=True),
        sa.Column("layout", sa.String(20), nullable=False),
        sa.Column("statements", sa.String(100), nullable=False),
        sa.Column("cover", sa.Text, nullable=True),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("value_count", sa.Integer, nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("document_hash", sa.String(64), nullable=True),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("stored_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("name_key", "form", "end_date", "version", name="uq_filings_version"),
    )
    op.create_index("ix_filings_key_date", "filings", ["name_key", "end_date"])
    op.create_table(
        "filing_values",
        sa.Column("filing_id", sa.Integer, sa.ForeignKey("filings.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("code", sa.String(12), primary_key=True),
        sa.Column("statement", sa.String(20), nullable=False),
        sa.Column("cents", sa.BigInteger, nullable=False),
        sa.Column("label", sa.Text, nullable=False, server_default=""),
    )
    op.create_table(
        "cftc_rows",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name_key", sa.String(300), nullable=False),
        sa.Column("firm_name", sa.String(300), nullable=False),
        sa.Column("as_of", sa.Date, nullable=False),
        sa.Column("registered_as", sa.String(100), nullable=False, server_default=""),
        sa.Column("dsro", sa.String(100), nullable=False, server_default=""),
        sa.Column("row_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_cftc_rows_key_date", "cftc_rows", ["name_key", "as_of"])
    op.create_table(
        "cftc_values",
        sa.Column("row_id", sa.Integer, sa.ForeignKey("cftc_rows.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("field", sa.String(40), primary_key=True),
        sa.Column("cents", sa.BigInteger, nullable=False),
    )


def downgrade() -> None:
    for table in ("cftc_values", "cftc_rows", "filing_values", "filings", "aliases"):
        op.drop_table(table)
