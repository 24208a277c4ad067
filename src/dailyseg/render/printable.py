"""Text from documents made safe to show on a screen or in a line-per-record listing.

A firm name, label or path read from input may hold characters that break a line (newline, U+2028), move
the cursor or recolour the terminal (ESC), or reorder what is shown (bidirectional overrides). Shown raw,
one document could forge the lines after it. They are written as escapes instead; everything else,
brackets and backslashes included, is shown as it is. Programs that need the exact text read JSON.
"""

from __future__ import annotations

import re

_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_NAMED = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}


def _escape(character: str) -> str:
    code = ord(character)
    return _NAMED.get(character) or (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")


def printable(text: str) -> str:
    """The text with control, line-breaking and bidirectional-override characters written as escapes."""
    if not _UNSAFE.search(text):
        return text
    return _UNSAFE.sub(lambda match: _escape(match[0]), text)
