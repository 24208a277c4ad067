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
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import takewhile

from dailyseg.catalogue import CATALOGUE
from dailyseg.filing import CoverPage, Entry, Filing, Header
from dailyseg.money import AmountError, parse_amount
from dailyseg.parse.cover import parse_cover
from dailyseg.problems import Problem

_AMOUNT = r"(?:\(\$?\d[\d,]*(?:\.\d+)?\)|[-+]?\$?\d[\d,]*(?:\.\d+)?)"
# A run of amounts never swallows a line marker ("3 25. Cash" is the amount 3, then line 25).
_AMOUNTS = rf"{_AMOUNT}(?:[ \t]+{_AMOUNT}(?![\d,]|\.\s))*"
_PAIR = re.compile(rf"(?<![\w.,)\]])(?P<amounts>{_AMOUNTS})[ \t]*\[(?P<code>\d{{3,5}})\]")
_MARKER = r"(?<!\S)(?:(?P<line>\d{1,2})|(?P<letter>[A-E]))\.(?=\s)"
_PIECE_END = r"(?=\s*$|\s+(?:\d{1,2}|[A-E])\.\s)"
# The statement text of a line in one pass: a line marker, or a run of amounts that is either coded
# (`1,234 [7010]`, `0 0 [8715]`) or ends its piece (the end of the line or the next marker); a run glued to
# the `]` of a pair (`[7520]5`) counts only when it ends its piece. The leading lookahead (the characters a
# token can start with) lets most positions of a label fail on one test instead of three lookbehinds.
_TOKEN = re.compile(
    r"(?=[\d(+$A-E-])"
    rf"(?:{_MARKER}"
    rf"|(?<![\w.,)\]])(?P<amounts>{_AMOUNTS})(?:[ \t]*\[(?P<code>\d{{3,5}})\]|(?P<end>){_PIECE_END})?"
    rf"|(?<=\d\])(?P<glued>{_AMOUNTS}){_PIECE_END})"
)
_FIELD = re.compile(r"\b(End Date|Firm Name|Form|Submit Date)\s*:", re.IGNORECASE)
_STATUS = re.compile(r"^(INITIAL|AMENDED)\b", re.IGNORECASE)
_BANNER = re.compile(r"WINJAMMER\s+FILING\s*(INITIAL|AMENDED)?", re.IGNORECASE)
_SPACED = re.compile(r"\b(?:[A-Z] ){3,}[A-Z]\b")
_TAG = re.compile(r"<[^>\n]{0,200}>")
_BLOCK_TAG = re.compile(r"<\s*(?:br|/p|/div|/tr|/h\d|/li|/table)\b[^>]*>", re.IGNORECASE)
_CELL_TAG = re.compile(r"<\s*/t[dh]\s*>", re.IGNORECASE)
# Parts of a page that are not shown (the title in <head>, scripts, styles) must not run into the first line.
_HIDDEN = re.compile(r"<\s*(head|script|style)\b.*?<\s*/\s*\1\s*>", re.IGNORECASE | re.DOTALL)
_DATE_FORMATS = ("%m/%d/%Y", "%Y-%m-%d", "%m/%d/%y", "%m-%d-%Y")

_HEADINGS = {s.heading.lower(): s.id for s in CATALOGUE.statements}
_HEADINGS[CATALOGUE.cover.heading.lower()] = "cover"
# Every heading starts alike ("daily segregation - "): a line without that text needs no heading search.
_HEADING_HINT = "".join(chars[0] for chars in takewhile(lambda chars: len(set(chars)) == 1, zip(*_HEADINGS, strict=False)))
_HEADING = re.compile("|".join(re.escape(h) for h in sorted(_HEADINGS, key=len, reverse=True)), re.IGNORECASE)
_COMPONENTS = {(row.statement, row.line, row.letter): row.key for rows in CATALOGUE.refs.values() for row in rows if row.key is not None}
_STATEMENT_OF = {ref: rows[0].statement for ref, rows in CATALOGUE.refs.items() if rows}
# Letters spaced out for emphasis always hold a letter between two spaces followed by another ("I N").
_SPACED_HINT = re.compile(r" [A-Z] [A-Z] ")
_MONTH_DAY_YEAR = re.compile(r"([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})")


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


