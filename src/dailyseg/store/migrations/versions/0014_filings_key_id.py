"""A firm's revision in one index lookup: `ix_filings_key_id` (firm name key, filing id).

A firm's revision is the largest id of its filings (`Store.firm_revision`, `firm_revisions`). The heads'
index (name key, End Date, status) gives a name key's rows but not in id order, so the largest id was found
by reading every filing of the name (2,516 index entries for ten years), and every firm's revision, which a
server reads after each filing stored anywhere, by reading the whole index: 8 ms at 60 firms x 10 years on
SQLite, where this index makes it 0.05 ms.

The firm page no longer keeps a firm's days as an answer of their own (it reads its range's version heads),
so the answers of that kind kept before are deleted: nothing reads them, and nothing else would (a firm's
answers of a kind are replaced only when that kind is kept again). Downgrading leaves them deleted: they are
judged again when asked, as after any filing.

Revision ID: 0014
Revises: 0013
"""

from __future__ import annotations

from alembic import op

revision = "0014"
down_revision: str | None = "0013"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_index("ix_filings_key_id", "filings", ["name_key", "id"])
    op.execute("DELETE FROM firm_answers WHERE kind = 'days'")


def downgrade() -> None:
    op.drop_index("ix_filings_key_id", table_name="filings")
