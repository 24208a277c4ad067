"""Who may call each route that changes something: the rule of every non-GET route, and each one called as
anonymous, viewer, preparer, signer and admin.

The routes come from `app.routes`, so a route added without a rule (web/access.py) fails
`test_every_route_that_changes_something_has_one_rule`, and one whose rule is not listed here fails too,
until its expected rule and a way to call it (`CASES`) are added.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient
from httpx2 import Response

import dailyseg
from dailyseg.calendar import FILING_ZONE
from dailyseg.compute.demo import generate
from dailyseg.filing import Filing
from dailyseg.store import Store, workflow
from dailyseg.store import withdrawals as ledger
from dailyseg.store.notices import draft_for_filing
from dailyseg.store.people import Actor, add_user, authenticate, issue_token
from dailyseg.store.synthetic import daily_filing
from dailyseg.web import Settings, create_app
from dailyseg.web.access import READER, Rule
from dailyseg.web.security import csrf_checked, require_read
from tests.web.signing import PASSWORD, add_team, csrf, sign_in
from tests.web.support import SAMPLE, WRITE_TOKEN

# The rule each route that changes something must carry (by method and path).
EXPECTED: dict[tuple[str, str], str] = {
    ("POST", "/api/validate"): "read",
    ("POST", "/api/filings"): "store",
    ("POST", "/upload"): "read",
    ("POST", "/compute"): "read",
    ("POST", "/login"): "public",
    ("POST", "/logout"): "public",
    ("POST", "/closes"): "preparer",
    ("POST", "/closes/{close_id}/review"): "preparer",
    ("POST", "/closes/{close_id}/approve"): "signer",
    ("POST", "/closes/{close_id}/file"): "file",
    ("POST", "/closes/{close_id}/amend"): "preparer",
    ("POST", "/api/closes"): "preparer",
    ("POST", "/api/closes/{close_id}/review"): "preparer",
    ("POST", "/api/closes/{close_id}/approve"): "signer",
    ("POST", "/api/closes/{close_id}/file"): "file",
    ("POST", "/api/closes/{close_id}/amend"): "preparer",
    ("POST", "/admin/users"): "admin",
    ("POST", "/admin/users/{name}/roles"): "admin",
    ("POST", "/admin/users/{name}/disable"): "admin",
    ("POST", "/admin/users/{name}/tokens"): "admin",
    ("POST", "/admin/tokens/revoke"): "admin",
    ("POST", "/account/tokens"): "member",
    ("POST", "/account/tokens/revoke"): "member",
    ("POST", "/filings/{filing_id}/notices"): "preparer",
    ("POST", "/closes/{close_id}/notices"): "preparer",
    ("POST", "/notices/{notice_id}/sent"): "file",
    ("POST", "/withdrawals"): "preparer",
    ("POST", "/withdrawals/{withdrawal_id}/approve"): "signer",
    ("POST", "/withdrawals/{withdrawal_id}/execute"): "file",
    ("POST", "/api/withdrawals"): "preparer",
    ("POST", "/api/withdrawals/{withdrawal_id}/approve"): "signer",
    ("POST", "/api/withdrawals/{withdrawal_id}/execute"): "file",
    ("POST", "/withdrawals/{withdrawal_id}/cancel"): "preparer",
    ("POST", "/api/withdrawals/{withdrawal_id}/cancel"): "preparer",
}
FILED_DAY = date(2013, 7, 26)  # the day of the books "filed", which the amend cases amend ("demo" is the sample's day)
PERSONAS = {"anonymous": None, "viewer": "vic", "preparer": "pat", "signer": "sam", "admin": "alice"}


def _rules(dependant: Dependant) -> list[Rule]:
    found, todo = [], [dependant]
    while todo:
        current = todo.pop()
        if isinstance(current.call, Rule):
            found.append(current.call)
        elif current.call is require_read:
            found.append(READER)
        todo += current.dependencies
    return found


def _calls(dependant: Dependant) -> Iterator[object]:
    todo = [dependant]
    while todo:
        current = todo.pop()
        yield current.call
        todo += current.dependencies


def changing_routes(app: FastAPI) -> list[tuple[str, str, Dependant]]:
    """Every (method, path) of the app but GET and HEAD, included routers' routes with their routers' dependencies."""
    return [
        (method, context.path, context.dependant)
        for context in iter_route_contexts(app.routes)
        if isinstance(context.original_route, APIRoute) and context.path is not None
        for method in sorted((context.methods or set()) - {"GET", "HEAD"})
    ]


def test_every_route_that_changes_something_has_one_rule(tmp_path: Path) -> None:
    app = create_app(Settings(db_url=f"sqlite:///{tmp_path / 's.sqlite'}"))
    found = {}
    for method, path, dependant in changing_routes(app):
        rules = _rules(dependant)
        assert len(rules) == 1, f"{method} {path} has {len(rules)} rules: give it one (web/access.py)"
        found[(method, path)] = rules[0].name
        if not path.startswith("/api/"):
            assert csrf_checked in set(_calls(dependant)), f"{method} {path} is a form without the anti-forgery check"
    assert found == EXPECTED


# -- the matrix: each route called by each persona ---------------------------------------------------------
@dataclass
class World:
    app: FastAPI
    store: Store
    actors: dict[str, Actor]
    tokens: dict[str, str]
    filing: Filing  # the demo books' filing (the sample), whose day the amend cases file
    days: Iterator[int]

    def close_in(self, state: str) -> int:
        """A close made by quinn, on a day of its own, moved to `state` by people other than the personas."""
        day = date(2013, 8, 1) + timedelta(days=next(self.days))
        filing = replace(self.filing, header=replace(self.filing.header, end_date=day))
        return self._moved(workflow.draft(self.store, self.actors["quinn"], filing, source="matrix", errors=[]).id, state)

    def filed_books_day(self) -> int:
        """The day of the books "filed", filed (once): amending it makes an AMENDED draft each time."""
        day = [c for c in workflow.list_closes(self.store) if c.end_date == FILED_DAY and c.state == "filed"]
        if day:
            return day[0].id
        filing = replace(self.filing, header=replace(self.filing.header, end_date=FILED_DAY))
        return self._moved(workflow.draft(self.store, self.actors["quinn"], filing, source="matrix", errors=[]).id, "filed")

    def _moved(self, close_id: int, state: str) -> int:
        steps: list[tuple[str, Callable[[], workflow.Close]]] = [
            ("draft", lambda: workflow.review(self.store, self.actors["both"], close_id)),
            ("reviewed", lambda: workflow.approve(self.store, self.actors["sid"], close_id)),
            ("approved", lambda: workflow.file(self.store, self.actors["both"], close_id)),
        ]
        for before, step in steps:
            if state == before:
                break
            step()
        return close_id


@dataclass(frozen=True)
class Case:
    """How to call a route once: its URL, its form fields (for the user calling, None for nobody) and files,
    made fresh for each call."""

    path: Callable[[World], str]
    data: Callable[[World, str | None], dict[str, str]] = lambda *_: {}
    file: bool = False
    body: dict[str, object] | None = None  # a JSON body (the API's writes that take one)


_names = itertools.count()


def _token_of(world: World, name: str) -> str:
    """The number of a new token of `name`'s."""
    return str(issue_token(world.store, world.actors["alice"], name)[0])


