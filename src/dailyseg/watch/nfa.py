"""NFA's public FCM summaries (BASIC's segregation, 30.7 secured and cleared swaps pages), read from saved text.

Each page gives a report title, the firm's name in capitals with its NFA ID, an as-of date, then each label run
together with its dollar amount ("Total Funds in Segregation$1,234,567"), then the percentages of funds by
holding type ("Bank  45.2%") and by investment type, all inside the site's navigation text. Analysts save the
pages as text, by hand, so the reader goes by what a line says, never by where it is: navigation is every line
that says nothing it knows. dailyseg's own `publish` summary (its pools side by side in one table, cells
separated by tabs when saved as text) reads the same way, and an HTML page is read as its text.

The firm, its NFA ID and the as-of date hold for the lines after them; a title naming a pool ("Customer
Segregated Funds", "30.7 Secured Amount", "Cleared Swaps") starts that pool's summary, and a label naming a
pool ("... in Separate Section 30.7 Accounts") belongs to it whatever the title. Amounts are `Decimal`;
percentages too, at most two decimals. Reading never raises: a damaged page gives problems naming the file,
line, what was expected and what was found. Percentages that do not add up to 100 within what rounding
each to its printed places can explain (99.9 and 100.1 can be rounding; 97 cannot) are a warning, as is an
excess that is not funds minus requirement; a summary lacking funds, requirement or excess is an error.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from dailyseg.money import AmountError, format_amount, parse_amount
from dailyseg.parse.source import MAX_DOCUMENT_BYTES, decode, load_bytes
from dailyseg.problems import Problem, ProblemSeverity
from dailyseg.watch.nfa_html import html_text, looks_like_html

POOLS = ("seg", "secured", "swaps")
MEASURES = ("funds", "required", "excess", "target")
REQUIRED_MEASURES = ("funds", "required", "excess")
BREAKDOWNS = ("holding", "investment")
MAX_PROBLEMS = 50  # then one problem counting the rest: a damaged file costs bounded output
_MAX_LINE = 2000  # longer lines are no label and amount: read as navigation, in linear time

# Possessive runs (`*+`): a run of spaces or colons is taken whole, never shared back and forth between two
# runs, so a line of two thousand spaces after "NFA ID" costs what it is long, not its cube.
_NFA_ID = re.compile(r"\bNFA\s*+ID\b[\s:#]*+(?:(?:No\.?|Number)[\s:#]*+)?(\d{3,10})\b", re.IGNORECASE)
_AS_OF = re.compile(r"\bas\s++of\b[\s:]*+", re.IGNORECASE)
_DATE = re.compile(r"(\d{1,2}/\d{1,2}/\d{4}|\d{4}-\d{2}-\d{2}|[A-Za-z]{3,9}\.?\s+\d{1,2},?\s+\d{4})")
_DATE_FORMATS = ("%m/%d/%Y", "%Y-%m-%d", "%B %d, %Y", "%B %d %Y", "%b %d, %Y", "%b %d %Y", "%b. %d, %Y")
_SEG_WORD = re.compile(r"\bseg\b")
_CELL_GAP = re.compile(r"\s{2,}")
_NUMBER_CHARS = frozenset("0123456789.")
_MAX_PERCENT_CHARS = 12  # "100.0" is five: anything near Decimal's precision is no percentage


@dataclass(frozen=True)
class NfaSummary:
    """One firm's summary of one pool on one day: amounts by measure, percentages by breakdown and label."""

    firm: str
    nfa_id: str  # "" where the page gives none (dailyseg's own publish page)
    pool: str
    as_of: date
    line: int
    values: dict[str, Decimal]
    shares: dict[str, dict[str, Decimal]]


@dataclass(frozen=True)
class NfaRead:
    source: str
    summaries: tuple[NfaSummary, ...]
    problems: tuple[Problem, ...]

    @property
    def stops_reading(self) -> bool:
        """Part of the file could not be read: what makes an import of it store nothing."""
        return any(p.stops_reading for p in self.problems)


def pool_of(text: str) -> str | None:
    """The pool a title, column heading or label names ("Cleared Swaps Customer Segregated Funds" -> swaps)."""
    words = text.lower()
    if "swap" in words or "4d(f)" in words or "part 22" in words:
        return "swaps"
    if "secured" in words or "30.7" in words or "part 30" in words or "foreign futures" in words:
        return "secured"
    if "segregat" in words or "4d(a)(2)" in words or _SEG_WORD.search(words):
        return "seg"
    return None


