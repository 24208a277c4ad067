"""The notices' and withdrawals' page tests' world: a store (SQLite or PostgreSQL) with the reporting team, the
application over it, and a browser (TestClient) or an API token for each person."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from fastapi import FastAPI
from fastapi.testclient import TestClient

from dailyseg.store import Store
from dailyseg.store.people import Actor, add_user, authenticate, issue_token
from dailyseg.web import Settings, create_app
from tests.web.signing import PASSWORD, add_team, form_token, sign_in


@dataclass
class Office:
    """The team (tests/web/signing.py, and `both`, a preparer and signer) over one store and one application."""

    store: Store
    app: FastAPI
    clients: dict[str, TestClient] = field(default_factory=dict)

    def actor(self, name: str) -> Actor:
        with self.store.engine.connect() as conn:
            return authenticate(conn, name=name, password=PASSWORD)

    def browser(self, name: str | None) -> TestClient:
        """A browser signed in as `name` (None: nobody), one per person, kept for the test."""
        key = name or ""
        if key not in self.clients:
            client = TestClient(self.app)  # the application's lifespan is the one of `office`
            if name is not None:
                assert sign_in(client, name).status_code == 303
            self.clients[key] = client
        return self.clients[key]

    def post(self, name: str | None, path: str, data: dict[str, str] | None = None, page: str = "/withdrawals") -> tuple[int, str, str]:
        """A form of `page` sent as `name`: the status, where it redirects and the answer's text."""
        client = self.browser(name)
        token = form_token(client.get("/login").text)
        answer = client.post(path, data={**(data or {}), "csrf_token": token}, follow_redirects=False, headers={"referer": page})
        return answer.status_code, answer.headers.get("location", ""), answer.text

    def bearer(self, name: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {issue_token(self.store, self.actor('alice'), name)[1]}"}


@contextmanager
def office(url: str) -> Iterator[Office]:
    with Store.open(url) as store:
        add_team(store)
        app = create_app(Settings(db_url=url, heavy_workers=1))
        made = Office(store, app)
        add_user(store, made.actor("alice"), "both", PASSWORD, ["preparer", "signer"])
        with TestClient(app):  # starts the application (its worker processes) once, and stops it
            yield made
