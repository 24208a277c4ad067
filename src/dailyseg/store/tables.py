"""The store's tables (SQLAlchemy Core). The schema itself is created and changed only by the Alembic
migrations in `dailyseg.store.migrations`; a test checks that these definitions match them.

Amounts are integer cents in BIGINT columns: exact on every database and fast to sum. A filing row is
written once and never updated; its amounts live in `filing_amounts` (packed.py), written in the same transaction.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
)

metadata = MetaData()

# A normalised firm name key -> the firm it belongs to (see identity.py).
aliases = Table(
    "aliases",
    metadata,
    Column("name_key", String(300), primary_key=True),
    Column("firm_id", String(300), nullable=False, index=True),
)

filings = Table(
    "filings",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name_key", String(300), nullable=False),
    Column("firm_name", String(300), nullable=False),
    Column("form", String(100), nullable=False),
    Column("end_date", Date, nullable=False),
    Column("status", String(20), nullable=False),
    Column("submit_date", Date, nullable=True),
    Column("layout", String(20), nullable=False),
    Column("statements", String(100), nullable=False),
    Column("cover", Text, nullable=True),
    Column("version", Integer, nullable=False),
    Column("value_count", Integer, nullable=False),
    Column("content_hash", String(64), nullable=False, unique=True),
    Column("document_hash", String(64), nullable=True),
    Column("source", Text, nullable=False),
    Column("stored_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("name_key", "form", "end_date", "version", name="uq_filings_version"),
    Index("ix_filings_key_date_status", "name_key", "end_date", "status"),  # covers the history query (0009)
    Index("ix_filings_key_id", "name_key", "id"),  # a firm's revision, its largest filing id, in one lookup (0014)
)

# A filing's amounts (migration 0013, packed.py): the code, statement and label of each, in order, as JSON text
# kept once for every filing alike, under an id made from the text (`packed.lines_id`).
value_lines = Table(
    "value_lines",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=False),
    Column("lines", Text, nullable=False),
)

# Each filing's amounts in integer cents, in its lines' order, as signed 64-bit little-endian integers.
filing_amounts = Table(
    "filing_amounts",
    metadata,
    Column("filing_id", Integer, ForeignKey("filings.id", ondelete="CASCADE"), primary_key=True, autoincrement=False),
    Column("lines_id", BigInteger, ForeignKey("value_lines.id"), nullable=False),
    Column("cents", LargeBinary, nullable=False),
)

# The CFTC's monthly "Selected FCM Financial Data": one row per firm and month-end, values in long form.
cftc_rows = Table(
    "cftc_rows",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name_key", String(300), nullable=False),
    Column("firm_name", String(300), nullable=False),
    Column("as_of", Date, nullable=False),
    Column("registered_as", String(100), nullable=False, server_default=""),
    Column("dsro", String(100), nullable=False, server_default=""),
    Column("row_hash", String(64), nullable=False, unique=True),
    Column("source", Text, nullable=False),
    Column("imported_at", DateTime(timezone=True), nullable=False),
    Index("ix_cftc_rows_key_date", "name_key", "as_of"),
)

cftc_values = Table(
    "cftc_values",
    metadata,
    Column("row_id", Integer, ForeignKey("cftc_rows.id", ondelete="CASCADE"), primary_key=True),
    Column("field", String(40), primary_key=True),
    Column("cents", BigInteger, nullable=False),
)

# A CFTC row's words: yes/no flags ("Y"/"N" under "flag:" + field) and columns no field stands for.
cftc_texts = Table(
    "cftc_texts",
    metadata,
    Column("row_id", Integer, ForeignKey("cftc_rows.id", ondelete="CASCADE"), primary_key=True),
    Column("field", String(300), primary_key=True),
    Column("text", Text, nullable=False),
)

# NFA's public FCM summaries (BASIC, or dailyseg's own `publish`): one row per firm, pool and as-of date.
nfa_rows = Table(
    "nfa_rows",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name_key", String(300), nullable=False),
    Column("firm_name", String(300), nullable=False),
    Column("nfa_id", String(20), nullable=False, server_default=""),
    Column("pool", String(20), nullable=False),
    Column("as_of", Date, nullable=False),
    Column("line", Integer, nullable=False),
    Column("row_hash", String(64), nullable=False, unique=True),
    Column("source", Text, nullable=False),
    Column("imported_at", DateTime(timezone=True), nullable=False),
    Index("ix_nfa_rows_key_date", "name_key", "as_of"),
)

# A summary's amounts (funds, required, excess, target) in integer cents.
nfa_values = Table(
    "nfa_values",
    metadata,
    Column("row_id", Integer, ForeignKey("nfa_rows.id", ondelete="CASCADE"), primary_key=True),
    Column("field", String(40), primary_key=True),
    Column("cents", BigInteger, nullable=False),
)

# A summary's percentages of funds by holding or investment type, in integer hundredths of a percent.
nfa_shares = Table(
    "nfa_shares",
    metadata,
    Column("row_id", Integer, ForeignKey("nfa_rows.id", ondelete="CASCADE"), primary_key=True),
    Column("breakdown", String(20), primary_key=True),
    Column("label", String(300), primary_key=True),
    Column("hundredths", Integer, nullable=False),
)

# People who act on the store (migration 0003, docs/audit.md). Users are disabled, never deleted, so the
# names the audit log holds always name someone. `roles` is a sorted comma-separated list.
users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(100), nullable=False, unique=True),
    Column("password_hash", Text, nullable=False),
    Column("roles", String(100), nullable=False, server_default=""),
    Column("disabled", Boolean, nullable=False, server_default=false()),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

# A user's API tokens, by the SHA-256 of the token (the token itself is shown once and never stored).
user_tokens = Table(
    "user_tokens",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("user_id", Integer, ForeignKey("users.id"), nullable=False, index=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("revoked_at", DateTime(timezone=True), nullable=True),
)

# The daily close: one row per draft of a firm's filing for a form and End Date, moving draft -> reviewed ->
# approved -> filed (or superseded by a newer draft). The content columns and `close_values` are written once;
# only the state columns ever change, and only forward.
closes = Table(
    "closes",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name_key", String(300), nullable=False),
    Column("firm_name", String(300), nullable=False),
    Column("form", String(100), nullable=False),
    Column("end_date", Date, nullable=False),
    Column("status", String(20), nullable=False),
    Column("submit_date", Date, nullable=True),
    Column("layout", String(20), nullable=False),
    Column("statements", String(100), nullable=False),
    Column("cover", Text, nullable=True),
    Column("content_hash", String(64), nullable=False),
    Column("source", Text, nullable=False),
    Column("error_findings", Text, nullable=False),
    Column("state", String(20), nullable=False),
    Column("prepared_by", Integer, ForeignKey("users.id"), nullable=False),
    Column("reviewed_by", Integer, ForeignKey("users.id"), nullable=True),
    Column("approved_by", Integer, ForeignKey("users.id"), nullable=True),
    Column("filed_by", Integer, ForeignKey("users.id"), nullable=True),
    Column("override_reason", Text, nullable=True),
    Column("amends", Integer, ForeignKey("closes.id"), nullable=True),
    Column("amend_reason", Text, nullable=True),
    Column("filed_at", DateTime(timezone=True), nullable=True),
    Column("reference", String(200), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Index("ix_closes_key_date", "name_key", "end_date"),
)

close_values = Table(
    "close_values",
    metadata,
    Column("close_id", Integer, ForeignKey("closes.id", ondelete="CASCADE"), primary_key=True),
    Column("code", String(12), primary_key=True),
    Column("statement", String(20), nullable=False),
    Column("cents", BigInteger, nullable=False),
    Column("label", Text, nullable=False, server_default=""),
)

# A reviewer's comments, on a line (`code`) or on the whole filing (no code).
close_comments = Table(
    "close_comments",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("close_id", Integer, ForeignKey("closes.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("user_id", Integer, ForeignKey("users.id"), nullable=False),
    Column("code", String(12), nullable=True),
    Column("text", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

# The audit log, chained by SHA-256 (audit.py). `audit_head` is one row, the chain's last entry: every
# audited transaction updates it first, which serialises writers on both databases.
audit_log = Table(
    "audit_log",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("actor", String(100), nullable=False),
    Column("action", String(40), nullable=False),
    Column("firm_id", String(300), nullable=True),
    Column("end_date", Date, nullable=True),
    Column("subject", String(100), nullable=True),
    Column("content_hash", String(64), nullable=True),
    Column("detail", Text, nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("entry_hash", String(64), nullable=False, unique=True),
)

audit_head = Table(
    "audit_head",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("last_seq", Integer, nullable=False),
    Column("last_hash", String(64), nullable=False),
)

# Sign-in sessions of the web pages, by the SHA-256 of the session id (the id itself stays in the browser's
# cookie), and failed sign-ins by name and address, which lock sign-in out for a while (store/sessions.py).
web_sessions = Table(
    "web_sessions",
    metadata,
    Column("id_hash", String(64), primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id"), nullable=False, index=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("seen_at", DateTime(timezone=True), nullable=False),
    Column("address", String(100), nullable=False),
)

sign_in_failures = Table(
    "sign_in_failures",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(100), nullable=False, index=True),
    Column("address", String(100), nullable=False, index=True),
    Column("at", DateTime(timezone=True), nullable=False),
)

# -- issue 15: notices and residual-interest withdrawals (migration 0006; docs/notices.md, docs/withdrawals.md) --
# A withdrawal of the firm's own funds (residual interest) from one class. The prior business day's computation
# it was measured against (`basis`: "close 3" or "filing 12", its residual interest and target) is kept with it,
# so the decision made when it was recorded (`needs_approval`) can be re-read and checked later.
withdrawals = Table(
    "withdrawals",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("firm_id", String(300), nullable=False),
    Column("firm_name", String(300), nullable=False),
    Column("statement", String(20), nullable=False),
    Column("cents", BigInteger, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("usd_cents", BigInteger, nullable=False),
    Column("recipient", Text, nullable=False),
    Column("purpose", Text, nullable=False),
    Column("for_customers", Boolean, nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("basis_date", Date, nullable=False),
    Column("basis", String(40), nullable=True),
    Column("residual_cents", BigInteger, nullable=True),
    Column("target_cents", BigInteger, nullable=True),
    Column("series_cents", BigInteger, nullable=False),
    Column("needs_approval", Boolean, nullable=False),
    Column("state", String(20), nullable=False),
    Column("recorded_by", Integer, ForeignKey("users.id"), nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    Column("approved_by", Integer, ForeignKey("users.id"), nullable=True),
    Column("approved_at", DateTime(timezone=True), nullable=True),
    Column("executed_by", Integer, ForeignKey("users.id"), nullable=True),
    Column("executed_at", DateTime(timezone=True), nullable=True),
    Column("cancelled_by", Integer, ForeignKey("users.id", name="fk_withdrawals_cancelled_by"), nullable=True),  # migration 0008
    Column("cancelled_at", DateTime(timezone=True), nullable=True),
    Column("cancel_reason", Text, nullable=True),
    Index("ix_withdrawals_series", "firm_id", "statement", "basis_date"),
)

# A written notice an event requires, drafted from a stored filing or a close (or for a withdrawal), its fields frozen as
# JSON text (`body`) when drafted; `sent_at` is set only when a person records that it was sent.
notices = Table(
    "notices",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(40), nullable=False),
    Column("filing_id", Integer, ForeignKey("filings.id"), nullable=True),
    Column("withdrawal_id", Integer, ForeignKey("withdrawals.id"), nullable=True, unique=True),
    Column("firm_id", String(300), nullable=False),
    Column("statement", String(20), nullable=False),
    Column("end_date", Date, nullable=False),
    Column("body", Text, nullable=False),
    Column("drafted_by", Integer, ForeignKey("users.id"), nullable=False),
    Column("drafted_at", DateTime(timezone=True), nullable=False),
    Column("sent_by", Integer, ForeignKey("users.id"), nullable=True),
    Column("sent_at", DateTime(timezone=True), nullable=True),
    Column("sent_reference", String(200), nullable=True),
    Column("close_id", Integer, ForeignKey("closes.id", name="fk_notices_close_id"), nullable=True),  # migration 0010
    UniqueConstraint("filing_id", "kind", "statement", name="uq_notices_filing_event"),
    UniqueConstraint("close_id", "kind", "statement", name="uq_notices_close_event"),
    Index("ix_notices_firm_date", "firm_id", "end_date"),
)

# Alerts (migration 0005, docs/alerts.md): who hears about which events, and the log of every delivery. A
# delivery is one (event, subscription), unique, so an event found again is never queued twice; it keeps the
# body as first sent, and moves pending -> delivered, or pending -> failed after the last attempt.
alert_subscriptions = Table(
    "alert_subscriptions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("firm_id", String(300), nullable=True),
    Column("rules", Text, nullable=False, server_default=""),
    Column("from_date", Date, nullable=True),
    Column("channel", String(20), nullable=False),
    Column("target", Text, nullable=False),
    Column("secret", String(200), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("removed_at", DateTime(timezone=True), nullable=True),
)

alert_deliveries = Table(
    "alert_deliveries",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("event_id", String(64), nullable=False),
    Column("subscription_id", Integer, ForeignKey("alert_subscriptions.id"), nullable=False),
    Column("firm_id", String(300), nullable=False),
    Column("rule", String(40), nullable=False),
    Column("end_date", Date, nullable=False),
    Column("statement", String(20), nullable=True),
    Column("body", Text, nullable=False),
    Column("state", String(20), nullable=False),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("next_attempt_at", DateTime(timezone=True), nullable=True),
    Column("last_error", Text, nullable=True),
    Column("delivered_at", DateTime(timezone=True), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("event_id", "subscription_id", name="uq_alert_deliveries_event"),
    Index("ix_alert_deliveries_due", "state", "next_attempt_at"),
)

# Reconciliations with depository confirmations (migration 0007, docs/alerts.md): one row per firm, confirmation
# date and balance (depository, class, asset, currency) as `dailyseg reconcile --db` compared it, in integer
# cents on both sides. A rerun of the same day replaces that day's rows; the stale-confirmation rule counts the
# business days since each balance last matched.
confirmations = Table(
    "confirmations",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("firm_id", String(300), nullable=False),
    Column("business_date", Date, nullable=False),
    Column("depository", String(300), nullable=False),
    Column("customer_class", String(20), nullable=False),
    Column("asset", String(40), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("books_cents", BigInteger, nullable=False),
    Column("confirmed_cents", BigInteger, nullable=False),
    Column("matched", Boolean, nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("firm_id", "business_date", "depository", "customer_class", "asset", "currency", name="uq_confirmations_balance"),
)

# Answers judged from a firm's filings (a firm's status as of a day, its part of the overview's feed, its chart
# data, its days and history pages, the figures the totals add up; migration 0011, store/answers.py), kept once
# for every server process: judging one takes the monitor or the history a tenth of a second or more, reading
# it back one lookup of this key. `revision` is the firm's revision
# (`Store.firm_revision`, "largest filing id:names digest") the answer was judged at; `key` what else it
# depends on (the as-of day). A row is written once and never updated; rows of older revisions are deleted.
firm_answers = Table(
    "firm_answers",
    metadata,
    Column("firm_id", String(300), primary_key=True),
    Column("kind", String(20), primary_key=True),
    Column("key", String(80), primary_key=True),
    Column("revision", String(48), primary_key=True),
    Column("body", Text, nullable=False),
)
