"""Generated filings that validate clean: for the store's tests, its benchmark and demonstrations.

Nothing here names a line. Each statement's lines, formulas, signs and sources come from the catalogue: the
generator chooses the input lines (those no formula derives), with the signs their rows allow, and derives
every other line with the layout's formulas, so a filing foots by construction whatever the catalogue says.
The requirement is carried by one requirement input line, funds are spread over the funds input lines by
where a firm of the statement's customer class keeps them (depository kinds and assets, the vocabulary of
the catalogue's sources), and the soft ties are applied as assignments, so they hold too.

A series is a random walk that moves like a firm's books: the requirement changes by at most a few percent
a day and the excess is a share of it that drifts slowly, well above the management target. So a clean
series has no deficiency, no shortfall against the target, no fall of more than 25% of the prior day's
excess and no move that a robust z score over the trailing weeks would call unusual. Conditions that should
be found are injected on purpose, by `Faults`.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import ROUND_FLOOR, Decimal
from functools import cache
from types import MappingProxyType
from typing import ClassVar, Literal, get_args

from dailyseg.calendar import business_days, next_business_day
from dailyseg.catalogue import CATALOGUE, Formula, Row, Statement
from dailyseg.filing import Entry, Filing, Header

FORM = CATALOGUE.form_names[0]
LAYOUT = "full"
ZERO = Decimal(0)
DOLLAR = Decimal(1)

# Where each customer class keeps its customers' funds, in percent by (depository kind, asset): the terms of
# the catalogue's depository sources. A funds line takes the weights of the pairs its source reads, so the
# spread follows the catalogue's sources rather than a list of lines.
HOLDINGS: Mapping[str, Mapping[tuple[str, str], int]] = {
    "futures": {
        ("us_bank", "cash"): 30,
        ("us_bank", "investments"): 10,
        ("dco", "cash"): 35,
        ("dco", "investments"): 15,
        ("fcm", "net_liquidating_equity"): 5,
        ("on_hand", "cash"): 5,
    },
    "foreign": {
        ("us_bank", "cash"): 40,
        ("us_bank", "investments"): 10,
        ("fcm", "cash"): 20,
        ("foreign_clearing", "cash"): 20,
        ("foreign_member", "cash"): 10,
    },
    "swaps": {
        ("us_bank", "cash"): 30,
        ("us_bank", "investments"): 10,
        ("dco", "cash"): 40,
        ("dco", "investments"): 15,
        ("fcm", "net_liquidating_equity"): 5,
    },
}
# The other operands of a greater-of requirement (a foreign jurisdiction's amount) sit at this share of the
# requirement, so the computed amount governs and the greater-of rule holds.
FLOOR_SHARE = Decimal("0.9")


# -- one statement ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Plan:
    """How to fill one statement of a layout, worked out once from the catalogue.

    `line` carries the requirement (`slope` is how the requirement moves with it, +1 or -1); `floors` are
    the inputs of a greater-of beside the requirement's path; `shares` weigh the funds input lines, `rest`
    takes what rounding leaves (and all of funds when the weights do not apply).
    """

    statement: Statement
    rows: Mapping[str, Row]
    refs: tuple[str, ...]
    formulas: tuple[Formula, ...]
    line: str
    slope: int
    floors: tuple[str, ...]
    shares: tuple[tuple[str, int], ...]
    rest: str


def _statement_formulas(statement: Statement, layout: str) -> list[Formula]:
    return [f for f in CATALOGUE.formulas_for(layout) if CATALOGUE.statement_of(f.target) == statement.id]


def _ordered(formulas: list[Formula]) -> tuple[Formula, ...]:
    """Formulas so that each comes after those deriving its terms: one pass then settles every line."""
    by_target = {f.target: f for f in formulas}
    if len(by_target) != len(formulas):
        raise ValueError(f"two formulas derive the same line: {sorted(f.target for f in formulas)}")
    done: list[Formula] = []
    placed: set[str] = set()
    waiting = list(formulas)
    while waiting:
        ready = [f for f in waiting if all(t.ref in placed or t.ref not in by_target for t in f.terms)]
        if not ready:
            raise ValueError(f"the formulas of {sorted(f.target for f in waiting)} depend on each other")
        for formula in ready:
            done.append(formula)
            placed.add(formula.target)
            waiting.remove(formula)
    return tuple(done)


def _inputs_under(ref: str, derived: Mapping[str, Formula]) -> set[str]:
    """The input lines a line is computed from (itself, when no formula derives it)."""
    if ref not in derived:
        return {ref}
    found: set[str] = set()
    for term in derived[ref].terms:
        found |= _inputs_under(term.ref, derived)
    return found


def _greater_of_floors(ref: str, line: str, derived: Mapping[str, Formula]) -> list[str]:
    """Input operands of each greater-of on the requirement's path that do not lead to `line`."""
    formula = derived.get(ref)
    if formula is None:
        return []
    floors: list[str] = []
    for term in formula.terms:
        leads = line in _inputs_under(term.ref, derived)
        if formula.op == "max" and not leads and term.ref not in derived:
            floors.append(term.ref)
        elif leads:
            floors.extend(_greater_of_floors(term.ref, line, derived))
    return floors


