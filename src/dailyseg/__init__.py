"""dailyseg: the CFTC Daily Segregation filing of a futures commission merchant, as data.

>>> import dailyseg
>>> result = dailyseg.read("daily-seg.txt")
>>> filing = result.filing
>>> filing[7190]                      # excess funds in segregation, exact
>>> dailyseg.validate(filing)         # findings: formulas, signs, notices ...
"""

from dailyseg.catalogue import CATALOGUE
from dailyseg.checks import Context, Finding, validate
from dailyseg.filing import CoverPage, Entry, Filing, Header, Target
from dailyseg.parse import read
from dailyseg.problems import Problem, ReadResult

__version__ = "0.1.0"

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
