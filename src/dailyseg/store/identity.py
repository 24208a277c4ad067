"""Firm identity: which filings belong to the same firm although the name is printed differently.

Filings carry only the firm's name, typed by hand into the filing software, so one firm appears as
"Citigroup Global Markets Inc.", "CITIGROUP GLOBAL MARKETS INC" and "Citigroup Global Markets, Inc". The
store identifies a firm by a *name key*: the name upper-cased, "&" read as "AND", punctuation dropped,
white space collapsed and trailing legal-form words ("INC", "LLC", "L.L.C.", "CORP", "LTD", "LP", ...)
removed. The firm id is the key as a lower-case slug ("citigroup-global-markets"). An alias table maps a
key to a firm id, so a renamed firm (or a spelling the rules do not catch) is joined to its firm by one
alias, without touching any stored filing. See docs/firm-identity.md.
"""

from __future__ import annotations

import functools
import re
import unicodedata

# Legal-form words dropped from the end of a name (repeatedly: "... HOLDINGS CO INC" keeps HOLDINGS).
LEGAL_FORMS = frozenset(
    {"INC", "INCORPORATED", "LLC", "LLP", "LP", "LTD", "LIMITED", "CORP", "CORPORATION", "CO", "PLC", "NA", "SA", "AG", "THE"}
)
_JOINED = {"L L C": "LLC", "L P": "LP", "L L P": "LLP", "N A": "NA", "S A": "SA"}
_NOT_WORD = re.compile(r"[^A-Z0-9]+")


@functools.lru_cache(maxsize=4096)  # a batch repeats a few names thousands of times
def name_key(name: str) -> str:
    """The key under which differently written names of one firm meet ("" for a blank name)."""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii").upper()
    text = text.replace("&", " AND ")
    text = re.sub(r"(?<=\b[A-Z])\.(?=[A-Z]\b)", "", text)  # "J.P." -> "JP", "L.L.C." -> "LLC"
    words = _NOT_WORD.sub(" ", text).split()
    joined = " ".join(words)
    for spaced, word in _JOINED.items():
        joined = re.sub(rf"\b{spaced}$", word, joined)
    words = joined.split()
    if words and words[0] == "THE":
        words = words[1:]
    while len(words) > 1 and words[-1] in LEGAL_FORMS:
        words.pop()
    return " ".join(words)


def firm_id_of(key: str) -> str:
    """The stable firm id of a name key: lower case, words joined by hyphens."""
    return key.lower().replace(" ", "-")