def _holding_weight(ref: str, customer_class: str) -> int:
    source = CATALOGUE.sources.get(ref)
    if source is None or source.table != "depository" or source.sign < 0:
        return 0
    weights = HOLDINGS.get(customer_class, {})
    return sum(weights.get((kind, asset), 0) for kind in source.kinds for asset in source.assets)


def _derive(amounts: dict[str, Decimal], formulas: Iterable[Formula]) -> None:
    for formula in formulas:
        amounts[formula.target] = formula.evaluate(amounts)


@cache
def _plan(statement_id: str, layout: str) -> _Plan:
    statement = CATALOGUE.statement_by_id[statement_id]
    rows = {row.ref: row for row in statement.rows(layout) if row.ref is not None}
    refs = tuple(rows)
    formulas = _statement_formulas(statement, layout)
    derived = {f.target: f for f in formulas if f.severity == "error"}
    ties = [f for f in formulas if f.severity != "error"]
    tied = {ref for f in ties for ref in f.refs}
    requirement, funds = str(statement.requirement), str(statement.funds)
    under_requirement = _inputs_under(requirement, derived)
    operands = {t.ref for f in derived.values() if f.op == "max" for t in f.terms}
    candidates = [ref for ref in refs if ref in under_requirement and ref not in tied and ref not in operands and rows[ref].sign == "any"]
    if requirement not in derived:
        candidates = [requirement]
    if not candidates:
        raise ValueError(f"{statement_id}: no input line of layout {layout} can carry the requirement")
    line = candidates[0]
    ordered = _ordered(formulas)
    trial = dict.fromkeys(refs, ZERO) | {line: DOLLAR}
    _derive(trial, ordered)
    slope = int(trial[requirement])
    if slope not in (1, -1):
        raise ValueError(f"{statement_id}: the requirement moves by {slope} with line {line}, not one for one")
    fundable = [
        ref
        for ref in refs
        if ref in _inputs_under(funds, derived) and ref not in derived and ref not in {t.target for t in ties} and ref != line
    ]
    weighted = [(ref, w) for ref in fundable if (w := _holding_weight(ref, statement.customer_class)) and rows[ref].sign != "nonpos"]
    absorbing = [ref for ref, _ in weighted if rows[ref].sign == "any"] or [ref for ref in fundable if rows[ref].sign == "any"]
    if not absorbing:
        raise ValueError(f"{statement_id}: no funds input line of layout {layout} can take any amount")
    rest = absorbing[0]
    floors = tuple(_greater_of_floors(requirement, line, derived))
    return _Plan(statement, rows, refs, ordered, line, slope, floors, tuple(weighted), rest)


