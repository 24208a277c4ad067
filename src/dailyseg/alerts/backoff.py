"""When a failed delivery is tried again: exponential backoff, capped, up to a documented limit.

The first attempt is made at once; after a failure the wait doubles from one minute (1, 2, 4 ... minutes),
never more than six hours between two attempts, and the `MAX_ATTEMPTS`-th failure is final: the delivery is
marked failed and stays in the log. Fifteen attempts span about 38 hours (the last at 1 day 14 hours after the
first), so a receiver down over a night, or a Friday evening to a Saturday, still gets every event.
"""

from __future__ import annotations

from datetime import timedelta

FIRST_WAIT = timedelta(minutes=1)
LONGEST_WAIT = timedelta(hours=6)
MAX_ATTEMPTS = 15


def wait_after(attempts: int) -> timedelta:
    """How long to wait after the `attempts`-th attempt failed (attempts counts from 1)."""
    if attempts < 1:
        raise ValueError(f"no wait before the first attempt (asked after {attempts})")
    # Doubling past 2**9 minutes is beyond the cap already; the exponent is bounded so huge counts stay cheap.
    doubled: timedelta = FIRST_WAIT * 2 ** min(attempts - 1, 16)
    return min(doubled, LONGEST_WAIT)


def is_final(attempts: int) -> bool:
    """Whether a failure of the `attempts`-th attempt is the last one allowed."""
    return attempts >= MAX_ATTEMPTS
