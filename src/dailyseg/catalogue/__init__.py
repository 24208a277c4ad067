"""The statements as data. `CATALOGUE` is loaded once from statements.toml and never changes."""

from dailyseg.catalogue.loader import CatalogueError, load
from dailyseg.catalogue.model import (
    Bound,
    Catalogue,
    Formula,
    HoldingType,
    KeyLine,
    Layout,
    Row,
    Section,
    Severity,
    Sign,
    Source,
    Statement,
    TargetKind,
    key_of,
)

CATALOGUE: Catalogue = load()

__all__ = [
    "CATALOGUE",
    "Bound",
    "Catalogue",
    "CatalogueError",
    "Formula",
    "HoldingType",
    "KeyLine",
    "Layout",
    "Row",
    "Section",
    "Severity",
    "Sign",
    "Source",
    "Statement",
    "TargetKind",
    "key_of",
    "load",
]
