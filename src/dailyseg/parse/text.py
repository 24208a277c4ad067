"""Reader of published filings: the text/HTML of the public posting and text extracted from WinJammer PDFs.

Both formats come down to the same stream once markup is stripped: header fields, statement headings and
`value [code]` pairs, either one row a line (the posted text) or whole pages flattened into long lines
(PDF text). The reader is therefore one lexer over that stream:

* a statement heading from the catalogue switches the current statement;
* header fields (status, End Date, Firm Name, Form, Submit Date) build the header of the next statement;
* a new header or a repeated statement starts a new filing (several filings may share a file);
* `1.`/`A.` markers track the printed line, so an uncoded amount (the swaps line 12 A/B/C) lands on the
  catalogue component of that line;
* `amount [code]` pairs give the coded amounts; extra amounts before a code (`0 0 [8715]`) belong to the
  uncoded sub-line on which they are printed.

Anything that does not fit becomes a `Problem` with its line; nothing raises.

A plain document (what dailyseg writes, and most posted text) is read line by line in C instead
(`TextReader.read_plain`, see `dailyseg.parse.tokens`), with the same result; anything else, here.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from itertools import takewhile

from dailyseg.catalogue import CATALOGUE
from dailyseg.filing import CoverPage, Entry, Filing, Header
from dailyseg.money import AmountError, parse_amount
from dailyseg.parse.cover import parse_cover
from dailyseg.parse.tokens import COMPILED, PLAIN_COVER, PLAIN_FIELD, PLAIN_HEADING, PLAIN_STATUS, Scanner, read_plain_events, scan
from dailyseg.problems import Problem, ProblemSeverity, ProblemTally

# Any bracketed code-like text: what the tokens did not take as `amount [code]` is reported, never dropped.
_CODE = re.compile(r"\[[ \t]*(?P<code>[^\[\]\s]{1,12})[ \t]*\]")
_CELL_LOOKBACK = 200
_LONE_MARKER = re.compile(r"([0-9]{1,2})\.|([A-E])\.")
_FIELD = re.compile(r"\b(End Date|Firm Name|Form|Submit Date)\s*:", re.IGNORECASE)
_STATUS = re.compile(r"^(INITIAL|AMENDED)\b", re.IGNORECASE)


def _spaced(word: str) -> str:
    """A word whose letters may be spaced out by any number of blanks ("W  I  N  J")."""
    return r"[ \t]*".join(word)


# The banner as printed (letters spaced by one or two blanks), on a page with its page number before or after
# it ("1 W I N J A M M E R F I L I N G INITIAL 1"), and maybe a period and the header fields after it.
_BANNER = re.compile(
    rf"(?:^[ \t]*[0-9]{{1,4}}[ \t]+)?{_spaced('WINJAMMER')}[ \t]*{_spaced('FILING')}"
    rf"[ \t.:]*(?:(?P<status>{_spaced('INITIAL')}|{_spaced('AMENDED')})(?![A-Za-z]))?(?:[ \t]+[0-9]{{1,4}}[ \t]*$)?",
    re.IGNORECASE,
)
_BANNER_HINT = re.compile(r"w[ \t]*i[ \t]*n[ \t]*j", re.IGNORECASE)
# Page furniture: a page number alone on a line ("3", "Page 3", "Page 3 of 7").
_PAGE_NUMBER = re.compile(r"[ \t]*(?:page[ \t]+)?[0-9]{1,3}(?:[ \t]+of[ \t]+[0-9]{1,3})?[ \t]*", re.IGNORECASE)
# A page number glued to the last word of a page ("...Total funds in segregation3").
_GLUED_PAGE = re.compile(r"(?<=[A-Za-z])[0-9]{1,3}$")
# A web mirror's `Download "..."` line: header text in quotes, never statement text.
_DOWNLOAD = re.compile(r"^[ \t]*Download[ \t]+[\"\u201c](?P<inner>.*?)[\"\u201d]?[ \t]*$", re.IGNORECASE)
_SPACED = re.compile(r"\b(?:[A-Z] ){3,}[A-Z]\b")
_TAG = re.compile(r"<[^>\n]{0,200}>")
# `[^<>]*`, not `[^>]*`: an unclosed `<br` then scans only to the next tag, keeping the pass linear.
_BLOCK_TAG = re.compile(r"<\s*(?:br|/p|/div|/tr|/h[0-9]|/li|/table)\b[^<>]*>", re.IGNORECASE)
_CELL_TAG = re.compile(r"<\s*/t[dh]\s*>", re.IGNORECASE)
# Parts of a page that are not shown (the title in <head>, scripts, styles) must not run into the first line.
# Each closing tag is looked for once per opening, and a tag never closed is not looked for again (linear time).
_HIDDEN_OPEN = re.compile(r"<\s*(head|script|style)\b", re.IGNORECASE)
_HIDDEN_CLOSE = {name: re.compile(rf"<\s*/\s*{name}\s*>", re.IGNORECASE) for name in ("head", "script", "style")}
_DATE_FORMATS = ("%m/%d/%Y", "%Y-%m-%d", "%m/%d/%y", "%m-%d-%Y")

_HEADINGS = {s.heading.lower(): s.id for s in CATALOGUE.statements}
_HEADINGS[CATALOGUE.cover.heading.lower()] = "cover"
# Every heading starts alike ("daily segregation - "): a line without that text needs no heading search.
_HEADING_HINT = "".join(chars[0] for chars in takewhile(lambda chars: len(set(chars)) == 1, zip(*_HEADINGS, strict=False)))
_HEADING = re.compile("|".join(re.escape(h) for h in sorted(_HEADINGS, key=len, reverse=True)), re.IGNORECASE)
_COMPONENTS = {(row.statement, row.line, row.letter): row.key for rows in CATALOGUE.refs.values() for row in rows if row.key is not None}
_STATEMENT_OF = {ref: rows[0].statement for ref, rows in CATALOGUE.refs.items() if rows}
# The headings as the compiled reader takes them, (lower case, statement id), the cover page's last.
_PLAIN_HEADINGS = tuple(sorted(_HEADINGS.items(), key=lambda heading: heading[1] == "cover"))
# Letters spaced out for emphasis always hold a letter between two spaces followed by another ("I N").
_SPACED_HINT = re.compile(r" [A-Z] [A-Z] ")
_REAL_HEADER = ("status", "end_date", "firm_name")
_LAST_CODES = {
    s.id: frozenset(refs[-1] for layout in CATALOGUE.layouts if (refs := [r.ref for r in s.rows(layout) if r.code is not None]))
    for s in CATALOGUE.statements
}
# The labels printed at each (statement, line, letter), whitespace folded, lower case: a last line that stops
# inside one was cut short.
_LABELS: dict[tuple[str, str, str], tuple[str, ...]] = {}
for _row in (row for rows in CATALOGUE.refs.values() for row in rows):
    _LABELS.setdefault((_row.statement, _row.line, _row.letter), ())
    _LABELS[(_row.statement, _row.line, _row.letter)] += (" ".join(_row.label.split()).lower(),)
_LAST_MARKER = re.compile(r"(?:^|\s)(?:[0-9]{1,2}|[A-E])\.(?:\s+(?P<label>[^\[\]]*))?$")
_MONTH_DAY_YEAR = re.compile(r"([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})")


def _split_digits(first: str, second: str) -> bool:
    """ "32 3,655,746": one grouped amount broken by a space, not a number ending a label ("Regulation 30.7")."""
    return first.isdigit() and "," in second and re.fullmatch(r"[0-9]{1,3}(?:,[0-9]{3})+", first + second) is not None


@lru_cache(maxsize=1024)  # a document repeats its dates in every header block, and a batch of filings its days
def parse_date(text: str) -> date | None:
    cleaned = text.strip().strip("*").strip()
    numbers = _MONTH_DAY_YEAR.fullmatch(cleaned)
    if numbers:
        # The form's own "7/25/2013" without `strptime`, which costs more than the rest of a header line.
        month, day, year = numbers.groups()
        try:
            return date(int(year), int(month), int(day))
        except ValueError:
            pass
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(cleaned, fmt).date()
        except ValueError:
            continue
    return None


def _unspace(text: str) -> str:
    """Join letters spaced out for emphasis: "W I N J A M M E R" becomes "WINJAMMER"."""
    if not _SPACED_HINT.search(text):  # a scan for a literal space is far cheaper than `_SPACED`'s
        return text
    return _SPACED.sub(lambda m: m.group(0).replace(" ", ""), text)


def _drop_hidden(text: str) -> str:
    """Blank out `<head>`, `<script>` and `<style>` elements, keeping their line breaks so line numbers hold."""
    parts: list[str] = []
    kept = search = 0
    unclosed: set[str] = set()
    while (opening := _HIDDEN_OPEN.search(text, search)) is not None:
        name = opening.group(1).lower()
        closing = None if name in unclosed else _HIDDEN_CLOSE[name].search(text, opening.end())
        if closing is None:
            # Never closed: shown as it is (markup is stripped later), and not searched for again.
            unclosed.add(name)
            search = opening.end()
            continue
        parts.append(text[kept : opening.start()])
        parts.append("\n" * text.count("\n", opening.start(), closing.end()))
        kept = search = closing.end()
    parts.append(text[kept:])
    return "".join(parts)


def clean_lines(text: str) -> list[str]:
    """Plain text lines: HTML blocks become lines, markup and `**` go, entities are decoded."""
    if re.search(r"<\s*(?:html|table|tr|br|p|div)\b", text, re.IGNORECASE):
        text = _drop_hidden(text)
        text = _BLOCK_TAG.sub("\n", text)
        text = _CELL_TAG.sub("\t", text)
    # Each step runs once over the whole text (the patterns never cross a line), not once a line.
    text = _TAG.sub(" ", text)
    if "&" in text:
        text = html.unescape(text)
    text = _unspace(text.replace("**", "").replace("\xa0", " "))
    return [line.rstrip() for line in text.splitlines()]


@dataclass
class _Draft:
    """A filing being read: amounts and problems collected until the next header or end of text."""

    header: dict[str, object]
    statements: list[str] = field(default_factory=list)
    entries: dict[str, Entry] = field(default_factory=dict)
    where: dict[str, int] = field(default_factory=dict)
    cents: dict[str, int] = field(default_factory=dict)  # each amount in cents, where the compiled reader read them all
    cover_text: list[str] = field(default_factory=list)
    cover_line: int = 0


class TextReader:
    """One pass over the lines of a document."""

    def __init__(self, source: str, scan: Scanner = scan) -> None:
        self.source = source
        self.scan = scan
        self.tally = ProblemTally(source)
        self.filings: list[Filing] = []
        self.header: dict[str, object] = {}
        self.header_dirty = False
        self.header_line = 0
        self.draft: _Draft | None = None
        self.statement: str | None = None
        self.line_number = ""
        self.letter = ""
        # The catalogue component printed at the current line and letter (swaps 12A/B/C), if any.
        self.component: str | None = None
        # Header fields read from furniture, checked against the header of the filing they sit in.
        self.pending_furniture: list[tuple[int, str, object]] = []
        self.last_line = 0
        self.last_text = ""
        self.last_entry_line = 0
        # The line of a statement heading met again in this filing, until what follows shows whether it opens a
        # second filing (its first amount is one this filing already has) or continues this one.
        self.repeat_line = 0
        # A bare number that may be a page number or a component's amount, until the next line tells.
        self.awaiting: tuple[int, str] | None = None
        self.awaiting_past_header = False  # header lines came after that bare number: settled where they end
        self.page_number_after_header = False  # a page number followed the header block last read (a page's foot)
        self.compiled = False  # every amount read by the compiled reader alone: canonical, and in `_Draft.cents` too

    # -- problems -----------------------------------------------------------------------------------------
    def problem(
        self,
        line: int,
        message: str,
        *,
        expected: str = "",
        found: str = "",
        code: str | None = None,
        severity: ProblemSeverity = "error",
        kind: str = "",
    ) -> None:
        """Report a problem; `kind` is the message without what varies (a code, an amount, a line), for the cap."""
        if self.tally.listed(kind or message, line, f"at line {line}", severity):
            self.tally.problems.append(Problem(self.source, line, message, expected, found, code, severity))

    # -- header ---------------------------------------------------------------------------------------------
    def read_header(self, lineno: int, text: str) -> str:
        """Take header fields out of a piece of text and return what is left."""
        # Looking for the banner's first letter is cheaper than searching the whole line with the pattern.
        banner = _BANNER.search(text) if ("W" in text or "w" in text) and _BANNER_HINT.search(text) else None
        if banner:
            if banner.group("status"):
                self.start_header(re.sub(r"[ \t]", "", banner.group("status")).upper())
            text = text[: banner.start()] + text[banner.end() :]
            if not text.strip(" \t.:"):
                return ""
        stripped = text.strip()
        status = _STATUS.match(stripped) if len(stripped) == 7 else None
        if status:
            self.start_header(status.group(1).upper())
            return ""
        fields = list(_FIELD.finditer(text)) if ":" in text else []
        if not fields:
            return text
        for index, match in enumerate(fields):
            end = fields[index + 1].start() if index + 1 < len(fields) else len(text)
            self.read_field(lineno, match.group(1), text[match.end() : end].strip())
        return text[: fields[0].start()]

    def read_field(self, lineno: int, printed: str, value: str) -> None:
        """One header field, its name as printed ("End Date", "FORM") and its value."""
        name = printed.lower()
        if name in ("end date", "submit date"):
            # A flattened page may run the next words on after the date.
            parsed = parse_date((value.split() or [""])[0])
            if parsed is None:
                self.problem(lineno, f"cannot read the {printed}", expected="a date such as 7/25/2013", found=repr(value[:30]))
                return
            self.set_header("end_date" if name == "end date" else "submit_date", parsed)
        elif name == "firm name":
            self.set_header("firm_name", value.strip('"\u201c\u201d '))
        else:
            self.set_header("form", value.strip('"\u201c\u201d '))

    def start_header(self, status: str) -> None:
        """The status opens a header block: fields of an earlier block (a Submit Date) must not carry over."""
        self.header = {"status": status}
        self.header_dirty = True

    def set_header(self, name: str, value: object) -> None:
        self.header[name] = value
        self.header_dirty = True

    # -- statements ---------------------------------------------------------------------------------------
    def enter(self, lineno: int, statement: str) -> None:
        """A statement (or cover page) heading: decide whether it continues the current filing."""
        self.repeat_line = 0
        if self.draft is not None and self.starts_new_filing(lineno, statement):
            self.finish()
        if self.draft is None:
            self.draft = _Draft(header=dict(self.header))
        else:
            self.header = dict(self.draft.header)
        self.header_dirty = False
        self.header_line = 0
        self.draft.statements.append(statement)
        if statement == self.statement and self.repeat_line:
            return  # a page of the same statement: its text runs on, maybe inside a line (12. ... A. Cash)
        self.statement = statement
        self.line_number, self.letter = "", ""
        self.component = _COMPONENTS.get((statement, "", ""))
        if statement == "cover" and not self.draft.cover_line:
            self.draft.cover_line = lineno

    def starts_new_filing(self, lineno: int, statement: str) -> bool:
        """Whether a heading (and the header block before it) opens another filing or continues this one.

        Pages repeat the banner, header fields and the heading of the statement they continue; a full header
        that differs is another filing. A statement heading met again under the same header is either a page
        of that statement or a second copy of the filing: that is decided by the first amount after it
        (`repeat_line`). A partial header that differs is furniture contradicting the real header: a problem,
        and the first value is kept.
        """
        draft = self.draft
        assert draft is not None
        again = statement in draft.statements
        if again and statement == "cover" == self.statement:
            again = False  # the cover page's next page
        elif again and statement != "cover":
            self.repeat_line = lineno
            again = False
        if not self.header_dirty:
            return again
        block = self.header
        conflicts = [name for name in block if name in draft.header and block[name] != draft.header[name]]
        if conflicts and all(name in block for name in _REAL_HEADER):
            self.repeat_line = 0
            return True
        for name in conflicts:
            self.problem(
                self.header_line or lineno,
                f"page furniture contradicts the header: {name.replace('_', ' ')}",
                expected=str(draft.header[name]),
                found=str(block[name]),
            )
        for name, value in block.items():
            draft.header.setdefault(name, value)
        return again

    def repeats_the_header(self) -> bool:
        """The header block last read repeats the filing's own, field for field, and a page number follows it: a
        page's foot (printed pages carry the header below every page, so the last page ends with it), not a
        filing cut short inside its next header."""
        return (
            self.page_number_after_header
            and self.draft is not None
            and bool(self.header)
            and all(self.draft.header.get(name) == v for name, v in self.header.items())
        )

    def open_repeat(self, lineno: int) -> None:
        """The heading met again opened a second copy of the filing: the filing so far ends before it."""
        draft, statement, component = self.draft, self.statement, self.component
        assert draft is not None and statement is not None
        self.repeat_line = 0
        self.finish()
        self.draft = _Draft(header=dict(draft.header), statements=[statement])
        self.header = dict(draft.header)
        self.statement, self.component = statement, component

    @staticmethod
    def statement_complete(draft: _Draft, statement: str) -> bool:
        """The statement's last coded line (in some layout) has been read."""
        return bool(_LAST_CODES.get(statement, frozenset()) & draft.entries.keys())

    def furniture(self, lineno: int, text: str) -> None:
        """Header text a web mirror prints (`Download "..."`): checked against the real header, never stored."""
        saved, dirty, line = dict(self.header), self.header_dirty, self.header_line
        self.header = {}
        self.read_header(lineno, text)
        found, self.header, self.header_dirty, self.header_line = self.header, saved, dirty, line
        self.pending_furniture.extend((lineno, name, value) for name, value in found.items())

    def check_furniture(self, header: dict[str, object]) -> None:
        for lineno, name, value in self.pending_furniture:
            if name in header and header[name] != value:
                self.problem(
                    lineno, f"page furniture contradicts the header: {name.replace('_', ' ')}", expected=str(header[name]), found=str(value)
                )
        self.pending_furniture.clear()

    def add(self, lineno: int, ref: str, raw: str, label: str) -> None:
        draft = self.draft
        assert draft is not None
        try:
            amount = parse_amount(raw)
        except AmountError as error:
            self.problem(
                lineno,
                f"cannot read the amount: {error}",
                expected="an amount such as 1,234 or (1,234)",
                found=repr(raw[:50]),
                code=ref,
                kind="cannot read the amount",
            )
            return
        known = _STATEMENT_OF.get(ref)
        statement = known or (self.statement if self.statement not in (None, "cover") else "") or ""
        if known and self.statement not in (None, "cover", known):
            self.problem(
                lineno,
                "code printed under another statement",
                expected=CATALOGUE.statement_by_id[known].heading,
                found=CATALOGUE.statement_by_id[self.statement].heading,
                code=ref,
                severity="warning",
            )
        if self.repeat_line:
            if ref in draft.entries:
                self.open_repeat(lineno)
                draft = self.draft
                assert draft is not None
            self.repeat_line = 0
        previous = draft.entries.get(ref)
        if known:  # a rendered filing prints codes outside the catalogue after its statement's last line
            self.last_entry_line = lineno
        if previous is not None:
            if previous.amount != amount:
                self.problem(
                    lineno,
                    f"code appears twice with two values; kept the first (line {draft.where[ref]})",
                    expected=f"one value ({previous.amount})",
                    found=f"{amount}",
                    code=ref,
                    kind="code appears twice with two values",
                )
            return
        draft.entries[ref] = Entry(statement, ref, amount, "" if known else label)
        draft.where[ref] = lineno

    def read_statement_text(self, lineno: int, text: str) -> None:
        """Statement text in one pass of the tokens: line markers, coded runs and the uncoded runs ending a piece.

        A piece runs from a line marker to the next; its label starts at the marker or the last pair. A marker
        alone on its line ("12." with its label on the next, as pages with a cell per source line give) is a
        marker too, though no white space follows it.
        """
        lone = _LONE_MARKER.fullmatch(text.strip())
        if lone:
            self.line_number, self.letter = (lone.group(1), "") if lone.group(1) else (self.line_number, lone.group(2))
            self.component = _COMPONENTS.get((self.statement or "", self.line_number, self.letter))
            return
        position = 0
        taken: set[int] = set()
        for start, stop, number, letter, run, code, end, glued, code_start in self.scan(text):
            if number is not None or letter is not None:
                if number is not None:
                    self.line_number, self.letter = number, ""
                elif letter is not None:
                    self.letter = letter
                self.component = _COMPONENTS.get((self.statement or "", self.line_number, self.letter))
                position = stop
            elif code is not None and run is not None:
                amounts = run.split()
                label = text[position:start]
                if self.component is not None:
                    for extra in amounts[:-1]:
                        self.uncoded(lineno, extra)
                else:
                    # Not a line with uncoded sub-lines: numbers before the amount end the label ("Regulation 30.7").
                    label += " ".join(amounts[:-1])
                position = stop
                taken.add(code_start)
                if self.component is None and len(amounts) > 1 and _split_digits(amounts[-2], amounts[-1]):
                    self.problem(
                        lineno,
                        "cannot read the amount: digits split by a space",
                        expected="an amount such as 1,234 or (1,234)",
                        found=repr(" ".join(amounts[-2:])),
                        code=str(int(code)),
                    )
                    continue
                self.add(lineno, str(int(code)), amounts[-1], label.strip(" \t:$"))
            elif (end or (glued is not None and start == position)) and text[stop - 1] != ",":
                # A number ending a wrapped label ("(add lines 7" in PDF text) is label text; an amount is set off
                # by a tab or stands alone, or sits on a line with uncoded sub-lines. A piece that ends in a
                # comma ends in words cut short, not in an amount.
                before = text[position:start]
                if self.component is not None or not before.strip() or before.rstrip(" ").endswith("\t"):
                    for extra in text[start:stop].split():
                        self.uncoded(lineno, extra)
        # Each taken code has one "[" of its own: a line with no other has no code left unread.
        if text.count("[") > len(taken):
            self.unread_codes(lineno, text, taken)

    def unread_codes(self, lineno: int, text: str, taken: set[int]) -> None:
        """A bracketed code the tokens did not take: its amount (or the code itself) is damaged; say so."""
        for match in _CODE.finditer(text):
            if match.start("code") in taken:
                continue
            raw = match.group("code")
            # The cell before the code, looked for in a bounded stretch: searching the whole line before each of
            # its codes would cost the square of a line of many codes.
            before = text[max(0, match.start() - _CELL_LOOKBACK) : match.start()]
            cell = before.rsplit("\t", 1)[-1] if "\t" in before else (before.split() or [""])[-1]
            if not (raw.isascii() and raw.isdigit() and 3 <= len(raw) <= 5):
                if any(char.isdigit() for char in raw):
                    self.problem(
                        lineno, "cannot read the code: not ASCII digits", expected="a code such as [7010]", found=repr(match.group(0))
                    )
                continue
            self.problem(
                lineno,
                f"cannot read the amount of [{raw}]",
                expected="an amount such as 1,234 or (1,234)",
                found=repr(cell.strip()[:50]),
                code=str(int(raw)),
                kind="cannot read the amount of a code",
            )

    def uncoded(self, lineno: int, raw: str) -> None:
        """An amount printed without a code: a component of its line, or a problem."""
        if self.component is None:
            self.problem(lineno, "amount without a code", expected="an amount followed by its [code]", found=raw, severity="warning")
            return
        self.add(lineno, self.component, raw, "")

    # -- driver ---------------------------------------------------------------------------------------------
    def read_line(self, lineno: int, line: str) -> None:
        download = _DOWNLOAD.match(line) if "ownload" in line[:20] else None
        if download:
            self.furniture(lineno, download.group("inner"))
            return
        if self.awaiting is not None:
            self.settle_bare_number(line)
        if _PAGE_NUMBER.fullmatch(line):
            self.page_number_after_header = self.header_dirty
            if (self.component is not None or self.statement == "cover") and line.strip().isdigit():
                self.awaiting = (lineno, line.strip())
            return
        if self.statement is not None and line[-1].isdigit():  # a cover page ends a page too ("Attach supporting documents1")
            line = _GLUED_PAGE.sub("", line)
        if _HEADING_HINT in line.lower():
            headings = list(_HEADING.finditer(line))
            self.read_segment(lineno, line[: headings[0].start()] if headings else line)
            for index, heading in enumerate(headings):
                self.enter(lineno, _HEADINGS[heading.group(0).lower()])
                end = headings[index + 1].start() if index + 1 < len(headings) else len(line)
                self.read_segment(lineno, line[heading.end() : end])
        else:
            self.read_segment(lineno, line)

    def settle_bare_number(self, line: str | None) -> None:
        """A bare number where a component (12.A, 12.B ...) or a cover page option awaits its amount: a page
        number if the next line is what a page repeats at its top (banner, header, heading) and it could number
        a page (no page is numbered 0 or 07), else the amount.

        Header lines right after it are decided where they end, since printed pages repeat the header at their
        foot too: a statement heading next makes them a page's top (the number was the page's), anything else
        (the page number, the next page's banner, the end of the document) a page's foot, after an amount.
        """
        assert self.awaiting is not None
        lineno, raw = self.awaiting
        could_number_a_page = not raw.startswith("0")
        header_line = line is not None and (
            (":" in line and _FIELD.search(line) is not None) or _STATUS.match(line.strip(" *")) is not None
        )
        if header_line and could_number_a_page and _BANNER_HINT.search(line or "") is None:
            self.awaiting_past_header = True
            return
        self.awaiting = None
        heading = line is not None and _HEADING_HINT in line.lower() and _HEADING.search(line) is not None
        if self.awaiting_past_header:
            self.awaiting_past_header = False
            page_top = heading
        else:
            page_top = could_number_a_page and line is not None and (heading or header_line or _BANNER_HINT.search(line) is not None)
        if page_top:
            return
        if self.statement == "cover" and self.draft is not None:
            self.draft.cover_text.append(raw)
        else:
            self.uncoded(lineno, raw)

    def read_segment(self, lineno: int, text: str) -> None:
        """The text of a line before, between or after statement headings."""
        rest = self.read_header(lineno, text)
        if self.header_dirty and not self.header_line:
            self.header_line = lineno
        if not rest.strip():
            return
        if self.statement == "cover" and self.draft is not None:
            self.draft.cover_text.append(rest)
        elif self.statement is not None:
            self.read_statement_text(lineno, rest)
        elif "[" in rest and _CODE.search(rest):
            self.problem(
                lineno,
                "amounts before any statement heading were skipped",
                expected="a heading such as 'Daily Segregation - Segregation Statement'",
                found=rest.strip()[:60],
            )

    def check_end(self) -> None:
        """A document that stops inside a statement (before its last line) was cut short: say where and what is absent."""
        draft, statement = self.draft, self.statement
        if draft is None or statement in (None, "cover") or self.statement_complete(draft, statement):
            return
        if not self.cut_short(statement):
            return
        heading = CATALOGUE.statement_by_id[statement]
        read = [ref for ref in draft.entries if _STATEMENT_OF.get(ref) == statement]
        layout = CATALOGUE.detect_layout(frozenset(draft.entries), None)
        absent = [r.ref for r in heading.rows(layout) if r.code is not None and r.ref not in draft.entries]
        later = [s.heading for s in CATALOGUE.statements if s.id not in draft.statements]
        self.problem(
            self.last_line,
            f"the document ends early, in {heading.heading}" + (f" after [{read[-1]}]" if read else ""),
            expected="absent: " + ", ".join(f"[{ref}]" for ref in absent[:40]) + ("; statements " + ", ".join(later) if later else ""),
            found=f"end of document: {self.last_text.strip()[-40:]!r}",
        )

    def cut_short(self, statement: str) -> bool:
        """Whether the last line shows a cut: a code cut in two, a label cut short, or nothing after the last amount.

        A rendered filing prints the labels of the lines it has no value for, so a document whose last line is
        a whole label is not taken as cut (the `complete` rule reports the missing lines).
        """
        text = self.last_text
        if text.rfind("[") > text.rfind("]") or self.last_entry_line == self.last_line:
            return True
        marker = _LAST_MARKER.search(text)
        if marker is None:
            return False
        words = " ".join((marker.group("label") or "").split()).lower()
        labels = _LABELS.get((statement, self.line_number, self.letter), ())
        return not words or any(label.startswith(words) and label != words for label in labels)

    def finish(self) -> None:
        draft, self.draft = self.draft, None
        self.statement, self.component = None, None
        if draft is None:
            return
        cover: CoverPage | None = None
        if draft.cover_text:
            cover, cover_problems = parse_cover(" ".join(draft.cover_text), self.source, draft.cover_line)
            for problem in cover_problems:
                if self.tally.listed(problem.message, problem.line, f"at line {problem.line}", problem.severity):
                    self.tally.problems.append(problem)
        self.check_furniture(draft.header)
        header = self.make_header(draft)
        refs = frozenset(draft.entries)
        layout = CATALOGUE.detect_layout(refs, header.end_date)
        statements = tuple(s for s in draft.statements if s != "cover")
        if self.compiled:
            self.filings.append(Filing.from_reader(header, layout, draft.entries, cover, statements, draft.cents))
        else:
            self.filings.append(Filing(header, layout, tuple(draft.entries.values()), cover, statements))

    def make_header(self, draft: _Draft) -> Header:
        values = draft.header
        line = min(draft.where.values(), default=None)
        for name, label in (
            ("status", "status INITIAL or AMENDED"),
            ("end_date", "End Date"),
            ("firm_name", "Firm Name"),
            ("form", "Form"),
        ):
            if not values.get(name):
                self.problem(line or 1, f"the filing has no {label}", expected=label, found="nothing", severity="error")
        form = str(values.get("form", ""))
        if form and form not in CATALOGUE.form_names:
            self.problem(line or 1, "unfamiliar form name", expected=" or ".join(CATALOGUE.form_names), found=form, severity="warning")
        end_date = values.get("end_date")
        submit_date = values.get("submit_date")
        return Header(
            status=str(values.get("status", "")),
            end_date=end_date if isinstance(end_date, date) else None,
            firm_name=str(values.get("firm_name", "")),
            form=form,
            submit_date=submit_date if isinstance(submit_date, date) else None,
        )

    def read_plain(self, text: str) -> tuple[list[Filing], list[Problem]] | None:
        """The filings of a plain document, from the compiled reader's events; None where the document is not
        plain or reading it would report anything, for `read` to read it in full (with a reader of its own).

        The events carry the work done per line (markup, header fields, amounts, entries); the decisions made
        per heading (which filing a statement belongs to) and per filing are this reader's own methods.
        """
        events = read_plain_events(text, _PLAIN_HEADINGS, _STATEMENT_OF, _COMPONENTS, Decimal, Entry)
        if events is None:
            return None
        self.compiled = True
        for event in events:
            kind = event[0]
            if kind == PLAIN_FIELD:  # the commonest: each statement repeats the header's fields
                self.read_field(event[1], event[2], event[3])
            elif kind == PLAIN_HEADING:
                self.enter(event[1], event[2])
                assert self.draft is not None
                if self.repeat_line or not self.draft.entries.keys().isdisjoint(event[3]):
                    return None  # a heading met again, or a code read twice: decided amount by amount in `add`
                self.draft.entries.update(event[3])
                self.draft.cents.update(event[4])
            elif kind == PLAIN_COVER:
                assert self.draft is not None
                self.draft.cover_text.append(event[2])
                continue
            elif kind == PLAIN_STATUS:
                self.start_header(event[2])
            if self.header_dirty and not self.header_line:
                self.header_line = event[1]
        draft, statement = self.draft, self.statement
        if self.header_dirty or (draft is not None and statement not in (None, "cover") and not self.statement_complete(draft, statement)):
            return None  # a header with nothing after it, or a document that may end early: `read` looks closer
        self.finish()
        if not self.filings or self.tally.seen:
            return None
        return self.filings, self.tally.result()

    def read(self, text: str) -> tuple[list[Filing], list[Problem]]:
        for lineno, line in enumerate(clean_lines(text), start=1):
            if line:  # clean lines end in no white space: a blank line is empty
                self.last_line, self.last_text = lineno, line
                self.read_line(lineno, line)
        if self.awaiting is not None and self.awaiting_past_header:
            self.settle_bare_number(None)  # the document ends in a page's foot: the number was an amount
        if self.header_dirty and (self.draft is not None or self.filings) and not self.repeats_the_header():
            self.problem(
                self.header_line,
                "a header with no statement after it: the document may be truncated",
                expected="a statement heading such as 'Daily Segregation - Segregation Statement'",
                found="end of document",
            )
        self.check_end()
        self.finish()
        if not self.filings:
            self.problem(
                1,
                "no Daily Segregation statement found",
                expected="a heading such as 'Daily Segregation - Segregation Statement'",
                found="none",
                severity="fatal",
            )
        return self.filings, self.tally.result()


def read_text(text: str, source: str, scan: Scanner = scan, *, plain: bool = COMPILED) -> tuple[list[Filing], list[Problem]]:
    """The filings of published text; `scan` chooses the tokenizer and `plain` whether a plain document is read
    by the compiled reader (`dailyseg.parse.tokens`); both are compiled by default where the extension is built."""
    if plain and (done := TextReader(source, scan).read_plain(text)) is not None:
        return done
    return TextReader(source, scan).read(text)
