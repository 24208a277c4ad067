"""CFTC text columns kept as text, and NFA's public FCM summaries.

`cftc_texts` holds the columns of a CFTC row that are words, not amounts: the yes/no "B/D?" flag (moved
here from `cftc_values`, where it was stored as 1 or 0 under "flag:broker_dealer", as "Y" or "N" under the
same field) and every column no field stands for ("other:" and its header's words, which can be long, hence
300 characters like a name key). `nfa_rows` is one NFA summary of one firm, pool and as-of date, with its
amounts in `nfa_values` (integer cents) and its percentages of funds in `nfa_shares` (integer hundredths of
a percent, so 45.25% is 4525).

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None

_FLAGS = "field LIKE 'flag:%'"


def upgrade() -> None:
    op.create_table(
        "cftc_texts",
        sa.Column("row_id", sa.Integer, sa.ForeignKey("cftc_rows.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("field", sa.String(300), primary_key=True),
        sa.Column("text", sa.Text, nullable=False),
    )
    op.execute(
        "INSERT INTO cftc_texts (row_id, field, text) "
        f"SELECT row_id, field, CASE WHEN cents <> 0 THEN 'Y' ELSE 'N' END FROM cftc_values WHERE {_FLAGS}"
    )
    op.execute(f"DELETE FROM cftc_values WHERE {_FLAGS}")
    op.create_table(
        "nfa_rows",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name_key", sa.String(300), nullable=False),
        sa.Column("firm_name", sa.String(300), nullable=False),
        sa.Column("nfa_id", sa.String(20), nullable=False, server_default=""),
        sa.Column("pool", sa.String(20), nullable=False),
        sa.Column("as_of", sa.Date, nullable=False),
        sa.Column("line", sa.Integer, nullable=False),
        sa.Column("row_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_nfa_rows_key_date", "nfa_rows", ["name_key", "as_of"])
    op.create_table(
        "nfa_values",
        sa.Column("row_id", sa.Integer, sa.ForeignKey("nfa_rows.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("field", sa.String(40), primary_key=True),
        sa.Column("cents", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "nfa_shares",
        sa.Column("row_id", sa.Integer, sa.ForeignKey("nfa_rows.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("breakdown", sa.String(20), primary_key=True),
        sa.Column("label", sa.String(300), primary_key=True),
        sa.Column("hundredths", sa.Integer, nullable=False),
    )


def downgrade() -> None:
    for table in ("nfa_shares", "nfa_values", "nfa_rows"):
        op.drop_table(table)
    op.execute(
        "INSERT INTO cftc_values (row_id, field, cents) "
        f"SELECT row_id, field, CASE WHEN text = 'Y' THEN 1 ELSE 0 END FROM cftc_texts WHERE {_FLAGS}"
    )
    op.drop_table("cftc_texts")
