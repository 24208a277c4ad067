"""Computations from the books folders the server was configured with, chosen by name and kept in memory.

A computation is reused while the folder's files are unchanged (same names, sizes and times), so the
explanation of each line does not compute the whole filing again.
"""

from __future__ import annotations

import threading
from pathlib import Path

from fastapi import HTTPException

from dailyseg.compute import BooksError, Computation, compute, read_books
from dailyseg.compute.books import Books
from dailyseg.web.settings import Settings

Signature = tuple[tuple[str, int, int], ...]


def _signature(folder: Path) -> Signature:
    return tuple(sorted((p.name, p.stat().st_size, p.stat().st_mtime_ns) for p in folder.iterdir() if p.is_file()))


class Computations:
    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._kept: dict[str, tuple[Signature, Books, Computation]] = {}
        self._lock = threading.Lock()

    def get(self, name: str) -> tuple[Books, Computation]:
        """The books named `name` (a configured name, never a path) and their computed filing."""
        folder = self._settings.books.get(name)
        if folder is None:
            raise HTTPException(404, f"no books named {name!r} on this server")
        with self._lock:
            signature = _signature(folder)
            kept = self._kept.get(name)
            if kept is None or kept[0] != signature:
                try:
                    books = read_books(folder)
                    kept = (signature, books, compute(books))
                except BooksError as error:
                    raise HTTPException(422, f"the books {name!r} cannot be read: {error}") from None
                self._kept[name] = kept
            return kept[1], kept[2]
