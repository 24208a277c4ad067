"""People, the daily close and the audit log.

`users` and `user_tokens` are who may act (roles viewer, preparer, signer, admin; tokens kept as their
SHA-256). `closes` is each draft of a firm's filing for a form and End Date on its way through the daily
close (draft, reviewed, approved, filed, or superseded), its amounts in `close_values` (integer cents, as
`filing_values`) and the reviewers' remarks in `close_comments`. `audit_log` is the SHA-256 chain of every
event, and `audit_head` its one-row head: the last entry's number and hash, starting from the genesis hash
(64 zeros), which every audited transaction updates first (docs/audit.md).

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision: str | None = "0002"
branch_labels: str | None = None
depends_on: str | None = None

GENESIS = "0" * 64


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(100), nullable=False, unique=True),
        sa.Column("password_hash", sa.Text, nullable=False),
        sa.Column("roles", sa.String(100), nullable=False, server_default=""),
        sa.Column("disabled", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "user_tokens",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_user_tokens_user_id", "user_tokens", ["user_id"])
    op.create_table(
        "closes",
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
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("error_findings", sa.Text, nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("prepared_by", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("reviewed_by", sa.Integer, sa.ForeignKey("users.id"), nullable=True),
        sa.Column("approved_by", sa.Integer, sa.ForeignKey("users.id"), nullable=True),
        sa.Column("filed_by", sa.Integer, sa.ForeignKey("users.id"), nullable=True),
        sa.Column("override_reason", sa.Text, nullable=True),
        sa.Column("amends", sa.Integer, sa.ForeignKey("closes.id"), nullable=True),
        sa.Column("amend_reason", sa.Text, nullable=True),
        sa.Column("filed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reference", sa.String(200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_closes_key_date", "closes", ["name_key", "end_date"])
    op.create_table(
        "close_values",
        sa.Column("close_id", sa.Integer, sa.ForeignKey("closes.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("code", sa.String(12), primary_key=True),
        sa.Column("statement", sa.String(20), nullable=False),
        sa.Column("cents", sa.BigInteger, nullable=False),
        sa.Column("label", sa.Text, nullable=False, server_default=""),
    )
    op.create_table(
        "close_comments",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("close_id", sa.Integer, sa.ForeignKey("closes.id", ondelete="CASCADE"), nullable=False),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("code", sa.String(12), nullable=True),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_close_comments_close_id", "close_comments", ["close_id"])
    op.create_table(
        "audit_log",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("firm_id", sa.String(300), nullable=True),
        sa.Column("end_date", sa.Date, nullable=True),
        sa.Column("subject", sa.String(100), nullable=True),
        sa.Column("content_hash", sa.String(64), nullable=True),
        sa.Column("detail", sa.Text, nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("entry_hash", sa.String(64), nullable=False, unique=True),
    )
    head = op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("last_seq", sa.Integer, nullable=False),
        sa.Column("last_hash", sa.String(64), nullable=False),
    )
    op.bulk_insert(head, [{"id": 1, "last_seq": 0, "last_hash": GENESIS}])


def downgrade() -> None:
    for table in ("audit_head", "audit_log", "close_comments", "close_values", "closes", "user_tokens", "users"):
        op.drop_table(table)
