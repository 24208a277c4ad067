"""Rules over reading a document: every problem a reader reports is a finding of one of these.

Readers report `Problem`s (source, line, what was expected, what was found), never raising for a document's
mistake; `Problem.rule` names which of these rules each one falls under.
"""

from __future__ import annotations

from dailyseg.checks.registry import Rule

UNREADABLE = Rule(
    "unreadable",
    question="filing",
    tier="basic",
    severity="error",
    scope="read",
    citation="form-spec 0-1",
    description="Part of the document, or all of it, could not be read: the problem names the file, the line, the code, "
    "what was expected and what was found. A filing read from it may be incomplete.",
)
READ_DOUBT = Rule(
    "read-doubt",
    question="filing",
    tier="basic",
    severity="warning",
    scope="read",
    citation="form-spec 0-1",
    description="Something was read with a doubt (an amount without its code, an unfamiliar form name): kept as read and reported.",
)

RULES = (UNREADABLE, READ_DOUBT)
