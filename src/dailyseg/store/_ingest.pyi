from dailyseg.filing import Entry

def packed(
    entries: tuple[Entry, ...], statements: tuple[str, ...], known: frozenset[str], code_limit: int, /
) -> tuple[str, bytes, str, str] | None: ...
