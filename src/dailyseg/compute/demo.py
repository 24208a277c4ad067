"""A realistic synthetic book (`dailyseg demo`): random accounts, adjusted by a few balancing rows.

The random part has thousands of accounts in the three classes, several currencies, positions valued in
the engine, deficit accounts with and without securities, many depositories (some without an
acknowledgment letter, whose balances the computation must leave out). The balancing part is a handful of
USD rows, worked out from the random part's exact totals (computed by the DuckDB engine) so that the
computed filing equals a target filing line for line; by default the 7/25/2013 sample, in its 2013 layout.
Each balancing row is placed through the catalogue's sources, like every other number; where the target
filing prints only a statement's requirement (the 2013 layout's Secured Amounts), the lines behind it are
chosen and cash is set so that the catalogue's formulas give that requirement.

The computed filing's only findings are the acknowledgment-letter warnings for the balances held at the two
depositories that have no letter on file (`_depositories`): the computation must leave those out.

Floats appear only in choosing random sizes; every amount written is an exact number of cents.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv
import pyarrow.parquet as pq

from dailyseg.catalogue import CATALOGUE, Statement
from dailyseg.compute.assemble import by_currency_exact, derive
from dailyseg.compute.books import Books, read_books
from dailyseg.compute.config import FirmConfig, write_config
from dailyseg.compute.demo_limits import MAX_POSITIONS as MAX_POSITIONS  # re-exported beside generate()
from dailyseg.compute.demo_limits import MIN_ACCOUNTS as MIN_ACCOUNTS
from dailyseg.compute.demo_limits import MIN_POSITIONS as MIN_POSITIONS
from dailyseg.compute.schema import TABLE
from dailyseg.filing import Filing, Target

CENT = Decimal("0.01")
RATES = {
    "USD": Decimal(1),
    "EUR": Decimal("1.32450000"),
    "GBP": Decimal("1.53700000"),
    "JPY": Decimal("0.01006300"),
    "CAD": Decimal("0.97120000"),
    "AUD": Decimal("0.92630000"),
}
# Currency mix of each class's accounts.
MIX = {
    "futures": (("USD", 0.85), ("CAD", 0.1), ("EUR", 0.05)),
    "foreign": (("EUR", 0.35), ("GBP", 0.25), ("JPY", 0.2), ("USD", 0.1), ("AUD", 0.1)),
    "swaps": (("USD", 0.9), ("EUR", 0.1)),
}
SHARE = {"futures": 0.6, "foreign": 0.2, "swaps": 0.2}
PREFIX = {"futures": "F", "foreign": "S", "swaps": "W"}
DEPOSITORY_KINDS = {
    "us_bank": 8,
    "designated_bank": 3,
    "dco": 6,
    "fcm": 3,
    "foreign_clearing": 3,
    "foreign_member": 5,
    "foreign_depository": 2,
}
# The customer measures a balancing account carries (the catalogue's customer sources read each of them).
MEASURES = ("cash", "securities", "unrealized", "long_option_value", "short_option_value", "deficit", "offset")
# The foreign jurisdictions' requirement as a share of the statement's requirement, when the target filing does not give it.
FOREIGN_SHARE = Decimal("0.9")
Progress = Callable[[str, int], None]


def _fixed(units: np.ndarray, scale: int, arrow: pa.DataType) -> pa.Array:
    """Integer units (cents: scale 2) as an exact decimal array."""
    whole = pa.array(units.astype(np.int64)).cast(pa.decimal128(19, 0))
    return pc.multiply(whole, pa.scalar(Decimal(1).scaleb(-scale), pa.decimal128(scale, scale))).cast(arrow)


def _ids(prefix: str, start: int, count: int) -> pa.Array:
    return pa.array(np.char.add(prefix, np.char.zfill(np.arange(start, start + count).astype(str), 8)))


@dataclass
class _Writer:
    """Writes each table as CSV or Parquet, in pieces (the large books do not fit in memory at once)."""

    folder: Path
    parquet: bool

    def __post_init__(self) -> None:
        self._open: dict[str, Any] = {}

    def write(self, name: str, table: pa.Table) -> None:
        table = table.select([c.name for c in TABLE[name].columns if c.name in table.column_names])
        if name not in self._open:
            path = self.folder / f"{name}.{'parquet' if self.parquet else 'csv'}"
            self._open[name] = pq.ParquetWriter(path, table.schema) if self.parquet else pcsv.CSVWriter(path, table.schema)
        self._open[name].write_table(table)

    def close(self) -> None:
        for writer in self._open.values():
            writer.close()
        self._open.clear()


def generate(
    folder: Path,
    *,
    accounts: int = 3000,
    positions_per_account: int = 3,
    seed: int = 7,
    target: Filing,
    parquet: bool = False,
    progress: Progress | None = None,
) -> Books:
    """Write a book whose computed filing equals `target` (its layout, header and amounts) and return it.

    Raises ValueError, before writing anything, for a number of accounts or positions outside the ranges of
    `demo_limits`.
    """
    if accounts < MIN_ACCOUNTS:
        raise ValueError(f"accounts must be at least {MIN_ACCOUNTS} (10 in each customer class), not {accounts}")
    if not MIN_POSITIONS <= positions_per_account <= MAX_POSITIONS:
        raise ValueError(f"positions_per_account must be from {MIN_POSITIONS} to {MAX_POSITIONS}, not {positions_per_account}")
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.iterdir():
        if old.suffix in (".csv", ".parquet", ".toml"):
            old.unlink()
    rng = np.random.default_rng(seed)
    goals = dict(target.amounts)
    header = target.header
    business_date = header.end_date or date(2013, 7, 25)
    config = FirmConfig(
        name=header.firm_name,
        business_date=business_date,
        nfa_id="0000000",
        form=header.form,
        status=header.status,
        submit_date=header.submit_date,
        layout=target.layout,
        foreign_requirement=_foreign_requirement(goals),
        targets=_targets(goals),
    )
    (folder / "firm.toml").write_text(write_config(config), "utf-8")
    writer = _Writer(folder, parquet)
    depositories = _depositories(rng)
    writer.write("depositories", depositories)
    writer.write("fx", pa.table({"currency": list(RATES), "rate": pa.array(list(RATES.values()), pa.decimal128(18, 8))}))
    chunk = 500_000
    for customer_class in SHARE:
        count = int(accounts * SHARE[customer_class])
        scale = _class_scale(goals, customer_class, count)
        for start in range(0, count, chunk):
            size = min(chunk, count - start)
            # The class's deficit totals are shared out over its chunks, so a book of many chunks stays below them.
            share = {key: scale[key] * size / count for key in ("covered", "uncovered")}
            _accounts_chunk(rng, writer, customer_class, start, size, positions_per_account, scale | share, depositories)
            if progress:
                progress(customer_class, size)
    writer.write("balances", _random_balances(rng, goals, depositories))
    writer.close()
    _balance(folder, goals, parquet)
    books = read_books(folder)
    _write_confirmations(folder, books)
    return books


def _firm_lines(measure: str) -> list[tuple[str, Statement]]:
    """The lines read from the firm's configuration with this measure, and their statements."""
    return [
        (ref, CATALOGUE.statement_by_id[CATALOGUE.statement_of(ref) or ""])
        for ref, source in CATALOGUE.sources.items()
        if source.table == "firm" and source.measure == measure
    ]


