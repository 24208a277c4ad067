"""The computation, written once as Ibis expressions: Spark runs them through Ibis, DuckDB as their SQL.

That SQL is compiled ahead of time and stored (`compiled`), so that a DuckDB computation pays for neither
importing Ibis nor building expressions; `connect("duckdb")` still runs the expressions through Ibis, for
`explain` and for the tests that check the stored SQL gives what Ibis gives.

Per-account work (valuing positions, haircutting securities, net liquidating equity, the deficit and its
offset, undermargined amounts) stays inside the engine; only totals by class and currency come back.

Exactness. Every amount is DECIMAL(38, 10) inside the engine, and every product keeps all its digits on
both engines (Spark runs with `spark.sql.decimalOperations.allowPrecisionLoss=false` and, in Spark 4, ANSI mode: an
overflow is an error, never a lost digit). Positions, the bulk of a book, are valued in narrow decimals:
quantity x multiplier as DECIMAL(18, 4) (at most 14 integer digits; a larger size is an error on both
engines), times a price widened to DECIMAL(19, 6), gives an exact DECIMAL(37, 10) (DuckDB) or (38, 10)
(Spark). DuckDB multiplies two decimals of width 18 or less in 64 bits and fails on overflow, hence the
price's one extra digit, which moves the product, and only the product, to 128 bits: about ten times
cheaper than products of two 128-bit operands. Unrealized P/L is size x settlement - size x trade price,
exact without bounding the price difference. Positions are summed to
(account, currency) before they meet the ledger and the securities. The small tables (securities' haircuts)
use products of operands cast to DECIMAL(19, 6), whose (38, 12) product holds every digit.

Ibis infers decimal products' types more narrowly than the engines do and then drops a cast it believes is
a no-op, so the casts that fix a width are built with `_cast`, which always reaches the SQL.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, cast

import ibis
import ibis.expr.datatypes as dt
import ibis.expr.operations as ops
import ibis.expr.types as ir
import pyarrow as pa

from dailyseg.compute.books import Books
from dailyseg.compute.compiled import BANDS_SCHEMA, band_rows, quarter_of_memory
from dailyseg.compute.config import DeficitBasis
from dailyseg.compute.engines import ENGINES as ENGINES  # re-exported for the modules that import them from here
from dailyseg.compute.engines import EngineName as EngineName
from dailyseg.compute.engines import spark_session as spark_session  # where Spark runs is chosen there
from dailyseg.compute.schema import TABLE
from dailyseg.compute.totals import MEASURES

AMOUNT = dt.Decimal(38, 10)
FACTOR = dt.Decimal(19, 6)
WHOLE = dt.Decimal(18, 0)
SIZE = dt.Decimal(18, 4)
PRICE = dt.Decimal(19, 6)
_VALUES = ("cash", "securities", "unrealized", "long_option_value", "short_option_value", "haircut_value", "margin_requirement")
_NEVER = date(9999, 12, 31)


def _cast(value: ir.Value, to: dt.DataType) -> ir.DecimalValue:
    """A cast that always reaches the engine (`Value.cast` skips one Ibis's own type inference calls a no-op)."""
    return cast(ir.DecimalValue, ops.Cast(value, to=to).to_expr())


def _zero() -> ir.DecimalValue:
    return _cast(ibis.literal(0), AMOUNT)


def _times(a: ir.Value, b: ir.Value) -> ir.DecimalValue:
    """An exact product of two small-table values (see the module's note on widths)."""
    return _cast(_cast(a, FACTOR) * _cast(b, FACTOR), AMOUNT)


def haircut_bands(haircuts: pa.Table, business_date: date) -> pa.Table:
    """The haircut table as maturity-date bands (after, until] for the business date: a join, not a search."""
    return pa.Table.from_pylist(band_rows(haircuts.to_pylist(), business_date), schema=BANDS_SCHEMA)


@dataclass(frozen=True)
class Frames:
    """The engine's view of a book: per-account measures and depository balances, still unevaluated."""

    accounts: ir.Table
    balances: ir.Table
    rates: ir.Table


def frames(tables: Mapping[str, ir.Table], business_date: date, basis: DeficitBasis, bands: ir.Table) -> Frames:
    """Build the per-account and per-balance expressions from the book's tables (the one computation)."""
    ledger, positions, securities = tables["ledger"], tables["positions"], tables["securities"]

    def values(source: ir.Table, **given: ir.Value) -> ir.Table:
        columns = {name: given.get(name, _zero()) for name in _VALUES}
        return source.select(account=source.account, currency=source.currency, **columns)

    from_ledger = values(
        ledger,
        cash=ledger.cash.cast(AMOUNT),
        unrealized=ledger.unrealized.fill_null(0).cast(AMOUNT),
        long_option_value=ledger.long_option_value.fill_null(0).cast(AMOUNT),
        short_option_value=ledger.short_option_value.fill_null(0).cast(AMOUNT),
        margin_requirement=ledger.margin_requirement.cast(AMOUNT),
    )
    size = _cast(_cast(positions.quantity, WHOLE) * positions.multiplier, SIZE)
    value = size * _cast(positions.settlement_price, PRICE)
    long = positions.option & (positions.quantity > 0)
    short = positions.option & (positions.quantity < 0)
    held = positions.group_by(["account", "currency"]).aggregate(
        unrealized=_cast(ibis.ifelse(positions.option, _zero(), value - size * _cast(positions.trade_price, PRICE)).sum(), AMOUNT),
        long_option_value=_cast(ibis.ifelse(long, value, _zero()).sum(), AMOUNT),
        short_option_value=_cast(ibis.ifelse(short, -value, _zero()).sum(), AMOUNT),
    )
    from_positions = values(
        held,
        unrealized=held.unrealized,
        long_option_value=held.long_option_value,
        short_option_value=held.short_option_value,
    )
    maturity = securities.maturity.fill_null(_NEVER)
    joined = securities.left_join(bands, [securities.type == bands.type, maturity > bands.after, maturity <= bands.until])
    haircut = joined.haircut.fill_null(joined.band_haircut).fill_null(100)
    keep = _times(ibis.literal(100).cast(FACTOR) - haircut.cast(FACTOR), ibis.literal(Decimal("0.01")).cast(FACTOR))
    from_securities = values(
        joined,
        securities=joined.market_value.cast(AMOUNT),
        haircut_value=_times(joined.market_value, keep),
    )
    units = (
        ibis.union(from_ledger, from_positions, from_securities)
        .group_by(["account", "currency"])
        .aggregate(**{name: _sum(name) for name in _VALUES if name != "margin_requirement"}, margin_requirement=_margin())
    )
    accounts = tables["accounts"]
    units = units.join(accounts, units.account == accounts.account).select(units, customer_class=accounts["class"])
    nle = units.cash + units.securities + units.unrealized + units.long_option_value - units.short_option_value
    base = nle - units.securities if basis == "ex_securities" else nle
    deficit = ibis.greatest(-base, _zero())
    offset = ibis.least(deficit, units.haircut_value, nle + deficit)
    undermargined = ibis.greatest(units.margin_requirement - ibis.greatest(nle, _zero()), _zero()).fill_null(_zero())
    measured = units.mutate(nle=nle, deficit=deficit, offset=offset, undermargined=undermargined)

    balances, depositories = tables["balances"], tables["depositories"]
    placed = balances.join(depositories, balances.depository == depositories.depository).select(
        balances.depository,
        depositories["name"],
        depositories.kind,
        depositories.acknowledgment,
        customer_class=balances["class"],
        asset=balances.asset,
        currency=balances.currency,
        amount=balances.amount.cast(AMOUNT),
    )
    return Frames(measured, placed, tables["fx"])


def _sum(name: str) -> Any:
    return lambda t: t[name].sum().cast(AMOUNT)


def _margin() -> Any:
    # An account with no margin requirement in any row has none (null), not a requirement of zero.
    return lambda t: t.margin_requirement.sum().cast(AMOUNT)


def customer_totals(f: Frames) -> ir.Table:
    """Sums of every measure by class and currency: all the requirement side needs."""
    return f.accounts.group_by(["customer_class", "currency"]).aggregate(
        accounts=f.accounts.count(), **{m: f.accounts[m].sum().cast(AMOUNT) for m in MEASURES}
    )


def balance_totals(f: Frames) -> ir.Table:
    """Balances by depository, class, asset and currency: all the funds side needs."""
    b = f.balances
    return b.group_by(["depository", "name", "kind", "acknowledgment", "customer_class", "asset", "currency"]).aggregate(
        amount=b.amount.sum().cast(AMOUNT), rows=b.count()
    )


def contributors(f: Frames, customer_class: str, measure: str, limit: int) -> tuple[ir.Table, ir.Table]:
    """The accounts with the largest USD contribution to a measure, and the count and sum by currency."""
    rows = f.accounts.filter((f.accounts.customer_class == customer_class) & (f.accounts[measure] != 0))
    rated = rows.left_join(f.rates, rows.currency == f.rates.currency)
    usd = _times(rated[measure], rated.rate.fill_null(1))
    listed = rated.select(rated.account, rated.currency, value=rated[measure], usd=usd)
    top = listed.order_by([ibis.desc(listed.usd.abs()), listed.account]).limit(limit)
    summary = rows.group_by("currency").aggregate(rows=rows.count(), amount=rows[measure].sum().cast(AMOUNT))
    return top, summary


# -- backends -------------------------------------------------------------------------------------------------


class Backend:
    """One engine: turns the book's tables into Ibis tables on its connection and runs expressions."""

    name: EngineName

    def __init__(self, connection: Any, name: EngineName) -> None:
        self.connection = connection
        self.name = name
        self._count = 0

    def table(self, name: str, data: pa.Table | Path) -> ir.Table:
        spec = TABLE[name]
        raw = self.connection.read_parquet(str(data)) if isinstance(data, Path) else self._from_arrow(data)
        present = set(raw.columns)
        return raw.select(
            **{c.name: (raw[c.name].cast(_ibis_type(c.type)) if c.name in present else ibis.null(_ibis_type(c.type))) for c in spec.columns}
        )

    def _from_arrow(self, data: pa.Table) -> ir.Table:
        if self.name == "duckdb":
            return ibis.memtable(data)
        self._count += 1
        name = f"dailyseg_{self._count}"
        frame = self.connection._session.createDataFrame(data.to_pandas(), schema=_spark_schema(data.schema))
        frame.createOrReplaceTempView(name)
        return self.connection.table(name)

    def execute(self, expr: ir.Table) -> list[dict[str, Any]]:
        """Run an expression; rows come back with exact Decimal amounts."""
        result: pa.Table = self.connection.to_pyarrow(expr)
        return cast(list[dict[str, Any]], result.to_pylist())

    def frames(self, books: Books) -> Frames:
        tables = {name: self.table(name, data) for name, data in books.tables.items() if name != "haircuts"}
        bands = self._from_arrow(haircut_bands(books.arrow("haircuts"), books.config.business_date))
        return frames(tables, books.config.business_date, books.config.deficit_basis, bands)


def _ibis_type(column_type: str) -> dt.DataType:
    from dailyseg.compute.schema import ARROW_TYPES

    return dt.dtype(ARROW_TYPES[column_type])  # type: ignore[index]


def _spark_schema(schema: pa.Schema) -> Any:
    from pyspark.sql import types as st

    def spark_type(t: pa.DataType) -> Any:
        if pa.types.is_decimal(t):
            return st.DecimalType(t.precision, t.scale)
        if pa.types.is_int64(t):
            return st.LongType()
        if pa.types.is_boolean(t):
            return st.BooleanType()
        if pa.types.is_date32(t):
            return st.DateType()
        return st.StringType()

    return st.StructType([st.StructField(f.name, spark_type(f.type), True) for f in schema])


@contextmanager
def connect(name: EngineName = "duckdb") -> Iterator[Backend]:
    """A backend for the named engine. DuckDB runs in-process; Spark where `engines.use_spark` chose (local[2] by default).

    DuckDB keeps to a quarter of the machine's memory and spills to disk beyond it, so that a book larger
    than memory completes; results are totals, so it need not keep the input's row order.
    """
    if name == "duckdb":
        connection = ibis.duckdb.connect(memory_limit=quarter_of_memory(), preserve_insertion_order=False)
        try:
            yield Backend(connection, "duckdb")
        finally:
            connection.disconnect()
    else:
        yield Backend(ibis.pyspark.connect(spark_session()), "spark")
