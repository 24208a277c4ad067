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