def measure_of(label: str) -> str | None:
    """The figure a label stands for ("Excess/Deficiency Funds in Segregation" -> excess); None for no figure."""
    words = label.lower()
    if "target" in words:
        return None if "excess" in words or "over" in words or "under" in words else "target"
    if "excess" in words or "deficien" in words:
        return "excess"
    if "required" in words or "requirement" in words:
        return "required"
    if "funds" in words or words.startswith("total"):
        return "funds"
    return None


def breakdown_of(heading: str) -> str | None:
    """What a heading's percentages are shares of: holding (banks, clearing organizations) or investment type."""
    words = heading.lower()
    if "percent" not in words and "% of" not in words:
        return None
    return "investment" if "invest" in words else "holding"


def _as_of(rest: str) -> date | None:
    match = _DATE.match(rest)
    if match is None:
        return None
    text = " ".join(match.group(1).split())
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def _percent(text: str) -> Decimal | None:
    """ "45.2%" -> 45.2; None for anything else."""
    body = text.strip()
    if not body.endswith("%"):
        return None
    number = body[:-1].strip()
    sign = number[:1] if number[:1] in "+-" else ""
    digits = number[len(sign) :]
    if not digits or len(digits) > _MAX_PERCENT_CHARS or not set(digits) <= _NUMBER_CHARS or digits.count(".") > 1 or digits == ".":
        return None
    return -Decimal(digits) if sign == "-" else Decimal(digits)


def _amount(text: str) -> Decimal | None:
    try:
        return parse_amount(text.replace("$", ""))
    except AmountError:
        return None


def _split_percent(line: str) -> tuple[str, str] | None:
    """A line ending in a percentage: (label, the percentage's text), the label possibly run into it."""
    if not line.endswith("%"):
        return None
    body = line[:-1].rstrip()
    start = len(body)
    while start > 0 and body[start - 1] in _NUMBER_CHARS:
        start -= 1
    while start < len(body) and body[start] == ".":  # "F.C.M.12.5%": the label's full stop is not the number's
        start += 1
    if start > 0 and body[start - 1] in "+-" and (start == 1 or not body[start - 2].isalnum()):
        start -= 1
    return body[:start].rstrip(" :\t"), body[start:] + "%"


def _split_amount(line: str) -> tuple[str, str] | None:
    """A line ending in an amount: (label, the amount's text); "$" marks the amount, else whitespace does."""
    dollar = line.find("$")
    if dollar >= 0:
        start = dollar
        before = line[:dollar].rstrip()
        if before[-1:] in ("(", "-"):
            start = len(before) - 1
        return line[:start].rstrip(" :\t"), line[start:]
    parts = line.rsplit(None, 1)
    if len(parts) == 2 and parts[1][:1] in "0123456789(-":
        return parts[0].rstrip(" :\t"), parts[1]
    return None


@dataclass
class _Draft:
    firm: str
    nfa_id: str
    pool: str
    as_of: date
    line: int
    values: dict[str, Decimal] = field(default_factory=dict)
    shares: dict[str, dict[str, Decimal]] = field(default_factory=dict)
    share_lines: dict[str, int] = field(default_factory=dict)