def _foreign_requirement(goals: Mapping[str, Decimal]) -> Decimal:
    """The foreign jurisdictions' requirement: the target's own line where it has one, else set below the
    statement's requirement so that the net-liquidating-equity amount governs the greater-of."""
    lines = _firm_lines("foreign_requirement")
    if not lines:
        return Decimal(0)
    ref, statement = lines[0]
    if ref in goals:
        return goals[ref]
    return (goals.get(str(statement.requirement), Decimal(0)) * FOREIGN_SHARE).quantize(Decimal(1))


def _targets(goals: Mapping[str, Decimal]) -> dict[str, Target]:
    """A dollar target for each statement whose target line the target filing carries (none in the 2013 layout)."""
    return {statement.id: Target("minimum_dollars", goals[ref]) for ref, statement in _firm_lines("target") if ref in goals}


def _class_scale(goals: Mapping[str, Decimal], customer_class: str, count: int) -> dict[str, float]:
    """Average sizes per account, a fraction of the target lines, so balancing rows stay positive."""
    statement = next(s for s in CATALOGUE.statements if s.customer_class == customer_class)

    def goal(measure: str, default: float) -> float:
        for ref, source in CATALOGUE.sources.items():
            if source.table == "customer" and source.measure == measure and CATALOGUE.statement_of(ref) == statement.id and ref in goals:
                return abs(float(goals[ref]))
        return default

    requirement = float(goals.get(str(statement.requirement), Decimal(0)))
    deficit, offset = goal("deficit", requirement * 0.005), goal("offset", requirement * 0.004)
    return {
        "cash": 0.3 * goal("cash", requirement) / count,
        "securities": 0.3 * goal("securities", requirement * 0.1) / count,
        "long": 0.3 * goal("long_option_value", requirement * 0.05) / count,
        "short": 0.3 * goal("short_option_value", requirement * 0.05) / count,
        "unrealized": 0.1 * max(abs(goal("unrealized", requirement * 0.05)), requirement * 0.01) / count,
        "covered": 0.4 * offset,
        "uncovered": 0.4 * max(deficit - offset, 0.0),
        "options": 0.0 if goal("long_option_value", requirement * 0.05) == 0 else 1.0,
    }


