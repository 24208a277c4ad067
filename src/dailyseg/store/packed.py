"""A stored filing's amounts as one row: what each amount is, kept once for every filing alike, and its cents.

A filing's hundred amounts were a hundred rows of `filing_values`; writing them was most of ingest's time
and reading one code's history was a lookup per day. Now (migration 0013) they are two parts:

- its **lines**: the code, statement and label of each amount, in the filing's order, as compact JSON
  (`[["7010","seg",""],...]`, written as `json.dumps(..., separators=(",", ":"), ensure_ascii=False)` writes
  it). Filings of one layout share their lines, so `value_lines` holds each distinct text once, under an id
  made from the text itself (`lines_id`: the first 63 bits of its SHA-256), so that an id names one text in
  every store and for ever, and what a process has read of it never needs reading again.
- its **cents**: the amounts in integer cents in the same order, each a signed 64-bit little-endian
  integer (BIGINT's range, as before), in `filing_amounts`, one row per filing beside its head.

The label is "" for a code the catalogue knows (its label is the catalogue's), as it always was.
"""

from __future__ import annotations

import hashlib
import json
import struct
import sys
from array import array
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from dailyseg.store.content_hash import Value

CENT_BYTES = 8
_ONE = struct.Struct("<q")
# (statement, code, cents, label): the order a filing's amounts are rebuilt from (content.rebuilt).
Amount = tuple[str, str, int, str]


def lines_text(values: Sequence[Value]) -> str:
    """The lines of `values` ((code, statement, cents, label) each) as their stored JSON text."""
    return json.dumps([[code, statement, label] for code, statement, _, label in values], separators=(",", ":"), ensure_ascii=False)


def cents_bytes(values: Sequence[Value]) -> bytes:
    """The cents of `values` as stored: signed 64-bit little-endian integers, in order."""
    return struct.pack(f"<{len(values)}q", *(cents for _, _, cents, _ in values))


def cents_columns(packed: bytes, width: int, places: Mapping[str, int]) -> dict[str, list[int]]:
    """From the stored cents of filings of one lines (`width` amounts each), end to end, the column of each
    code at its place: every `width`-th integer from there, a slice in C rather than a step per filing."""
    every: memoryview | array[int]
    if sys.byteorder == "little":
        every = memoryview(packed).cast("q")
    else:
        every = array("q", packed)  # a copy, slower, but in the machine's order
        every.byteswap()
    return {code: every[at::width].tolist() for code, at in places.items()}


def lines_id(text: str) -> int:
    """The id of a lines text in `value_lines`: the first 63 bits of the SHA-256 of its UTF-8 bytes (a
    positive BIGINT). Two texts of one id (a chance of about one in 2**63 for a pair) are refused when
    written, never confused (amounts.lines_ids)."""
    return int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:8], "big") >> 1


@dataclass(frozen=True)
class Lines:
    """One stored lines text, read: each amount's (code, statement, label), and each code's place."""

    lines: tuple[tuple[str, str, str], ...]
    place: dict[str, int] = field(compare=False, repr=False)

    @classmethod
    def read(cls, text: str) -> Lines:
        lines = tuple((str(code), str(statement), str(label)) for code, statement, label in json.loads(text))
        return cls(lines, {code: i for i, (code, _, _) in enumerate(lines)})

    def amounts(self, cents: bytes) -> list[Amount]:
        """The (statement, code, cents, label) of each amount, given the filing's stored cents; ValueError if
        the cents do not hold one integer for each line (a damaged row)."""
        if len(cents) != CENT_BYTES * len(self.lines):
            raise ValueError(f"{len(cents)} bytes of cents for {len(self.lines)} lines")
        values = struct.unpack(f"<{len(self.lines)}q", cents)
        return [(statement, code, amount, label) for (code, statement, label), amount in zip(self.lines, values, strict=True)]

    def cents_of(self, cents: bytes, code: str) -> int | None:
        """The cents of `code` in a filing's stored cents; None when the filing has no such code."""
        at = self.place.get(code)
        return int(_ONE.unpack_from(cents, CENT_BYTES * at)[0]) if at is not None else None
