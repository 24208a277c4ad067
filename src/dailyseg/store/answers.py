"""Answers judged from a firm's filings, kept in the store once for every process that serves them.

A firm's status (every rule over its recent filings), its part of the overview's feed, its chart data, its
history pages take the monitor and the history queries a tenth of a second or more each; several server processes (`serve
--workers`) each kept their own copy in memory, so what one had judged the others judged again, on the same
cores. Kept here, an answer is judged once per firm revision (`Store.firm_revision`) and what it further
depends on (`key`: the as-of day), and read back by any process with one lookup of the primary key.

Writers never conflict: a row is inserted or, when another process inserted it first, left as it is (both
hold the same answer). An answer is kept only when the firm's revision is still the one it was judged for, so
an answer judged while a new filing arrived is never filed under the older revision. Keeping an answer also
deletes the firm's answers of that kind kept for other revisions, which nobody asks for any more.

A server process that sees a firm change judges its answers before anyone asks (`web.warming`); every process
of a server sees the change, so the first to `claim` the firm's revision judges it, and the others read.
"""

from __future__ import annotations

import contextlib
import logging
import queue
import threading
import time
from collections.abc import Callable
from functools import partial
from typing import Any, TypeVar

from sqlalchemy import and_, delete, func, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import SQLAlchemyError

from dailyseg.store.store import Store
from dailyseg.store.tables import firm_answers

T = TypeVar("T")
Revision = tuple[int, int]

# The most answers of one kind kept for one firm revision. The key is partly the visitor's to choose (`?as_of=`,
# a history page's range), so without a bound anyone who may read could fill the store. The answers everyone
# asks (the latest day's, the default range's) are kept first, by a server's warming (`web.warming`); past the
# bound, answers are judged and not kept.
MAX_KEYS = 64

# A claim to judge a firm's answers (`claim`) holds this long; past it another process may take it over: the
# process that claimed stopped before it was done, say. Judging one firm takes a second at most, even busy.
CLAIM_S = 120.0
CLAIM = "claim"

_log = logging.getLogger(__name__)


def revision_text(revision: Revision) -> str:
    """The revision as the table keeps it: the names digest is an unsigned 64-bit number, past BIGINT's range."""
    return f"{revision[0]}:{revision[1]}"


def kept_answer(store: Store, firm_id: str, kind: str, key: str, revision: Revision) -> str | None:
    """The answer kept for the firm, kind, key and revision, as the JSON text it was kept as; None if none is."""
    where = _where(firm_id, kind, key, revision_text(revision))
    with store.engine.connect() as conn:
        found = conn.execute(select(firm_answers.c.body).where(where)).scalar()
    return None if found is None else str(found)


# An answer's text, or what writes it: encoding ten years of a firm's figures takes longer than judging them
# again from the figures held (6 ms), so it is left to the keeping, which skips it when nothing is kept.
Body = str | Callable[[], str]


def keep_answer(store: Store, firm_id: str, kind: str, key: str, revision: Revision, body: Body) -> bool:
    """Keep `body` unless the firm's revision has moved on since it was judged, or `MAX_KEYS` answers of the
    kind are kept for it already; whether it is kept now.

    A store that refuses the write (opened read-only, or locked past its busy timeout) only loses the saving:
    the answer was judged and is served all the same, so the failure is logged, not raised.
    """
    if store.firm_revision(firm_id) != revision:
        return False
    current = revision_text(revision)
    row = {"firm_id": firm_id, "kind": kind, "key": key, "revision": current}
    c = firm_answers.c
    try:
        # Counted before the write's transaction, which then starts with its write (a SQLite reader turned
        # writer fails at once if another process wrote meanwhile); processes writing at once may each pass it by one.
        with store.engine.connect() as conn:
            held = conn.execute(select(func.count()).where(c.firm_id == firm_id, c.kind == kind, c.revision == current)).scalar_one()
        if held >= MAX_KEYS:
            return False
        row["body"] = body if isinstance(body, str) else body()
        with store.engine.begin() as conn:
            conn.execute(_insert_ignoring_present(conn), [row])
            older = and_(c.firm_id == firm_id, c.kind == kind, c.revision != current)
            conn.execute(delete(firm_answers).where(older))
    except SQLAlchemyError as error:
        _log.warning("the %s answer of firm %s was not kept in the store: %s", kind, firm_id, " ".join(str(error).split()))
        return False
    return True