def _accounts_chunk(
    rng: np.random.Generator,
    writer: _Writer,
    customer_class: str,
    start: int,
    size: int,
    per: int,
    scale: Mapping[str, float],
    depositories: pa.Table,
) -> None:
    ids = _ids(PREFIX[customer_class], start, size)
    names, weights = zip(*MIX[customer_class], strict=True)
    currency = rng.choice(np.array(names), size=size, p=np.array(weights))
    rate = np.vectorize(lambda c: float(RATES[str(c)]))(currency)
    writer.write("accounts", pa.table({"account": ids, "class": pa.array([customer_class] * size)}))

    # 4% of accounts run a deficit on cash alone and hold no positions; half of them hold securities
    # that cover the deficit after haircuts, half hold none.
    kind = rng.random(size)
    deficit_covered = kind < 0.02
    deficit_bare = (kind >= 0.02) & (kind < 0.04)
    eligible = np.flatnonzero(~(deficit_covered | deficit_bare))

    # Positions: about `per` an account, a third of them options (none for classes whose option lines are zero).
    n = size * per
    owner = eligible[rng.integers(0, eligible.size, n)]
    option = rng.random(n) < 0.33 * scale["options"]
    quantity = rng.integers(1, 20, n) * np.where(rng.random(n) < 0.45, -1, 1)
    multiplier = rng.choice(np.array([10, 50, 100, 1000, 125]), n)  # 125 = 12.5 in tenths
    multiplier_units = multiplier * np.where(multiplier == 125, 1000, 10_000)  # multiplier at scale 4
    unit_value = multiplier_units / 10_000 * np.abs(quantity) * rate[owner]  # USD per unit of price
    # Prices in millionths, sized so each class's option and P/L totals land near their share.
    option_price = rng.gamma(2.0, 0.5, n) * np.where(quantity > 0, scale["long"], scale["short"]) / per * 3 / np.maximum(unit_value, 1e-9)
    settle_units = np.where(option, np.round(option_price * 1e6), np.round(rng.uniform(50, 150, n) * 1e6))
    drift = rng.normal(0, 1, n) * scale["unrealized"] / per / np.maximum(unit_value, 1e-9)
    trade_units = np.where(option, settle_units, settle_units - np.round(drift * 1e6))
    value = np.where(
        option,
        np.where(quantity > 0, 1, -1) * settle_units / 1e6 * unit_value,
        (settle_units - trade_units) / 1e6 * unit_value * np.sign(quantity),
    )
    exposure = np.bincount(owner, weights=np.abs(value), minlength=size)
    writer.write(
        "positions",
        pa.table(
            {
                "account": ids.take(pa.array(owner)),
                "currency": pa.array(currency[owner]),
                "instrument": pa.array(np.char.add("C", (owner % 97).astype(str))),
                "quantity": pa.array(quantity.astype(np.int64)),
                "multiplier": _fixed(multiplier_units, 4, pa.decimal128(18, 4)),
                "trade_price": _fixed(trade_units, 6, pa.decimal128(18, 6)),
                "settlement_price": _fixed(settle_units, 6, pa.decimal128(18, 6)),
                "option": pa.array(option),
            }
        ),
    )

    # Cash: credit accounts hold three times their positions' exposure, so none of them turns a deficit.
    dollars = _held_to(rng.lognormal(0, 1, size) / np.exp(0.5) * scale["cash"], 2 * scale["cash"] * size) + 3 * exposure
    covered_size = scale["covered"] / max(deficit_covered.sum(), 1) * rng.uniform(0.5, 1.5, size)
    bare_size = scale["uncovered"] / max(deficit_bare.sum(), 1) * rng.uniform(0.5, 1.5, size)
    dollars = np.where(deficit_covered, -covered_size, np.where(deficit_bare, -bare_size, dollars))
    margin = np.round(np.abs(dollars) * rng.uniform(0.05, 0.4, size) / rate * 100)
    writer.write(
        "ledger",
        pa.table(
            {
                "account": ids,
                "currency": pa.array(currency),
                "cash": _fixed(np.round(dollars / rate * 100), 2, pa.decimal128(18, 2)),
                **{name: pa.nulls(size, pa.decimal128(18, 2)) for name in ("unrealized", "long_option_value", "short_option_value")},
                "margin_requirement": _fixed(margin, 2, pa.decimal128(18, 2)),
            }
        ),
    )

    # Securities: ordinary holders (a tenth of credit accounts) and the covered deficit accounts.
    holder = (~deficit_covered & ~deficit_bare & (rng.random(size) < 0.1)) | deficit_covered
    index = np.flatnonzero(holder)
    draws = _held_to(rng.lognormal(0, 1, index.size) * scale["securities"] * 10 / np.exp(0.5), 2 * scale["securities"] * size)
    market = np.where(deficit_covered[index], -dollars[index] * 1.12, draws)
    banks = depositories.filter(pc.is_in(depositories["kind"], pa.array(["us_bank", "dco"])))["depository"]
    maturity_days = rng.integers(10, 3650, index.size)
    writer.write(
        "securities",
        pa.table(
            {
                "account": ids.take(pa.array(index)),
                "security": pa.array(np.char.add("US912828", (index % 9973).astype(str))),
                "type": pa.array(["government"] * index.size, pa.string()),  # typed: a chunk may have no holder
                "maturity": pa.array((np.datetime64("2013-07-25") + maturity_days).astype("datetime64[D]")),
                "currency": pa.array(currency[index]),
                "market_value": _fixed(np.round(market / rate[index] * 100), 2, pa.decimal128(18, 2)),
                "depository": banks.take(pa.array(rng.integers(0, len(banks), index.size))),
                "haircut": pa.nulls(index.size, pa.decimal128(9, 4)),
            }
        ),
    )


