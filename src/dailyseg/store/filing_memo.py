"""Filings rebuilt from the store, kept by one `Store` for the next judging that reads them again.

Judging a firm reads each of its filings of the last ten weeks or so (`watch.monitor.watch_firm`), and a
server judges the same firm several times over: its status and its part of the overview's feed cover nearly
the same weeks, an overview as of another day moves the window by a day, and a firm's next filing leaves all
but one of the weeks' filings as they were. Rebuilding a filing (its values fetched, every amount made a
`Decimal`) was half of each judging.

A stored version is never changed: a new version is a new row, and `audit verify` holds the rows to their
hash. So a filing kept under its id *and* its content hash (which also covers its header) is the filing the
store would rebuild, even should an id ever be handed out again after a rolled-back or emptied store. The
lines read are part of the key: a filing read with only some codes is kept apart from the whole one.

The memo is bounded (least recently used go first) and shared by the threads of a process.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence

from dailyseg.filing import Filing
from dailyseg.store.types import FilingVersion

# A filing kept takes 23-33 KB (its `Entry` objects and `Decimal`s; read with the events' lines only, or whole),
# so this is at most about 70 MB a process: one judging of some 35 firms' ten weeks, and for any number of firms
# the reuse that matters most, of one firm's filings by its status and then its feed, and after its next filing.
MAX_FILINGS = 2048

Key = tuple[int, str, tuple[str, ...] | None]


class RebuiltFilings:
    def __init__(self, size: int = MAX_FILINGS) -> None:
        self._size = size
        self._kept: OrderedDict[Key, Filing] = OrderedDict()
        self._lock = threading.Lock()

    def contents(
        self, versions: Sequence[FilingVersion], codes: tuple[str, ...] | None, read: Callable[[list[FilingVersion]], list[Filing]]
    ) -> list[Filing]:
        """The filings of `versions` in their order: those kept, and the others by one `read` of them all."""
        keys = [(v.id, v.content_hash, codes) for v in versions]
        with self._lock:
            found = {key: self._kept[key] for key in keys if key in self._kept}
            for key in found:
                self._kept.move_to_end(key)
        missing = [v for v, key in zip(versions, keys, strict=True) if key not in found]
        if missing:
            made = dict(zip(((v.id, v.content_hash, codes) for v in missing), read(missing), strict=True))
            found |= made
            with self._lock:
                self._kept.update(made)
                while len(self._kept) > self._size:
                    self._kept.popitem(last=False)
        return [found[key] for key in keys]