def statement_amounts(statement: str, requirement: Decimal, funds: Decimal, target: Decimal, *, layout: str = LAYOUT) -> dict[str, Decimal]:
    """Every line of one statement, footing exactly, with this requirement, total funds and target.

    Raises ValueError for a negative requirement or target: no such line is ever filed clean, so asking for
    one is a mistake rather than a fault to inject.
    """
    if requirement < 0 or target < 0:
        raise ValueError(f"{statement}: requirement and target are never negative (asked {requirement}, {target})")
    plan = _plan(statement, layout)
    amounts = dict.fromkeys(plan.refs, ZERO)
    target_line = str(plan.statement.target)
    if target_line in amounts:
        amounts[target_line] = target
    _spread_funds(plan, funds, amounts)
    _derive(amounts, plan.formulas)
    required = str(plan.statement.requirement)
    amounts[plan.line] = (requirement - amounts[required]) * plan.slope
    floor = (requirement * FLOOR_SHARE).quantize(DOLLAR, rounding=ROUND_FLOOR)
    amounts.update(dict.fromkeys(plan.floors, floor))
    _derive(amounts, plan.formulas)
    if amounts[required] != requirement:  # pragma: no cover - a catalogue whose requirement this plan cannot reach
        raise ValueError(f"{statement}: the lines give a requirement of {amounts[required]}, not {requirement}")
    return amounts


def _spread_funds(plan: _Plan, funds: Decimal, amounts: dict[str, Decimal]) -> None:
    """Funds over the weighted lines, whole dollars each; the rest line takes the remainder (and any sign)."""
    total = sum(weight for _, weight in plan.shares)
    placed = ZERO
    for ref, weight in plan.shares:
        if ref == plan.rest:
            continue
        part = (funds * weight / total).quantize(DOLLAR)
        if plan.rows[ref].sign_allows(part):
            amounts[ref] = part
            placed += part
    amounts[plan.rest] = funds - placed


# -- one filing ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Level:
    """Where one statement stands on a day: the three numbers a filing of it is built from."""

    requirement: Decimal
    excess: Decimal
    target: Decimal

    @property
    def funds(self) -> Decimal:
        return self.requirement + self.excess


def filing_of(firm: str, day: date, levels: Mapping[str, Level], *, status: str = "INITIAL", submit: date | None = None) -> Filing:
    """One filing in the full layout of the statements in `levels` (by statement id)."""
    entries: list[Entry] = []
    for statement, level in levels.items():
        amounts = statement_amounts(statement, level.requirement, level.funds, level.target)
        entries.extend(Entry(statement, ref, amount) for ref, amount in amounts.items())
    header = Header(status, day, firm, FORM, submit or next_business_day(day))
    return Filing(header, LAYOUT, tuple(entries))


def daily_filing(
    firm: str,
    day: date,
    *,
    requirement: Decimal,
    funds: Decimal,
    target: Decimal = ZERO,
    status: str = "INITIAL",
    submit: date | None = None,
) -> Filing:
    """One filing whose three statements all have this requirement, funds and target.

    It validates clean when `day` is a business day and funds cover the requirement plus the target; funds
    below that are a deficiency or a shortfall the caller asked for.
    """
    level = Level(requirement, funds - requirement, target)
    return filing_of(firm, day, {s.id: level for s in CATALOGUE.statements}, status=status, submit=submit)


# -- injected faults ----------------------------------------------------------------------------------------

StatementDay = tuple[date, str]
StatementFault = Literal["deficiency", "below_target", "drawdown"]