def clean_lines(text: str) -> list[str]:
    """Plain text lines: HTML blocks become lines, markup and `**` go, entities are decoded."""
    if re.search(r"<\s*(?:html|table|tr|br|p|div)\b", text, re.IGNORECASE):
        text = _HIDDEN.sub(lambda hidden: "\n" * hidden.group(0).count("\n"), text)
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
    cover_text: list[str] = field(default_factory=list)
    cover_line: int = 0


class TextReader:
    """One pass over the lines of a document."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.problems: list[Problem] = []
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

    # -- problems -----------------------------------------------------------------------------------------
    def problem(
        self, line: int, message: str, *, expected: str = "", found: str = "", code: str | None = None, severity: str = "error"
    ) -> None:
        self.problems.append(Problem(self.source, line, message, expected, found, code, severity))  # type: ignore[arg-type]

    # -- header ---------------------------------------------------------------------------------------------
    def read_header(self, lineno: int, text: str) -> str:
        """Take header fields out of a piece of text and return what is left."""
        banner = _BANNER.search(text) if "winjammer" in text.lower() else None
        if banner:
            if banner.group(1):
                self.start_header(banner.group(1).upper())
            text = text[: banner.start()] + text[banner.end() :]
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
            name = match.group(1).lower()
            value = text[match.end() : end].strip()
            if name in ("end date", "submit date"):
                # A flattened page may run the next words on after the date.
                token = value.split()[0] if value.split() else ""
                parsed = parse_date(token)
                if parsed is None:
                    self.problem(lineno, f"cannot read the {match.group(1)}", expected="a date such as 7/25/2013", found=repr(value[:30]))
                    continue
                self.set_header("end_date" if name == "end date" else "submit_date", parsed)
            elif name == "firm name":
                self.set_header("firm_name", value)
            else:
                self.set_header("form", value)
        return text[: fields[0].start()]

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
        snapshot = dict(self.header)
        if self.draft is not None:
            repeated = statement in self.draft.statements
            changed = self.header_dirty and snapshot != self.draft.header
            if repeated or changed:
                self.finish()
        if self.draft is None:
            self.draft = _Draft(header=snapshot)
        self.header_dirty = False
        self.header_line = 0
        self.draft.statements.append(statement)
        self.statement = statement
        self.line_number, self.letter = "", ""
        self.component = _COMPONENTS.get((statement, "", ""))
        if statement == "cover":
            self.draft.cover_line = lineno

    def add(self, lineno: int, ref: str, raw: str, label: str) -> None:
        draft = self.draft
        assert draft is not None
        try:
            amount = parse_amount(raw)
        except AmountError as error:
            self.problem(
                lineno, f"cannot read the amount: {error}", expected="an amount such as 1,234 or (1,234)", found=repr(raw[:50]), code=ref
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
        previous = draft.entries.get(ref)
        if previous is not None:
            if previous.amount != amount:
                self.problem(
                    lineno,
                    f"code appears twice with two values; kept the first (line {draft.where[ref]})",
                    expected=f"one value ({previous.amount})",
                    found=f"{amount}",
                    code=ref,
                )
            return
        draft.entries[ref] = Entry(statement, ref, amount, "" if known else label)
        draft.where[ref] = lineno

    def read_statement_text(self, lineno: int, text: str) -> None:
        """Statement text in one pass of `_TOKEN`: line markers, coded runs and the uncoded runs ending a piece.

        A piece runs from a line marker to the next; its label starts at the marker or the last pair.
        """
        position = 0
        for token in _TOKEN.finditer(text):
            number, letter, run, code, end, glued = token.groups()
            if number is not None or letter is not None:
                if number is not None:
                    self.line_number, self.letter = number, ""
                else:
                    self.letter = letter
                self.component = _COMPONENTS.get((self.statement or "", self.line_number, self.letter))
                position = token.end()
            elif code is not None:
                amounts = run.split()
                label = text[position : token.start()]
                if self.component is not None:
                    for extra in amounts[:-1]:
                        self.uncoded(lineno, extra)
                else:
                    # Not a line with uncoded sub-lines: numbers before the amount end the label ("Regulation 30.7").
                    label += " ".join(amounts[:-1])
                position = token.end()
                self.add(lineno, str(int(code)), amounts[-1], label.strip(" \t:$"))
            elif (end is not None or (glued is not None and token.start() == position)) and token.group()[-1] != ",":
                # A number ending a wrapped label ("(add lines 7" in PDF text) is label text; an amount is set off
                # by a tab or stands alone, or sits on a line with uncoded sub-lines. A piece that ends in a
                # comma ends in words cut short, not in an amount.
                before = text[position : token.start()]
                if self.component is not None or not before.strip() or before.rstrip(" ").endswith("\t"):
                    for extra in token.group().split():
                        self.uncoded(lineno, extra)

    def uncoded(self, lineno: int, raw: str) -> None:
        """An amount printed without a code: a component of its line, or a problem."""
        if self.component is None:
            self.problem(lineno, "amount without a code", expected="an amount followed by its [code]", found=raw, severity="warning")
            return
        self.add(lineno, self.component, raw, "")

    # -- driver ---------------------------------------------------------------------------------------------
    def read_line(self, lineno: int, line: str) -> None:
        if _HEADING_HINT in line.lower():
            headings = list(_HEADING.finditer(line))
            self.read_segment(lineno, line[: headings[0].start()] if headings else line)
            for index, heading in enumerate(headings):
                self.enter(lineno, _HEADINGS[heading.group(0).lower()])
                end = headings[index + 1].start() if index + 1 < len(headings) else len(line)
                self.read_segment(lineno, line[heading.end() : end])
        else:
            self.read_segment(lineno, line)

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
        elif "[" in rest and _PAIR.search(rest):
            self.problem(
                lineno,
                "amounts before any statement heading were skipped",
                expected="a heading such as 'Daily Segregation - Segregation Statement'",
                found=rest.strip()[:60],
            )

    def finish(self) -> None:
        draft, self.draft = self.draft, None
        self.statement, self.component = None, None
        if draft is None:
            return
        cover: CoverPage | None = None
        if draft.cover_text:
            cover, cover_problems = parse_cover(" ".join(draft.cover_text), self.source, draft.cover_line)
            self.problems.extend(cover_problems)
        header = self.make_header(draft)
        refs = frozenset(draft.entries)
        layout = CATALOGUE.detect_layout(refs, header.end_date)
        statements = tuple(s for s in draft.statements if s != "cover")
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

    def read(self, text: str) -> tuple[list[Filing], list[Problem]]:
        for lineno, line in enumerate(clean_lines(text), start=1):
            if line:  # clean lines end in no white space: a blank line is empty
                self.read_line(lineno, line)
        if self.header_dirty and (self.draft is not None or self.filings):
            self.problem(
                self.header_line,
                "a header with no statement after it: the document may be truncated",
                expected="a statement heading such as 'Daily Segregation - Segregation Statement'",
                found="end of document",
            )
        self.finish()
        if not self.filings:
            self.problem(
                1,
                "no Daily Segregation statement found",
                expected="a heading such as 'Daily Segregation - Segregation Statement'",
                found="none",
                severity="fatal",
            )
        return self.filings, self.problems


def read_text(text: str, source: str) -> tuple[list[Filing], list[Problem]]:
    return TextReader(source).read(text)
