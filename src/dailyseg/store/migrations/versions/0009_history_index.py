"""Faster history and ingest: the filing heads' index covers the history query, and on SQLite the values are
kept in the order of their primary key.

`ix_filings_key_date_status` (firm name key, End Date, status) replaces `ix_filings_key_date` (firm name key,
End Date): everything that used the old index still can (it is its prefix), and a firm's history reads its
heads, with the status that decides the filing of record, from the index alone, without visiting the rows.

On SQLite, `filing_values` becomes a WITHOUT ROWID table: its rows are stored in the B-tree of its primary key
(filing id, code) instead of in a rowid table beside a separate index of that key, so writing a value updates
one B-tree instead of two, and reading a filing's value by code (the history query, a filing's contents) is
one lookup instead of two. SQLite cannot change that in place, so the table is copied. PostgreSQL keeps its
heap table and primary key index: only the heads' index changes there.

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision: str | None = "0008"
branch_labels: str | None = None
depends_on: str | None = None

_VALUE_COLUMNS = "filing_id, code, statement, cents, label"


def upgrade() -> None:
    op.drop_index("ix_filings_key_date", table_name="filings")
    op.create_index("ix_filings_key_date_status", "filings", ["name_key", "end_date", "status"])
    if op.get_bind().dialect.name == "sqlite":
        _copy_values(with_rowid=False)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _copy_values(with_rowid=True)
    op.drop_index("ix_filings_key_date_status", table_name="filings")
    op.create_index("ix_filings_key_date", "filings", ["name_key", "end_date"])


def _copy_values(*, with_rowid: bool) -> None:
    """`filing_values` rebuilt as a rowid or a WITHOUT ROWID table, with every row it holds."""
    op.create_table(
        "filing_values_copy",
        sa.Column("filing_id", sa.Integer, sa.ForeignKey("filings.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("code", sa.String(12), primary_key=True),
        sa.Column("statement", sa.String(20), nullable=False),
        sa.Column("cents", sa.BigInteger, nullable=False),
        sa.Column("label", sa.Text, nullable=False, server_default=""),
        sqlite_with_rowid=with_rowid,
    )
    op.execute(f"INSERT INTO filing_values_copy ({_VALUE_COLUMNS}) SELECT {_VALUE_COLUMNS} FROM filing_values")
    op.drop_table("filing_values")
    op.rename_table("filing_values_copy", "filing_values")