def _deficient(world: World) -> int:
    """A stored filing of a day of its own in deficiency (its notice is drafted by whoever asks first)."""
    day = date(2014, 1, 1) + timedelta(days=next(world.days))
    filing = daily_filing("Matrix Notices LLC", day, requirement=Decimal(1_000_000), funds=Decimal(900_000))
    filing_id = world.store.ingest_filing(filing, source="matrix").filing_id
    assert filing_id is not None
    return filing_id


def _deficient_close(world: World) -> int:
    """A draft close of a day of its own in deficiency (its notice is drafted by whoever asks first)."""
    day = date(2015, 1, 1) + timedelta(days=next(world.days))
    filing = daily_filing("Matrix Notices LLC", day, requirement=Decimal(1_000_000), funds=Decimal(900_000))
    return workflow.draft(world.store, world.actors["quinn"], filing, source="matrix", errors=[]).id


def _unsent_notice(world: World) -> int:
    return draft_for_filing(world.store, world.actors["quinn"], _deficient(world), kinds=["deficiency"])[0].id


def _withdrawal(world: World, *, past_25: bool) -> int:
    """A withdrawal recorded by quinn against the prior day's filing: past 25% of its residual interest (it needs
    approval), or for customers (executed without one)."""
    basis = daily_filing(WITHDRAWING, BASIS_DAY, requirement=Decimal(10_000_000), funds=Decimal(11_000_000))
    world.store.ingest_filing(basis, source="matrix")  # stored once: already present after that
    at = datetime(2024, 3, 5, 10, tzinfo=FILING_ZONE)
    amount = Decimal(300_000 if past_25 else 10)
    asked = ledger.Request(WITHDRAWING, "segregation", amount, "USD", amount, "Parent", "dividend", not past_25, at)
    return ledger.record(world.store, world.actors["quinn"], asked, firm_id=world.store.require(WITHDRAWING)).withdrawal.id


