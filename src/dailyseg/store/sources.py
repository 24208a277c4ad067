"""Finding the documents an ingest names: files, folders (searched recursively) and glob patterns."""

from __future__ import annotations

import glob
from collections.abc import Iterable, Iterator
from pathlib import Path

# Files taken from a folder; a file named explicitly is always read, whatever its name.
DOCUMENT_SUFFIXES = frozenset({".txt", ".text", ".htm", ".html", ".json", ".csv", ".pdf"})


def expand(targets: Iterable[str]) -> Iterator[Path]:
    """Every document named, in a stable order, each once. A pattern that matches nothing is yielded as is,
    so that the ingest reports it as unreadable rather than forgetting it."""
    seen: set[Path] = set()
    for target in targets:
        matches = sorted(glob.glob(target, recursive=True)) if glob.has_magic(target) else [target]
        for match in matches or [target]:
            path = Path(match)
            candidates = (
                sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in DOCUMENT_SUFFIXES) if path.is_dir() else [path]
            )
            for candidate in candidates:
                if candidate not in seen:
                    seen.add(candidate)
                    yield candidate