def _held_to(draws: np.ndarray, limit: float) -> np.ndarray:
    """`draws`, scaled down if need be so that they sum to at most `limit` (twice their expected sum).

    The lognormal's long tail can give a small class's few accounts more than a whole target line, which
    no balancing row can take back; in a book of thousands of accounts the limit is never reached.
    """
    total = float(draws.sum())
    return draws * (limit / total) if total > limit else draws


def _depositories(rng: np.random.Generator) -> pa.Table:
    rows = []
    for kind, count in DEPOSITORY_KINDS.items():
        for i in range(count):
            rows.append(
                {
                    "depository": f"{kind.upper()}-{i + 1}",
                    "name": f"{kind.replace('_', ' ').title()} {i + 1}",
                    "kind": kind,
                    "acknowledgment": True,
                }
            )
    # Two depositories whose acknowledgment letters are missing: their balances must not count.
    rows[1]["acknowledgment"] = False
    rows[DEPOSITORY_KINDS["us_bank"] + 1]["acknowledgment"] = False
    rows.append({"depository": "ON_HAND", "name": "Vault", "kind": "on_hand", "acknowledgment": False})
    return pa.Table.from_pylist(rows, schema=TABLE["depositories"].arrow_schema())


def _random_balances(rng: np.random.Generator, goals: Mapping[str, Decimal], depositories: pa.Table) -> pa.Table:
    """About 40% of each nonzero funds line spread over random depositories of the line's kinds and currencies."""
    rows: list[dict[str, Any]] = []
    kinds = depositories.to_pylist()
    for ref, source in CATALOGUE.sources.items():
        goal = goals.get(ref, Decimal(0))
        if source.table != "depository" or goal == 0:
            continue
        customer_class = CATALOGUE.statement_by_id[CATALOGUE.statement_of(ref) or ""].customer_class
        places = [d for d in kinds if d["kind"] in source.kinds]
        for _ in range(int(rng.integers(3, 8))):
            place = places[int(rng.integers(0, len(places)))]
            # Funds follow the currencies of the obligations, whose bulk (the balancing accounts) is in USD.
            names, weights = zip(*MIX[customer_class], strict=True)
            currency = str(rng.choice(np.array(names), p=np.array(weights))) if rng.random() < 0.3 else "USD"
            usd = goal * source.sign * Decimal(str(round(float(rng.uniform(0.02, 0.1)), 4)))
            rows.append(
                {
                    "depository": place["depository"],
                    "class": customer_class,
                    "asset": source.assets[int(rng.integers(0, len(source.assets)))],
                    "currency": currency,
                    "amount": (usd / RATES[currency]).quantize(CENT),
                }
            )
    return pa.Table.from_pylist(rows, schema=TABLE["balances"].arrow_schema())