@dataclass
class _Reader:
    source: str
    problems: list[Problem] = field(default_factory=list)
    drafts: dict[tuple[str, str, str, date], _Draft] = field(default_factory=dict)
    firm: str | None = None
    nfa_id: str = ""
    as_of: date | None = None
    pool: str | None = None
    breakdown: str | None = None
    columns: list[str] | None = None
    previous: str = ""
    unnamed_breakdown_told: bool = False

    def problem(self, line: int | None, message: str, expected: str = "", found: str = "", *, warning: bool = False) -> None:
        self.problems.append(Problem(self.source, line, message, expected, found, severity="warning" if warning else "error"))

    def read(self, text: str) -> None:
        for number, raw in enumerate(text.splitlines(), start=1):
            line = raw.strip()
            if line and len(line) <= _MAX_LINE:
                self.line(number, raw.strip(" \r\f\v\xa0"), line)
                self.previous = line

    def line(self, number: int, cells_text: str, line: str) -> None:
        if self.identity(number, line):
            return
        cells = cells_text.split("\t") if "\t" in cells_text else _CELL_GAP.split(line)
        cells = [c.strip() for c in cells]
        if self.header(cells) or self.row(number, cells) or self.share(number, line) or self.figure(number, line):
            return
        breakdown = breakdown_of(line)
        pool = pool_of(line)
        if breakdown is not None:
            self.breakdown = breakdown
            self.pool = pool or self.pool
        elif pool is not None:
            self.pool, self.breakdown, self.columns = pool, None, None

    def identity(self, number: int, line: str) -> bool:
        """The firm with its NFA ID, or the as-of date (a firm not named yet is the line before it)."""
        named = _NFA_ID.search(line)
        if named is not None:
            name = line[: named.start()].strip(" -|(:,\t")
            if self.nfa_id and named.group(1) != self.nfa_id:  # another firm: the first one's date is not its own
                self.as_of, self.breakdown, self.columns = None, None, None
            self.firm, self.nfa_id = name or self.previous, named.group(1)
            return True
        dated = _AS_OF.search(line)
        if dated is None:
            return False
        day = _as_of(line[dated.end() :])
        if day is None:
            self.problem(
                number, "an as-of date that is not a date", "a date such as 06/30/2024 or June 30, 2024", line[dated.start() :][:60]
            )
            return True
        if self.firm is None:
            self.firm = self.previous
        self.as_of = day
        self.pool = pool_of(line[: dated.start()]) or self.pool
        return True

    def header(self, cells: list[str]) -> bool:
        """A row of pool headings: the pools of the columns of the rows below it (publish's summary table)."""
        heads = cells if all(pool_of(c) for c in cells) else cells[1:]
        if len(cells) < 2 or not heads or not all(c and pool_of(c) for c in heads):
            return False
        if any(_amount(c) is not None or _percent(c) is not None for c in cells):
            return False
        self.columns = [p for c in heads if (p := pool_of(c))]
        return True

    def row(self, number: int, cells: list[str]) -> bool:
        """A row under pool headings: a label, then one amount or percentage (or nothing) per pool."""
        if self.columns is None or len(cells) < 2 or not cells[0]:
            return False
        given = cells[1:]
        if not any(given) or not all(not c or _amount(c) is not None or _percent(c) is not None for c in given):
            return False
        label = cells[0]
        is_share = any(c.endswith("%") for c in given)
        if not is_share and measure_of(label) is None:
            return True  # a row of amounts under no figure's label: the site's, not the summary's
        if len(given) != len(self.columns):
            shown = ", ".join(self.columns)
            self.problem(
                number, f"{label!r}: a value per pool column", f"{len(self.columns)} values ({shown})", f"{len(given)}: {' | '.join(given)}"
            )
            return True
        for pool, cell in zip(self.columns, given, strict=True):
            if cell:
                if is_share:
                    self.add_share(number, pool, label, cell)
                else:
                    self.add_value(number, pool, label, cell)
        return True

    def share(self, number: int, line: str) -> bool:
        split = _split_percent(line)
        if split is None:
            return False
        label, text = split
        if not label or label.lower().startswith("total"):
            return True  # a lone figure, or the total of the percentages: nothing of its own
        if self.pool is None:
            self.problem(
                number,
                f"a percentage of funds ({label!r}) before any title naming its pool",
                "a title such as 'Customer Segregated Funds'",
                line,
            )
            return True
        self.add_share(number, self.pool, label, text)
        return True

    def figure(self, number: int, line: str) -> bool:
        split = _split_amount(line)
        if split is None:
            return False
        label, text = split
        measure = measure_of(label)
        if measure is None:
            if "$" in text and label and self.firm is not None:
                self.problem(number, f"a dollar amount under a label that is no NFA summary figure: {label!r}", warning=True)
                return True
            return False
        pool = pool_of(label) or self.pool
        if pool is None:
            self.problem(number, f"{label!r} before any title naming its pool", "a title such as 'Customer Segregated Funds'", line)
            return True
        self.add_value(number, pool, label, text)
        return True

    def draft(self, number: int, pool: str, what: str) -> _Draft | None:
        if self.firm is None or self.as_of is None:
            missing = "the firm's name and NFA ID" if self.firm is None else "the as-of date"
            self.problem(number, f"{what} before {missing}", missing, what)
            return None
        key = (self.firm, self.nfa_id, pool, self.as_of)
        if key not in self.drafts:
            self.drafts[key] = _Draft(self.firm, self.nfa_id, pool, self.as_of, number)
        return self.drafts[key]

    def add_value(self, number: int, pool: str, label: str, text: str) -> None:
        amount = _amount(text)
        measure = measure_of(label)
        if amount is None or measure is None:
            self.problem(number, f"{label!r}: not an amount", "a dollar amount such as $1,234,567 or ($1,234)", text)
            return
        target = self.draft(number, pool, label)
        if target is not None:
            self.put(number, target.values, measure, amount, f"{pool} {measure}")

    def add_share(self, number: int, pool: str, label: str, text: str) -> None:
        percent = _percent(text)
        if percent is None:
            self.problem(number, f"{label!r}: not a percentage", "a percentage such as 45.2%", text)
            return
        if percent != percent.quantize(Decimal("0.01")):
            self.problem(number, f"{label!r}: a percentage finer than a hundredth of a percent", "at most two decimals", text)
            return
        target = self.draft(number, pool, label)
        if target is None:
            return
        if self.breakdown is None and not self.unnamed_breakdown_told:
            self.unnamed_breakdown_told = True
            self.problem(number, "percentages under no heading saying what they are shares of: read as by holding type", warning=True)
        breakdown = self.breakdown or "holding"
        target.share_lines.setdefault(breakdown, number)
        self.put(number, target.shares.setdefault(breakdown, {}), " ".join(label.split()), percent, f"{pool} {breakdown} {label!r}")

    def put(self, number: int, into: dict[str, Decimal], key: str, value: Decimal, what: str) -> None:
        if key in into and into[key] != value:
            self.problem(number, f"a second, different value for {what}", str(into[key]), str(value))
        else:
            into[key] = value