WITHDRAWING = "Matrix Withdrawals LLC"
BASIS_DAY = date(2024, 3, 4)
WITHDRAWAL_FORM = {"firm": WITHDRAWING, "statement": "segregation", "amount": "10", "recipient": "Customer", "purpose": "refund"}


def _new_user(world: World) -> str:
    name = f"u{next(_names)}"
    add_user(world.store, world.actors["alice"], name, PASSWORD, ["viewer"])
    return name


CASES: dict[tuple[str, str], Case] = {
    ("POST", "/api/validate"): Case(lambda _: "/api/validate", file=True),
    ("POST", "/api/filings"): Case(lambda _: "/api/filings", file=True),
    ("POST", "/upload"): Case(lambda _: "/upload", lambda *_: {"action": "view"}, file=True),
    ("POST", "/compute"): Case(lambda _: "/compute", lambda *_: {"books": "demo"}),
    ("POST", "/login"): Case(lambda _: "/login", lambda *_: {"name": "vic", "password": PASSWORD}),
    ("POST", "/logout"): Case(lambda _: "/logout"),
    ("POST", "/closes"): Case(lambda _: "/closes", lambda *_: {"books": "demo"}),
    ("POST", "/closes/{close_id}/review"): Case(lambda w: f"/closes/{w.close_in('draft')}/review", lambda *_: {"comments": "7040=ok"}),
    ("POST", "/closes/{close_id}/approve"): Case(lambda w: f"/closes/{w.close_in('reviewed')}/approve"),
    ("POST", "/closes/{close_id}/file"): Case(lambda w: f"/closes/{w.close_in('approved')}/file", lambda *_: {"reference": "WJ-1"}),
    ("POST", "/admin/users"): Case(
        lambda _: "/admin/users", lambda *_: {"name": f"n{next(_names)}", "password": PASSWORD, "roles": "viewer"}
    ),
    ("POST", "/admin/users/{name}/roles"): Case(lambda w: f"/admin/users/{_new_user(w)}/roles", lambda *_: {"roles": "preparer"}),
    ("POST", "/admin/users/{name}/disable"): Case(lambda w: f"/admin/users/{_new_user(w)}/disable"),
    ("POST", "/admin/users/{name}/tokens"): Case(lambda _: "/admin/users/vic/tokens"),
    ("POST", "/admin/tokens/revoke"): Case(lambda _: "/admin/tokens/revoke", lambda w, _: {"token_id": _token_of(w, "vic")}),
    ("POST", "/account/tokens"): Case(lambda _: "/account/tokens"),
    ("POST", "/account/tokens/revoke"): Case(lambda _: "/account/tokens/revoke", lambda w, name: {"token_id": _token_of(w, name or "vic")}),
    ("POST", "/closes/{close_id}/amend"): Case(
        lambda w: f"/closes/{w.filed_books_day()}/amend", lambda *_: {"books": "filed", "reason": "fix"}
    ),
    ("POST", "/api/closes"): Case(lambda _: "/api/closes", lambda *_: {"books": "demo"}),
    ("POST", "/api/closes/{close_id}/review"): Case(lambda w: f"/api/closes/{w.close_in('draft')}/review", body={"comments": []}),
    ("POST", "/api/closes/{close_id}/approve"): Case(lambda w: f"/api/closes/{w.close_in('reviewed')}/approve"),
    ("POST", "/api/closes/{close_id}/file"): Case(lambda w: f"/api/closes/{w.close_in('approved')}/file", body={"reference": "WJ-1"}),
    ("POST", "/api/closes/{close_id}/amend"): Case(
        lambda w: f"/api/closes/{w.filed_books_day()}/amend", body={"books": "filed", "reason": "fix"}
    ),
    ("POST", "/filings/{filing_id}/notices"): Case(lambda w: f"/filings/{_deficient(w)}/notices", lambda *_: {"event": "deficiency"}),
    ("POST", "/closes/{close_id}/notices"): Case(lambda w: f"/closes/{_deficient_close(w)}/notices", lambda *_: {"event": "deficiency"}),
    ("POST", "/notices/{notice_id}/sent"): Case(lambda w: f"/notices/{_unsent_notice(w)}/sent", lambda *_: {"reference": "e-mail"}),
    ("POST", "/withdrawals"): Case(lambda _: "/withdrawals", lambda *_: {**WITHDRAWAL_FORM, "for_customers": "true"}),
    ("POST", "/withdrawals/{withdrawal_id}/approve"): Case(lambda w: f"/withdrawals/{_withdrawal(w, past_25=True)}/approve"),
    ("POST", "/withdrawals/{withdrawal_id}/execute"): Case(lambda w: f"/withdrawals/{_withdrawal(w, past_25=False)}/execute"),
    ("POST", "/api/withdrawals"): Case(lambda _: "/api/withdrawals", body={**WITHDRAWAL_FORM, "for_customers": True}),
    ("POST", "/api/withdrawals/{withdrawal_id}/approve"): Case(lambda w: f"/api/withdrawals/{_withdrawal(w, past_25=True)}/approve"),
    ("POST", "/api/withdrawals/{withdrawal_id}/execute"): Case(lambda w: f"/api/withdrawals/{_withdrawal(w, past_25=False)}/execute"),
    ("POST", "/withdrawals/{withdrawal_id}/cancel"): Case(
        lambda w: f"/withdrawals/{_withdrawal(w, past_25=False)}/cancel", lambda *_: {"reason": "typo"}
    ),
    ("POST", "/api/withdrawals/{withdrawal_id}/cancel"): Case(
        lambda w: f"/api/withdrawals/{_withdrawal(w, past_25=False)}/cancel", body={"reason": "typo"}
    ),
}


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    tmp = tmp_path_factory.mktemp("matrix")
    url = f"sqlite:///{tmp / 'store.sqlite'}"
    filing = dailyseg.read(SAMPLE).filing
    books = {"demo": tmp / "demo", "filed": tmp / "filed"}
    generate(books["demo"], accounts=60, positions_per_account=2, target=filing)
    generate(
        books["filed"], accounts=60, positions_per_account=2, target=replace(filing, header=replace(filing.header, end_date=FILED_DAY))
    )
    with Store.open(url) as store:
        add_team(store)
        admin_actor = _actor(store, "alice")
        add_user(store, admin_actor, "both", PASSWORD, ["preparer", "signer"])
        actors = {name: _actor(store, name) for name in ("alice", "vic", "pat", "quinn", "sam", "sid", "both")}
        tokens = {name: issue_token(store, actors[name], name)[1] for name in PERSONAS.values() if name}
        app = create_app(Settings(db_url=url, write_token=WRITE_TOKEN, books=books, heavy_workers=1))
        with TestClient(app):
            yield World(app, store, actors, tokens, filing, itertools.count())


