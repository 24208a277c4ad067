from decimal import Decimal
from typing import Any

from dailyseg.filing import Entry

def scan(text: str, /) -> list[tuple[int, int, str | None, str | None, str | None, str | None, bool, str | None, int]] | None: ...
def read_plain(
    text: str,
    headings: tuple[tuple[str, str], ...],
    statement_of: dict[str, str],
    components: dict[tuple[str, str, str], str],
    decimal: type[Decimal],
    entry: type[Entry],
    /,
) -> list[tuple[Any, ...]] | None: ...