def _half_unit(percent: Decimal) -> Decimal:
    """Half a unit of a percentage's last printed place (45.2 -> 0.05): how far rounding may have moved it."""
    places = percent.as_tuple().exponent
    return Decimal(5).scaleb((places if isinstance(places, int) else 0) - 1)


def _checked(reader: _Reader, draft: _Draft) -> NfaSummary | None:
    """The summary of a draft, with problems for what is missing or does not add up."""
    missing = [m for m in REQUIRED_MEASURES if m not in draft.values]
    where = f"{draft.firm} {draft.pool} {draft.as_of.isoformat()}"
    if missing:
        reader.problem(
            draft.line,
            f"{where}: the summary lacks {', '.join(missing)}",
            "funds, required and excess",
            ", ".join(sorted(draft.values)) or "none",
        )
        return None
    funds, required, excess = (draft.values[m] for m in REQUIRED_MEASURES)
    if excess != funds - required:
        found = f"excess {format_amount(excess)}, funds - required = {format_amount(funds - required)}"
        reader.problem(draft.line, f"{where}: excess is not funds minus requirement", "excess = funds - required", found, warning=True)
    for breakdown, shares in draft.shares.items():
        total = sum(shares.values(), Decimal(0))
        slack = sum((_half_unit(v) for v in shares.values()), Decimal(0))
        if abs(total - 100) > slack:
            reader.problem(
                draft.share_lines[breakdown],
                f"{where}: percentages of funds by {breakdown} type add up to {total}%",
                f"100% within {slack} (each percentage rounded to its printed places)",
                f"{total}%",
                warning=True,
            )
    values = {m: draft.values[m] for m in MEASURES if m in draft.values}
    return NfaSummary(draft.firm, draft.nfa_id, draft.pool, draft.as_of, draft.line, values, draft.shares)


def _capped(problems: list[Problem], source: str) -> Iterator[Problem]:
    yield from problems[:MAX_PROBLEMS]
    if len(problems) > MAX_PROBLEMS:
        more = problems[MAX_PROBLEMS:]
        worst: ProblemSeverity = "error" if any(p.stops_reading for p in more) else "warning"
        yield Problem(source, None, f"{len(more)} more problems not listed", severity=worst)


def read_text(text: str, source: str) -> NfaRead:
    """The summaries in a page's text (or HTML), with every problem met."""
    reader = _Reader(source)
    reader.read(html_text(text) if looks_like_html(text) else text)
    summaries = [s for d in reader.drafts.values() if (s := _checked(reader, d)) is not None]
    if not summaries and not any(p.stops_reading for p in reader.problems):
        reader.problem(None, "no NFA summary found", "a firm's name with its NFA ID, an as-of date and labelled amounts", "none of them")
    return NfaRead(source, tuple(summaries), tuple(_capped(reader.problems, source)))


def read_file(path: str) -> NfaRead:
    """Read a saved page (text, HTML or a PDF's text; UTF-8, else Windows-1252). Never raises for what the file holds."""
    source, raw, failure = load_bytes(path, MAX_DOCUMENT_BYTES)
    if failure is not None or raw is None:
        return NfaRead(source, (), (failure or Problem(source, None, "cannot open the file", severity="fatal"),))
    if len(raw) > MAX_DOCUMENT_BYTES or not raw.strip():
        found = "no text" if not raw.strip() else f"more than {MAX_DOCUMENT_BYTES:,} bytes"
        return NfaRead(
            source,
            (),
            (Problem(source, None, "not an NFA summary page", f"text of at most {MAX_DOCUMENT_BYTES:,} bytes", found, severity="fatal"),),
        )
    decoded = decode(source, raw)
    if decoded.text is None:
        return NfaRead(source, (), decoded.problems)
    read = read_text(decoded.text, source)
    return NfaRead(source, read.summaries, decoded.problems + read.problems)
