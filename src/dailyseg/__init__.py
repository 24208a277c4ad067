"""dailyseg: the CFTC Daily Segregation filing of a futures commission merchant, as data.

>>> import dailyseg
>>> result = dailyseg.read("daily-seg.txt")
>>> filing = result.filing
>>> filing[7190]                      # excess funds in segregation, exact
>>> dailyseg.validate(filing)         # findings: formulas, signs, notices ...

The names below are imported when first used, so that `import dailyseg.cli` (every command's start) does
not load the catalogue, the readers and the rules before a command needs them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dailyseg.lazy import lazy_names

if TYPE_CHECKING:
    from dailyseg.catalogue import CATALOGUE
    from dailyseg.checks import Context, Finding, validate
    from dailyseg.filing import CoverPage, Entry, Filing, Header, Target
    from dailyseg.parse import read
    from dailyseg.problems import Problem, ReadResult

__version__ = "0.1.0"

_HOMES = {
    "CATALOGUE": "dailyseg.catalogue",
    "Context": "dailyseg.checks",
    "Finding": "dailyseg.checks",
    "validate": "dailyseg.checks",
    "CoverPage": "dailyseg.filing",
    "Entry": "dailyseg.filing",
    "Filing": "dailyseg.filing",
    "Header": "dailyseg.filing",
    "Target": "dailyseg.filing",
    "read": "dailyseg.parse",
    "Problem": "dailyseg.problems",
    "ReadResult": "dailyseg.problems",
}

__all__ = [
    "CATALOGUE",
    "Context",
    "CoverPage",
    "Entry",
    "Filing",
    "Finding",
    "Header",
    "Problem",
    "ReadResult",
    "Target",
    "__version__",
    "read",
    "validate",
]


__getattr__ = lazy_names(__name__, _HOMES)


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