def _actor(store: Store, name: str) -> Actor:
    with store.engine.connect() as conn:
        return authenticate(conn, name=name, password=PASSWORD)


def _expected(rule: str, persona: str, api: bool) -> str:
    allowed = {
        "public": set(PERSONAS),
        "read": set(PERSONAS),
        "store": {"preparer"},
        "preparer": {"preparer"},
        "signer": {"signer"},
        "file": {"preparer", "signer"},
        "admin": {"admin"},
        "member": set(PERSONAS) - {"anonymous"},
    }[rule]
    if persona in allowed:
        return "2xx"
    if persona == "anonymous":
        return "401" if api else "sign-in"
    return "403"


def _call(world: World, key: tuple[str, str], persona: str) -> tuple[TestClient, Response]:
    method, path = key
    case = CASES[key]
    client = TestClient(world.app)  # a browser of its own
    name = PERSONAS[persona]
    api = path.startswith("/api/")
    headers = {}
    data = case.data(world, name)
    if not api:
        data["csrf_token"] = csrf(client)
        if name is not None:
            assert sign_in(client, name).status_code == 303
    elif name is not None:
        headers["Authorization"] = f"Bearer {world.tokens[name]}"
    files = {"file": ("citi.txt", SAMPLE.read_bytes())} if case.file else None
    if case.body is not None:
        return client, client.request(method, case.path(world), json=case.body, headers=headers, follow_redirects=False)
    return client, client.request(method, case.path(world), data=data, files=files, headers=headers, follow_redirects=False)


def _outcome(client: TestClient, answer: Response) -> str:
    """2xx, the status, or "sign-in" for the redirect to the sign-in page; a step that worked is followed to its page."""
    if answer.status_code == 303 and answer.headers["location"].startswith("/login?next="):
        return "sign-in"
    if answer.status_code == 303:
        followed = client.get(answer.headers["location"])
        return "2xx" if 200 <= followed.status_code < 300 else str(followed.status_code)
    if 200 <= answer.status_code < 300:
        return "2xx"
    return str(answer.status_code)


@pytest.mark.slow
@pytest.mark.parametrize("persona", list(PERSONAS))
def test_each_route_as_each_persona(world: World, persona: str) -> None:
    wrong = []
    for key in CASES:
        client, answer = _call(world, key, persona)
        got = _outcome(client, answer)
        want = _expected(EXPECTED[key], persona, key[1].startswith("/api/"))
        if got != want:
            wrong.append((key, persona, want, got, answer.text[:200]))
    assert wrong == []


def test_every_route_has_a_case() -> None:
    assert set(CASES) == set(EXPECTED)
