"""The store's tables (SQLAlchemy Core). The schema itself is created and changed only by the Alembic
migrations in `dailyseg.store.migrations`; a test checks that these definitions match them.

Amounts are integer cents in BIGINT columns: exact on every database and fast to sum. A filing row is
written once and never updated; its values live in `filing_values`, written in the same transaction.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Date, DateTime, ForeignKey, Index, Integer, MetaData, String, Table, Text, UniqueConstraint

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
    Index("ix_filings_key_date", "name_key", "end_date"),
)

filing_values = Table(
    "filing_values",
    metadata,
    Column("filing_id", Integer, ForeignKey("filings.id", ondelete="CASCADE"), primary_key=True),
    Column("code", String(12), primary_key=True),
    Column("statement", String(20), nullable=False),
    Column("cents", BigInteger, nullable=False),
    Column("label", Text, nullable=False, server_default=""),
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