@dataclass(frozen=True)
class Faults:
    """Conditions injected into a series on purpose, each on the days named (and statement, where one applies).

    Each field is named after the condition; `RULES` gives the id of the rule that finds it. Every faulted
    filing still foots; only its condition is added, with what that condition entails: excess that turns
    negative has necessarily fallen by more than 25% of the prior day's (so a deficiency day is also a
    drawdown-25 day), and its funds fall and recover by more than a day's usual move.

    * deficiency: the statement's excess is below zero (1% of its requirement short).
    * below_target: the statement's excess is unchanged but its management target is set above it.
    * drawdown: the statement's excess falls to 70% of the prior filed day's and recovers slowly, staying
      above its target; the requirement rises and funds fall within a day's usual move.
    * late: the INITIAL filing is submitted two business days after its End Date.
    * missing_day: no filing for that business day (it must lie inside the series, not at either end).
    * amended: the day is filed twice, INITIAL then AMENDED (submitted a business day later) with funds of
      every statement raised by 0.1% of its requirement; the AMENDED is the filing of record.
    * amended_first: as `amended`, but the AMENDED version is yielded before its INITIAL (out-of-order arrival).
    """

    deficiency: tuple[StatementDay, ...] = ()
    below_target: tuple[StatementDay, ...] = ()
    drawdown: tuple[StatementDay, ...] = ()
    late: tuple[date, ...] = ()
    missing_day: tuple[date, ...] = ()
    amended: tuple[date, ...] = ()
    amended_first: tuple[date, ...] = ()

    RULES: ClassVar[Mapping[str, str]] = MappingProxyType(
        {
            "deficiency": "deficiency",
            "below_target": "below-target",
            "drawdown": "drawdown-25",
            "late": "late-initial",
            "missing_day": "missing-day",
            "amended": "amended",
            "amended_first": "amended",
        }
    )

    def __post_init__(self) -> None:
        for name in get_args(StatementFault):
            unknown = {statement for _, statement in getattr(self, name)} - set(CATALOGUE.statement_by_id)
            if unknown:
                raise ValueError(f"{name}: no statement {sorted(unknown)}; statements are {sorted(CATALOGUE.statement_by_id)}")
        if set(self.amended) & set(self.amended_first):
            raise ValueError("a day is amended either in order or out of order, not both")

    def days(self) -> set[date]:
        """Every day a fault names."""
        named = {day for day, _ in (*self.deficiency, *self.below_target, *self.drawdown)}
        return named | set(self.late) | set(self.missing_day) | set(self.amended) | set(self.amended_first)

    def on(self, name: StatementFault, day: date) -> set[str]:
        """The statements a statement fault names on `day`."""
        pairs: tuple[StatementDay, ...] = getattr(self, name)
        return {statement for when, statement in pairs if when == day}


NO_FAULTS = Faults()


# -- a series -----------------------------------------------------------------------------------------------

# Daily move of the requirement: up to 2% either way, pulled back 1% a day of the way to its base level.
SWING = Decimal("0.02")
PULL = Decimal("0.01")
# Excess as a share of the requirement: drifts by at most 0.05 points a day between 8% and 14%; the
# management target is 4% of the requirement, half the lowest excess.
RATIO_LOW, RATIO_HIGH, RATIO_STEP = Decimal("0.08"), Decimal("0.14"), Decimal("0.0005")
TARGET_SHARE = Decimal("0.04")
DEFICIT_SHARE = Decimal("0.01")
DRAWDOWN_KEEPS = Decimal("0.7")
AMENDMENT_SHARE = Decimal("0.001")
# Moves are drawn in blocks of this many days, one from each equal slice of the range (in random order):
# every few weeks then hold moves of every size, so no day's move stands out against its neighbours'
# as a run of independent draws eventually would.
BLOCK = 10
_GRAIN = 1000


def _stratified(rng: random.Random) -> list[Decimal]:
    """A block of moves in [-1, 1): one from each of BLOCK equal slices, shuffled."""
    moves = [Decimal(2 * (i * _GRAIN + rng.randrange(_GRAIN)) - BLOCK * _GRAIN) / (BLOCK * _GRAIN) for i in range(BLOCK)]
    rng.shuffle(moves)
    return moves


@dataclass
class _Walk:
    """One statement's requirement and excess share, moved once per filed day."""

    rng: random.Random
    base: Decimal
    requirement: Decimal
    ratio: Decimal
    moves: list[Decimal] = field(default_factory=list)
    steps: list[Decimal] = field(default_factory=list)

    def _draw(self, pending: list[Decimal]) -> Decimal:
        if not pending:
            pending.extend(_stratified(self.rng))
        return pending.pop()

    def step(self, *, rise: bool = False) -> Level:
        """The next day's level; `rise` takes the largest usual rise of the requirement (a drawdown day)."""
        move = self._draw(self.moves)
        growth = (SWING if rise else SWING * move) - PULL * (self.requirement - self.base) / self.base
        self.requirement = (self.requirement * (1 + growth)).quantize(DOLLAR)
        step = RATIO_STEP * self._draw(self.steps)
        ratio = self.ratio + step
        if ratio < RATIO_LOW:
            ratio = self.ratio + abs(step)
        elif ratio > RATIO_HIGH:
            ratio = self.ratio - abs(step)
        self.ratio = ratio
        return self.level()

    def level(self) -> Level:
        excess = (self.requirement * self.ratio).quantize(DOLLAR)
        return Level(self.requirement, excess, (self.requirement * TARGET_SHARE).quantize(DOLLAR))


