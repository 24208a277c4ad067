"""Helpers of the sign-in tests: a reporting team in a store, the forms' anti-forgery token, signing in a client."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from httpx2 import Response

from dailyseg.store import Store
from dailyseg.store.people import add_user

PASSWORD = "correct horse battery"
# alice admin, vic viewer, pat and quinn preparers, sam and sid signers.
TEAM = {"vic": ["viewer"], "pat": ["preparer"], "quinn": ["preparer"], "sam": ["signer"], "sid": ["signer"]}


def add_team(store: Store) -> None:
    admin = add_user(store, None, "alice", PASSWORD, ["admin"])
    for name, roles in TEAM.items():
        add_user(store, admin, name, PASSWORD, roles)


def form_token(html: str) -> str:
    """The anti-forgery token of the first form of a page."""
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found is not None, html[:500]
    return found.group(1)


def csrf(client: TestClient) -> str:
    """A form token for this client (its cookie is set by the same answer)."""
    return form_token(client.get("/login").text)


def sign_in(client: TestClient, name: str, password: str = PASSWORD, next_page: str = "/") -> Response:
    data = {"csrf_token": csrf(client), "name": name, "password": password, "next": next_page}
    return client.post("/login", data=data, follow_redirects=False)
