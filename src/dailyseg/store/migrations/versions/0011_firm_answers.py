"""Answers judged from a firm's filings, kept once for every server process (store/answers.py).

`firm_answers` holds, per firm, kind of answer (its status, its part of the overview's feed, its chart data),
what else the answer depends on (the as-of day) and the firm's revision it was judged at, the answer as JSON.
Its primary key is the lookup, so a kept answer is one indexed read, and two processes that judge the same
answer at once both insert it without either failing or a second copy being kept.

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision: str | None = "0010"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "firm_answers",
        sa.Column("firm_id", sa.String(300), primary_key=True),
        sa.Column("kind", sa.String(20), primary_key=True),
        sa.Column("key", sa.String(80), primary_key=True),
        sa.Column("revision", sa.String(48), primary_key=True),
        sa.Column("body", sa.Text, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("firm_answers")