def _balance(folder: Path, goals: Mapping[str, Decimal], parquet: bool) -> None:
    """Add the balancing rows: two deficit accounts and one credit account per class, one balance per line."""
    from dailyseg.compute import engine_totals

    books = read_books(folder)
    totals = engine_totals(books)
    exact: dict[str, Decimal] = {}
    for currency, lines in by_currency_exact(totals).items():
        for ref, amount in lines.items():
            exact[ref] = exact.get(ref, Decimal(0)) + amount * totals.rates.get(currency, Decimal(1))
    current = {ref: amount.quantize(CENT, rounding=ROUND_HALF_UP) for ref, amount in exact.items()}
    extra: dict[str, list[dict[str, Any]]] = {"accounts": [], "ledger": [], "securities": [], "balances": []}
    for statement in CATALOGUE.statements:
        _balance_customers(statement.id, statement.customer_class, goals, current, extra)
    for ref, source in CATALOGUE.sources.items():
        if source.table != "depository" or ref not in current:
            continue
        customer_class = CATALOGUE.statement_by_id[CATALOGUE.statement_of(ref) or ""].customer_class
        missing = goals.get(ref, Decimal(0)) - current[ref]
        if missing:
            depository = f"{source.kinds[0].upper()}-1" if source.kinds[0] != "on_hand" else "ON_HAND"
            extra["balances"].append(
                {
                    "depository": depository,
                    "class": customer_class,
                    "asset": source.assets[0],
                    "currency": "USD",
                    "amount": source.sign * missing,
                }
            )
    for name, rows in extra.items():
        _append(folder, name, rows, parquet)


def _cash_for_requirement(statement: str, goals: Mapping[str, Decimal], refs: Mapping[str, str], goal: Mapping[str, Decimal]) -> Decimal:
    """The cash (in the books' magnitude) that makes the catalogue's formulas give the statement's requirement.

    The requirement is derived as `dailyseg compute` derives it (`assemble.derive`, full layout), from the
    other chosen lines with cash at zero; cash then moves the requirement one for one.
    """
    required = str(CATALOGUE.statement_by_id[statement].requirement)
    others = {ref: CATALOGUE.sources[ref].sign * goal[m] for m, ref in refs.items() if m != "cash"}
    cash_line, sign = refs["cash"], CATALOGUE.sources[refs["cash"]].sign

    def requirement_with(cash: Decimal) -> Decimal:
        return derive(others | {cash_line: sign * cash}, "full", None)[required]

    cash = (goals[required] - requirement_with(Decimal(0))) * sign
    if requirement_with(cash) != goals[required]:  # pragma: no cover - a catalogue whose requirement cash does not move
        raise ValueError(f"{statement}: no cash balance gives the requirement {goals[required]}")
    return cash


def _goal_of(statement: str, measure: str, goals: Mapping[str, Decimal], current: Mapping[str, Decimal]) -> tuple[str, Decimal, Decimal]:
    for ref, source in CATALOGUE.sources.items():
        if source.table == "customer" and source.measure == measure and CATALOGUE.statement_of(ref) == statement:
            return ref, source.sign * goals.get(ref, Decimal(0)), source.sign * current.get(ref, Decimal(0))
    raise KeyError(measure)  # pragma: no cover - the catalogue has every measure for every statement


