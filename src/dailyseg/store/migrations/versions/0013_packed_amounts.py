"""A stored filing's amounts in one row: `filing_amounts` and `value_lines` replace `filing_values`.

Writing a hundred value rows a filing was most of ingest's time, and a code's history was a lookup per day.
Each filing's amounts are now one row of `filing_amounts` (its cents, packed) naming a row of `value_lines`
(the code, statement and label of each amount, kept once for every filing alike); the format is
`dailyseg.store.packed`'s. Every filing's values are carried over in the order of their code (the order the
old table kept them in), so every content hash, and with it `audit verify`, stays as it was.

Downgrade writes the rows of `filing_values` back from the packed amounts, as revision 0009 left that table.

Revision ID: 0013
Revises: 0012
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import groupby
from operator import itemgetter
from typing import Any

import sqlalchemy as sa
from alembic import op

from dailyseg.store.packed import Lines, cents_bytes, lines_id, lines_text

revision = "0013"
down_revision: str | None = "0012"
branch_labels: str | None = None
depends_on: str | None = None

_FILINGS_A_STEP = 2000  # filings converted at a time, so that a large store is never held in memory whole


def upgrade() -> None:
    op.create_table(
        "value_lines",
        sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("lines", sa.Text, nullable=False),
    )
    op.create_table(
        "filing_amounts",
        sa.Column("filing_id", sa.Integer, sa.ForeignKey("filings.id", ondelete="CASCADE"), primary_key=True, autoincrement=False),
        sa.Column("lines_id", sa.BigInteger, sa.ForeignKey("value_lines.id"), nullable=False),
        sa.Column("cents", sa.LargeBinary, nullable=False),
    )
    bind = op.get_bind()
    old = _values_table()
    lines_table = sa.table("value_lines", sa.column("id", sa.BigInteger), sa.column("lines", sa.Text))
    amounts = _amounts_table()
    ids: dict[str, int] = {}
    query = sa.select(old.c.filing_id, old.c.code, old.c.statement, old.c.cents, old.c.label)
    for rows in _steps(bind, query, old.c.filing_id, old.c.code):
        packed = []
        for filing_id, group in groupby(rows, key=itemgetter(0)):
            values = [(str(code), str(statement), int(cents), str(label)) for _, code, statement, cents, label in group]
            text = lines_text(values)
            if text not in ids:
                ids[text] = lines_id(text)
                bind.execute(sa.insert(lines_table).values(id=ids[text], lines=text))
            packed.append({"filing_id": filing_id, "lines_id": ids[text], "cents": cents_bytes(values)})
        bind.execute(sa.insert(amounts), packed)
    op.drop_table("filing_values")


def downgrade() -> None:
    op.create_table(
        "filing_values",
        sa.Column("filing_id", sa.Integer, sa.ForeignKey("filings.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("code", sa.String(12), primary_key=True),
        sa.Column("statement", sa.String(20), nullable=False),
        sa.Column("cents", sa.BigInteger, nullable=False),
        sa.Column("label", sa.Text, nullable=False, server_default=""),
        sqlite_with_rowid=False,
    )
    bind = op.get_bind()
    lines = {int(i): Lines.read(str(text)) for i, text in bind.execute(sa.text("SELECT id, lines FROM value_lines"))}
    amounts = _amounts_table()
    old = _values_table()
    query = sa.select(amounts.c.filing_id, amounts.c.lines_id, amounts.c.cents)
    for rows in _steps(bind, query, amounts.c.filing_id):
        values = [
            {"filing_id": filing_id, "code": code, "statement": statement, "cents": cents, "label": label}
            for filing_id, lines_id, packed in rows
            for statement, code, cents, label in lines[int(lines_id)].amounts(bytes(packed))
        ]
        if values:
            bind.execute(sa.insert(old), values)
    op.drop_table("filing_amounts")
    op.drop_table("value_lines")


def _amounts_table() -> sa.TableClause:
    columns = (sa.column("filing_id", sa.Integer), sa.column("lines_id", sa.BigInteger), sa.column("cents", sa.LargeBinary))
    return sa.table("filing_amounts", *columns)


def _values_table() -> sa.TableClause:
    columns = ("filing_id", "code", "statement", "cents", "label")
    return sa.table("filing_values", *(sa.column(name) for name in columns))


def _steps(bind: sa.Connection, query: sa.Select[Any], key: sa.ColumnClause[Any], *order: sa.ColumnClause[Any]) -> Iterator[list[Any]]:
    """The rows of `query` in the order of `key` (a filing id) and then `order`, a few thousand filings at a time."""
    filings = sa.table("filings", sa.column("id", sa.Integer))
    ids = [int(i) for i in bind.execute(sa.select(filings.c.id).order_by(filings.c.id)).scalars()]
    for at in range(0, len(ids), _FILINGS_A_STEP):
        chunk = ids[at : at + _FILINGS_A_STEP]
        yield list(bind.execute(query.where(key.between(chunk[0], chunk[-1])).order_by(key, *order)))
