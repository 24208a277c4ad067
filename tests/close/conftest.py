"""A store with the people of a small reporting team, on SQLite and on PostgreSQL (`store_url`)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from dailyseg.store import Store
from dailyseg.store.people import Actor, add_user

PASSWORD = "correct horse battery"


@dataclass(frozen=True)
class Team:
    store: Store
    admin: Actor
    pat: Actor  # preparer
    quinn: Actor  # preparer
    sam: Actor  # signer
    sid: Actor  # signer
    both: Actor  # preparer and signer


@pytest.fixture
def team(store_url: str) -> Iterator[Team]:
    with Store.open(store_url) as store:
        admin = add_user(store, None, "alice", PASSWORD, ["admin"])
        made = {name: add_user(store, admin, name, PASSWORD, roles) for name, roles in _ROLES.items()}
        yield Team(store, admin, made["pat"], made["quinn"], made["sam"], made["sid"], made["both"])


_ROLES = {"pat": ["preparer"], "quinn": ["preparer"], "sam": ["signer"], "sid": ["signer"], "both": ["preparer", "signer"]}


@pytest.fixture
def broken_path(tmp_path: Path, sample_text: str) -> Path:
    """The sample with one value changed by a dollar: formula S1 no longer holds (an error finding)."""
    path = tmp_path / "broken.txt"
    path.write_text(sample_text.replace("<u>6,948,252,676</u> [7040]", "<u>6,948,252,677</u> [7040]"), "utf-8")
    return path
