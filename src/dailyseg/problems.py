"""Problems met while reading a document, and the result of a read: what was read plus what went wrong.

Reading never raises for a user's mistake; it returns a `ReadResult` whose problems say where (source and
line), what was expected and what was found.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from dailyseg.filing import Filing

ProblemSeverity = Literal["fatal", "error", "warning"]
# The registered rule (dailyseg.checks.reading) each kind of reading problem is a finding of: what stopped a
# read, and what was read with a doubt.
RULE_OF: dict[ProblemSeverity, str] = {"fatal": "unreadable", "error": "unreadable", "warning": "read-doubt"}
# Problems of one kind kept in full; the rest are counted, so that a damaged 2 MB document reports what is
# wrong in a page, not a million lines (and the memory they would take). Every reader counts through
# `ProblemTally`.
PROBLEMS_PER_KIND = 20


@dataclass(frozen=True)
class Problem:
    """Something in a document that could not be read as expected. `fatal` means nothing could be read."""

    source: str
    line: int | None
    message: str
    expected: str = ""
    found: str = ""
    code: str | None = None
    severity: ProblemSeverity = "error"

    @property
    def rule(self) -> str:
        return RULE_OF[self.severity]

    @property
    def stops_reading(self) -> bool:
        """Something could not be read (as opposed to read with a doubt): what makes a document not ok."""
        return RULE_OF[self.severity] == "unreadable"

    @property
    def where(self) -> str:
        return f"{self.source}:{self.line}" if self.line else self.source

    def __str__(self) -> str:
        parts = [f"{self.where}: {self.message}"]
        if self.code:
            parts.append(f"code {self.code}")
        if self.expected:
            parts.append(f"expected {self.expected}")
        if self.found:
            parts.append(f"found {self.found}")
        return "; ".join(parts)


@dataclass(frozen=True)
class ReadResult:
    """The filings a document held and the problems met on the way."""

    source: str
    filings: tuple[Filing, ...]
    problems: tuple[Problem, ...] = ()

    @property
    def readable(self) -> bool:
        """At least one filing was read: the document was not unreadable as a whole."""
        return bool(self.filings)

    @property
    def filing(self) -> Filing:
        """The single filing of a one-filing document."""
        if len(self.filings) != 1:
            raise ValueError(f"{self.source} holds {len(self.filings)} filings, not one")
        return self.filings[0]


class ProblemTally:
    """The problems of one document: the first `per_kind` of each kind listed, the rest counted.

    A caller asks `listed` before it builds a problem, so a million bad values cost a million counts and
    `per_kind` problems per kind. A kind is the message without what varies from one occurrence to the next
    (the value found, the code, the line). Fatal problems are always listed: each stops a read.
    """

    def __init__(self, source: str, per_kind: int = PROBLEMS_PER_KIND) -> None:
        self.source = source
        self.per_kind = per_kind
        self.problems: list[Problem] = []
        self.seen: dict[str, int] = {}
        self.last: dict[str, tuple[int | None, str]] = {}
        self.severity: dict[str, ProblemSeverity] = {}

    def listed(self, kind: str, line: int | None, where: str, severity: ProblemSeverity = "error") -> bool:
        """Count one problem of `kind` at `line` (`where` says where, for the count of the rest); whether to list it."""
        seen = self.seen[kind] = self.seen.get(kind, 0) + 1
        self.last[kind] = (line, where)
        self.severity.setdefault(kind, severity)
        return seen <= self.per_kind or severity == "fatal"

    def result(self) -> list[Problem]:
        """The listed problems, then one per kind met more often than listed, saying how often and up to where."""
        rest = []
        for kind, seen in self.seen.items():
            if seen > self.per_kind:
                line, where = self.last[kind]
                rest.append(
                    Problem(
                        self.source,
                        line,
                        f"{seen - self.per_kind} more problems like this: {kind}",
                        expected=f"at most {self.per_kind} of a kind are listed",
                        found=f"{seen} in all" + (f", the last {where}" if where else ""),
                        severity=self.severity[kind],
                    )
                )
        return self.problems + rest