def _balance_customers(
    statement: str,
    customer_class: str,
    goals: Mapping[str, Decimal],
    current: Mapping[str, Decimal],
    extra: dict[str, list[dict[str, Any]]],
) -> None:
    """Balancing accounts for one class, in magnitudes (the books' convention): deficits first, then a credit."""
    lines = {m: _goal_of(statement, m, goals, current) for m in MEASURES}
    goal = {m: found[1] for m, found in lines.items()}
    now = {m: found[2] for m, found in lines.items()}
    if not any(ref in goals for ref, _, _ in lines.values()):
        # The layout prints only the statement's requirement: choose the lines behind it, then cash.
        for m in ("securities", "unrealized", "long_option_value", "short_option_value"):
            goal[m] = now[m].quantize(Decimal(1), rounding=ROUND_HALF_UP) + (101_000 if m == "securities" else 1000)
        goal["deficit"] = now["deficit"].quantize(Decimal(1)) + 150_000
        goal["offset"] = now["offset"].quantize(Decimal(1)) + 100_000
        goal["cash"] = _cash_for_requirement(statement, goals, {m: ref for m, (ref, _, _) in lines.items()}, goal)
    covered = goal["offset"] - now["offset"]
    bare = goal["deficit"] - now["deficit"] - covered
    if covered < 0 or bare < 0:
        raise ValueError(f"{statement}: the random deficits exceed the target; use fewer accounts per deficit")
    prefix = f"BAL-{PREFIX[customer_class]}"
    cash = goal["cash"] - now["cash"] + covered + bare
    credit = {m: goal[m] - now[m] for m in ("unrealized", "long_option_value", "short_option_value")}
    securities = goal["securities"] - now["securities"] - covered
    for account in (f"{prefix}-COVERED", f"{prefix}-BARE", f"{prefix}-CREDIT"):
        extra["accounts"].append({"account": account, "class": customer_class})
    extra["ledger"] += [
        {"account": f"{prefix}-COVERED", "currency": "USD", "cash": -covered},
        {"account": f"{prefix}-BARE", "currency": "USD", "cash": -bare},
        {"account": f"{prefix}-CREDIT", "currency": "USD", "cash": cash, **credit},
    ]
    extra["securities"] += [
        {
            "account": f"{prefix}-COVERED",
            "security": "912796AB1",
            "type": "government",
            "currency": "USD",
            "market_value": covered,
            "depository": "DCO-1",
            "haircut": Decimal(0),
        },
        {
            "account": f"{prefix}-CREDIT",
            "security": "912796AB2",
            "type": "government",
            "currency": "USD",
            "market_value": securities,
            "depository": "DCO-1",
            "haircut": Decimal(0),
        },
    ]
    # The credit account must not run a deficit itself: that would move the deficit lines off their targets.
    equity = cash + credit["unrealized"] + credit["long_option_value"] - credit["short_option_value"]
    if min(securities, credit["long_option_value"], credit["short_option_value"], equity) < 0:
        raise ValueError(f"{statement}: the random accounts exceed a target line; the demo's scales need adjusting")


def _append(folder: Path, name: str, rows: list[dict[str, Any]], parquet: bool) -> None:
    spec = TABLE[name]
    if parquet:
        path = folder / f"{name}.parquet"
        existing = pq.read_table(path)
        added = pa.Table.from_pylist(
            [{c.name: r.get(c.name) for c in spec.columns if c.name in existing.column_names} for r in rows], schema=existing.schema
        )
        pq.write_table(pa.concat_tables([existing, added]), path)
        return
    path = folder / f"{name}.csv"
    with path.open(encoding="utf-8") as handle:
        columns = next(csv.reader(handle))
    with path.open("a", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, quoting=csv.QUOTE_MINIMAL)
        for row in rows:
            writer.writerow(
                ["" if row.get(c) is None else str(row[c]).lower() if isinstance(row.get(c), bool) else row.get(c) for c in columns]
            )


def _write_confirmations(folder: Path, books: Books) -> None:
    """What each depository confirms: here, exactly what the books show (a clean reconciliation)."""
    with (folder / "confirmations.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["date", "depository", "class", "asset", "currency", "amount"])
        for row in books.rows("balances"):
            writer.writerow(
                [books.config.business_date.isoformat(), row["depository"], row["class"], row["asset"], row["currency"], row["amount"]]
            )