def claim(store: Store, firm_id: str, key: str, revision: Revision, now: float | None = None) -> bool:
    """Whether this process is the one to judge the firm's answers as of `key` (the day) at `revision`: the
    first to ask, or the first to ask again once a claim is older than `CLAIM_S` seconds. Claiming a firm
    again (a new revision or day) removes its older claims.

    The claim is a row of the answers' own table: inserted if absent, else taken over only if it is still
    the stale one read (in the write's transaction, which SQLite runs one at a time), so two processes never
    both win it. A store that refuses the write (read-only, or locked past its busy timeout) leaves nothing to
    share the work by: the claim is logged as failed and won, so the process judges as it would without claims.
    """
    now = time.time() if now is None else now
    c = firm_answers.c
    mine = _where(firm_id, CLAIM, key, revision_text(revision))
    row = {"firm_id": firm_id, "kind": CLAIM, "key": key, "revision": revision_text(revision), "body": repr(now)}
    try:
        with store.engine.begin() as conn:
            if conn.execute(_insert_ignoring_present(conn), row).rowcount == 1:
                conn.execute(delete(firm_answers).where(c.firm_id == firm_id, c.kind == CLAIM, ~mine))
                return True
            held = conn.execute(select(c.body).where(mine)).scalar()
            if held is None or float(held) > now - CLAIM_S:  # None: a newer claim removed it meanwhile
                return False
            return bool(conn.execute(update(firm_answers).where(mine, c.body == held).values(body=repr(now))).rowcount == 1)
    except SQLAlchemyError as error:
        _log.warning("firm %s was not claimed in the store (judged all the same): %s", firm_id, " ".join(str(error).split()))
        return True


# How an answer judged is kept: `keep_answer` itself, or a `Keeper`'s `keep`, which hands it to a thread.
Keep = Callable[[Store, str, str, str, Revision, Body], object]


def answer(
    store: Store,
    firm_id: str,
    kind: str,
    key: str,
    revision: Revision,
    judge: Callable[[], T],
    encode: Callable[[T], str],
    decode: Callable[[str], T],
    keep: Keep = keep_answer,
) -> T:
    """The kept answer decoded, else `judge()` kept (encoded, by `keep`, not before) for the next process to ask."""
    found = kept_answer(store, firm_id, kind, key, revision)
    if found is not None:
        return decode(found)
    made = judge()
    keep(store, firm_id, kind, key, revision, partial(encode, made))
    return made


class Keeper:
    """Keeps answers in a thread of its own, so that the request that judged one never waits to encode or write it.

    SQLite has one writer at a time: a request's write waits for every ingest and every other process's
    write in progress (in SQLite's busy-wait steps, up to a tenth of a second each), which after a burst of
    filings cost the requests more than the judging. The request has its answer already; the thread writes
    it when it can. At most `size` answers wait (past that one is not kept: it is judged again, as without
    keeping); `close` writes those waiting before it returns.
    """

    def __init__(self, size: int = 256) -> None:
        self._waiting: queue.Queue[tuple[Store, str, str, str, Revision, Body] | None] = queue.Queue(size)
        self._thread: threading.Thread | None = None  # started with the first answer
        self._lock = threading.Lock()

    def keep(self, store: Store, firm_id: str, kind: str, key: str, revision: Revision, body: Body) -> None:
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._write, name="dailyseg-keep-answers", daemon=True)
                self._thread.start()
        with contextlib.suppress(queue.Full):
            self._waiting.put_nowait((store, firm_id, kind, key, revision, body))

    def close(self) -> None:
        with self._lock:
            thread, self._thread = self._thread, None
        if thread is not None:
            self._waiting.put(None)
            thread.join()

    def _write(self) -> None:
        while True:
            item = self._waiting.get()
            try:
                if item is None:
                    return
                keep_answer(*item)
            except Exception:  # a defect must not end the thread: later answers are still kept
                _log.exception("an answer was not kept in the store")
            finally:
                self._waiting.task_done()


def _where(firm_id: str, kind: str, key: str, revision: str) -> Any:
    c = firm_answers.c
    return and_(c.firm_id == firm_id, c.kind == kind, c.key == key, c.revision == revision)


def _insert_ignoring_present(conn: Connection) -> Any:
    """INSERT ... ON CONFLICT DO NOTHING on the primary key, in the database's own dialect."""
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects import postgresql

        return postgresql.insert(firm_answers).on_conflict_do_nothing()
    from sqlalchemy.dialects import sqlite

    return sqlite.insert(firm_answers).on_conflict_do_nothing()
