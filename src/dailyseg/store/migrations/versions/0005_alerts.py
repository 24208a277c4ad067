"""Alert subscriptions and their deliveries.

`alert_subscriptions` says who hears about what: a firm (none: every firm), the event rule ids (empty: every
event), the first End Date it wants events of (none: any) and one channel, a webhook (URL and the secret its
bodies are signed with) or e-mail (addresses).
A removed subscription keeps its row (`removed_at`), so the delivery log still names it.

`alert_deliveries` is the delivery log and the queue at once: one row per (event, subscription), unique, so an
event found again by a later run is never queued twice. It keeps the body as first sent (a retry sends the
same bytes), the state (pending, delivered, failed), the attempts made, when the next one is due, the last
error and when it was delivered (docs/alerts.md).

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision: str | None = "0004"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "alert_subscriptions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("firm_id", sa.String(300), nullable=True),
        sa.Column("rules", sa.Text, nullable=False, server_default=""),
        sa.Column("from_date", sa.Date, nullable=True),
        sa.Column("channel", sa.String(20), nullable=False),
        sa.Column("target", sa.Text, nullable=False),
        sa.Column("secret", sa.String(200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_table(
        "alert_deliveries",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("event_id", sa.String(64), nullable=False),
        sa.Column("subscription_id", sa.Integer, sa.ForeignKey("alert_subscriptions.id"), nullable=False),
        sa.Column("firm_id", sa.String(300), nullable=False),
        sa.Column("rule", sa.String(40), nullable=False),
        sa.Column("end_date", sa.Date, nullable=False),
        sa.Column("statement", sa.String(20), nullable=True),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text, nullable=True),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("event_id", "subscription_id", name="uq_alert_deliveries_event"),
    )
    op.create_index("ix_alert_deliveries_due", "alert_deliveries", ["state", "next_attempt_at"])


def downgrade() -> None:
    op.drop_index("ix_alert_deliveries_due", "alert_deliveries")
    for table in ("alert_deliveries", "alert_subscriptions"):
        op.drop_table(table)