def _walks(rng: random.Random) -> dict[str, _Walk]:
    """A walk per statement: the first statement's base at random, the others a random share of it."""
    base = Decimal(rng.randrange(100_000_000, 5_000_000_000))
    walks: dict[str, _Walk] = {}
    for i, statement in enumerate(s.id for s in CATALOGUE.statements):
        size = base if i == 0 else (base * rng.randrange(15, 60) / 100).quantize(DOLLAR)
        ratio = RATIO_LOW + (RATIO_HIGH - RATIO_LOW) * rng.randrange(20, 80) / 100
        walks[statement] = _Walk(random.Random(rng.getrandbits(64)), size, size, ratio)
    return walks


def _check_days(faults: Faults, days: list[date]) -> None:
    known = set(days)
    outside = sorted(faults.days() - known)
    if outside:
        raise ValueError(f"faults name days that are not business days of the series: {[d.isoformat() for d in outside]}")
    if days and {days[0], days[-1]} & set(faults.missing_day):
        raise ValueError("a missing day must lie inside the series: at either end it is just a shorter series")


def _faulted(day: date, levels: dict[str, Level], walks: Mapping[str, _Walk], faults: Faults, prior: Mapping[str, Decimal]) -> None:
    """Apply the day's statement faults to its levels (a drawdown also to its walk, so it recovers slowly)."""
    for statement in faults.on("drawdown", day):
        before = prior.get(statement)
        level = levels[statement]
        excess = (before * DRAWDOWN_KEEPS).quantize(DOLLAR, rounding=ROUND_FLOOR) if before is not None and before > 0 else None
        if excess is None or excess < level.target:
            raise ValueError(f"drawdown {day} {statement}: needs a prior filed day whose excess can fall 30% and stay above the target")
        levels[statement] = replace(level, excess=excess)
        walks[statement].ratio = excess / level.requirement
    for statement in faults.on("deficiency", day):
        level = levels[statement]
        levels[statement] = replace(level, excess=-max(DOLLAR, (level.requirement * DEFICIT_SHARE).quantize(DOLLAR)))
    for statement in faults.on("below_target", day):
        level = levels[statement]
        if level.excess >= 0:
            levels[statement] = replace(level, target=level.excess + max(DOLLAR, (level.excess / 10).quantize(DOLLAR)))


def _amendment(levels: Mapping[str, Level]) -> dict[str, Level]:
    return {s: replace(v, excess=v.excess + max(DOLLAR, (v.requirement * AMENDMENT_SHARE).quantize(DOLLAR))) for s, v in levels.items()}


def series(firm: str, start: date, end: date, *, seed: int = 0, faults: Faults = NO_FAULTS) -> Iterator[Filing]:
    """A firm's filings on every business day from `start` to `end`, clean but for the `faults` injected.

    The same dates, seed and faults give the same amounts. A missing day does not move the walk, so the next
    day's move is a usual one. Raises ValueError at once (not when first iterated) for a fault on a day that
    is not a business day of the series.
    """
    days = business_days(start, end)
    _check_days(faults, days)
    return _filings(firm, days, random.Random(seed), faults)


def _filings(firm: str, days: list[date], rng: random.Random, faults: Faults) -> Iterator[Filing]:
    walks = _walks(rng)
    prior: dict[str, Decimal] = {}
    for day in days:
        if day in faults.missing_day:
            continue
        drawdown = faults.on("drawdown", day)
        levels = {s: walk.step(rise=s in drawdown) for s, walk in walks.items()}
        _faulted(day, levels, walks, faults, prior)
        due = next_business_day(day)
        submit = next_business_day(due) if day in faults.late else due
        initial = filing_of(firm, day, levels, submit=submit)
        if day in faults.amended or day in faults.amended_first:
            levels = _amendment(levels)
            amended = filing_of(firm, day, levels, status="AMENDED", submit=next_business_day(submit))
            yield from (amended, initial) if day in faults.amended_first else (initial, amended)
        else:
            yield initial
        prior = {s: level.excess for s, level in levels.items()}
