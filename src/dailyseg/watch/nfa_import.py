"""Storing the NFA summaries of saved pages, a file at a time, all of a file or none of it.

A file part of which could not be read is not stored at all: a page is one firm's account of its pools on
one day, and half of it stored would look like a whole one. Warnings (percentages that do not add up, an
excess that is not funds minus requirement) are reported and the file is stored, as the CFTC table's
flagged rows are.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from dailyseg.problems import Problem
from dailyseg.watch.nfa import NfaSummary, read_file

if TYPE_CHECKING:
    from dailyseg.store import Store


@dataclass(frozen=True)
class NfaImport:
    """What importing one file did: summaries stored, summaries stored before, and every problem."""

    source: str
    stored: int
    already_present: int
    summaries: tuple[NfaSummary, ...]
    problems: tuple[Problem, ...]

    @property
    def refused(self) -> bool:
        """Part of the file could not be read, so nothing of it was stored."""
        return any(p.stops_reading for p in self.problems)


def import_file(store: Store, path: str) -> NfaImport:
    """Read one saved page and store its summaries in one transaction, unless part of it could not be read."""
    read = read_file(path)
    if read.stops_reading or not read.summaries:
        return NfaImport(read.source, 0, 0, read.summaries, read.problems)
    stored, present = store.import_nfa_summaries(read.summaries, source=read.source)
    return NfaImport(read.source, stored, present, read.summaries, read.problems)
