"""Firms judged again in the background when their revision changes (web.warming.Rejudging over store.answers).

A filing stored by another connection (an ingest, a watch, another server process) is noticed: that firm, and
only it, is judged again before anyone asks, and what a visitor then reads equals what a request would have
judged. Several processes claim a firm before judging it, so each change is judged once (and read by the
others); a request asking for what the background is judging waits for it; an upload starts the judging at
once; a store that refuses the claims is judged all the same. `firm_revisions` is `firm_revision` for every
firm, in one query.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select

from dailyseg.render import render_json
from dailyseg.store import Store
from dailyseg.store.answers import CLAIM, CLAIM_S, claim, revision_text
from dailyseg.store.synthetic import daily_filing
from dailyseg.store.tables import aliases, firm_answers
from dailyseg.watch.status import firm_status
from dailyseg.web import Settings, cache, create_app, history_view
from dailyseg.web.templating import render_template
from dailyseg.web.warming import Rejudging
from tests.web.support import ALPHA, MARKUP_FIRM, WRITE_TOKEN

LATEST = date(2024, 3, 28)  # the seeded store's latest End Date: an amendment of it leaves every other status as it was
FIRM_PATHS = ["/firms/{firm}", "/api/firms/{firm}", "/api/firms/{firm}/chart"]
Row = tuple[str, str, str, str, str]


@pytest.fixture
def store_url(seeded_store_url: str) -> str:
    """This module's tests run on a seeded SQLite store of their own (not the suite's parametrised empty one)."""
    return seeded_store_url


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    """Another connection to the store than any application's: what `dailyseg ingest` or another process holds."""
    with Store.open(store_url) as other:
        yield other


def _amend(store: Store, funds: int = 2000) -> str:
    """Store an amendment of the markup firm's latest day; the firm's id."""
    store.ingest_filing(_amendment(funds), source=f"beta-amended-{funds}")
    return store.require(MARKUP_FIRM)


def _amendment(funds: int) -> Any:
    return daily_filing(MARKUP_FIRM, LATEST, requirement=Decimal(1000), funds=Decimal(funds), target=Decimal(50), status="AMENDED")


def _judging(monkeypatch: pytest.MonkeyPatch) -> Counter[tuple[str, str]]:
    """Count each judging of a firm's status, feed and whole chart by (what, firm id), while still judging, and
    each watch of its days that they start from."""
    judged: Counter[tuple[str, str]] = Counter()
    for what, name, firm_at in (
        ("status", "firm_status", 1),
        ("feed", "watched_firm", 1),
        ("chart", "chart_of", 0),
        ("watch", "watch_latest", 1),
    ):
        monkeypatch.setattr(cache, name, _counted(judged, what, getattr(cache, name), firm_at=firm_at))
    monkeypatch.setattr(Store, "history_columns", _counted(judged, "columns", Store.history_columns))  # (self, firm, ...)
    return judged


def _counted(
    judged: Counter[tuple[str, str]],
    what: str,
    original: Callable[..., Any],
    before: Callable[[], None] = lambda: None,
    firm_at: int = 1,
) -> Callable[..., Any]:
    """`original`, counting its calls by the firm id among its arguments (after the store, or first)."""

    def judge(*args: Any, **named: Any) -> Any:
        before()
        judged[what, args[firm_at]] += 1
        return original(*args, **named)

    return judge


def _rendering(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """Count each rendering of a firm page's table of days, by template, while still rendering it."""
    rendered: Counter[str] = Counter()

    def render(name: str, context: Mapping[str, Any]) -> str:
        rendered[name] += 1
        return render_template(name, context)

    monkeypatch.setattr(history_view, "render_template", render)
    return rendered


def _rows(store: Store) -> set[Row]:
    """The kept answers (claims aside)."""
    c = firm_answers.c
    query = select(c.firm_id, c.kind, c.key, c.revision, c.body).where(c.kind != CLAIM)
    with store.engine.connect() as conn:
        return {(str(f), str(k), str(key), str(r), str(b)) for f, k, key, r, b in conn.execute(query)}


def _pages(client: TestClient, firm: str) -> dict[str, Any]:
    """Each firm path's answer: the JSON, or the page less its form tokens (which differ by application)."""
    found: dict[str, Any] = {}
    for path in (p.format(firm=firm) for p in FIRM_PATHS):
        response = client.get(path)
        assert response.status_code == 200, path
        text = response.text
        found[path] = response.json() if "json" in response.headers["content-type"] else [x for x in text.splitlines() if "csrf" not in x]
    return found


def _rejudging(app: FastAPI) -> Rejudging:
    found: Rejudging = app.state.rejudging
    return found


def test_another_connections_filing_is_judged_again_for_that_firm_only(
    store_url: str, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = create_app(Settings(db_url=store_url))
    with TestClient(app) as client:
        rejudging = _rejudging(app)
        assert rejudging.settle() == len(store.firm_ids())  # the start: every firm
        assert rejudging.settle() == 0  # nothing changed
        before = _rows(store)
        beta = _amend(store)
        judged = _judging(monkeypatch)
        tables = _rendering(monkeypatch)
        assert rejudging.settle() == 1
        assert {firm for _, firm in judged} == {beta}
        assert judged["status", beta] == judged["feed", beta] == judged["chart", beta] == 1
        assert judged["watch", beta] == 1  # the status and the feed from one watch of the same days
        assert judged["columns", beta] == 1  # the chart and the totals' figures from one read of its days
        assert tables == Counter({"_firm_days.html.j2": 1})  # the firm page's table of days, made ahead too
        after = _rows(store)
        assert {row for row in after if row[0] != beta} == {row for row in before if row[0] != beta}
        new = revision_text(store.firm_revision(beta))
        assert {kind for firm, kind, _, revision, _ in after if firm == beta and revision == new} == {
            "status",
            "feed",
            "chart",
            "history",
            "totalled",
        }
        assert all(revision == new for firm, _, _, revision, _ in after if firm == beta)
        judged.clear()
        served = _pages(client, beta)
        assert judged == Counter()  # read, not judged
        assert tables == Counter({"_firm_days.html.j2": 1})  # nor rendered again
    with store.engine.begin() as conn:
        conn.execute(delete(firm_answers))
    with TestClient(create_app(Settings(db_url=store_url))) as fresh:
        assert _pages(fresh, beta) == served  # what a request judges itself
    assert judged["status", beta] >= 1


def test_a_new_latest_day_judges_every_firm_again(store_url: str, store: Store) -> None:
    rejudging = Rejudging(cache.RevisionCache(), lambda: store, 0)
    firms = len(store.firm_ids())
    assert rejudging.settle() == firms
    store.ingest_filing(daily_filing(ALPHA, date(2024, 4, 1), requirement=Decimal(1000), funds=Decimal(2000)), source="alpha-next")
    assert rejudging.settle() == firms  # every status as of the new day is new


def test_two_processes_judge_each_changed_firm_once(store_url: str, store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    first, second = create_app(Settings(db_url=store_url)), create_app(Settings(db_url=store_url))
    with TestClient(first) as reader, TestClient(second):
        assert _rejudging(first).settle() == len(store.firm_ids())
        assert _rejudging(second).settle() == 0  # every firm claimed by the first
        assert _rejudging(second).read == len(store.firm_ids())  # and read from the store once the first kept them
        beta = _amend(store)
        judged = _judging(monkeypatch)
        waiting = [_rejudging(second), _rejudging(first)]
        while waiting:  # one step each in turn, as two processes looking at once
            waiting = [r for r in waiting if r.attempt()]
        assert judged == Counter({(what, beta): 1 for what in ("status", "feed", "watch", "chart", "columns")})
        assert _rejudging(first).judged + _rejudging(second).judged == len(store.firm_ids()) + 1
        assert _rejudging(first).read == 1  # what the second judged of the firm
        _pages(reader, beta)
        assert judged == Counter(
            {(what, beta): 1 for what in ("status", "feed", "watch", "chart", "columns")}
        )  # the first read what the second kept


def test_a_claim_is_won_once_and_taken_over_only_when_stale(store: Store) -> None:
    beta = store.require(MARKUP_FIRM)
    revision = store.firm_revision(beta)
    assert claim(store, beta, "2024-03-28", revision, now=1000.0)
    assert not claim(store, beta, "2024-03-28", revision, now=1001.0)
    assert not claim(store, beta, "2024-03-28", revision, now=1000.0 + CLAIM_S - 1)
    assert claim(store, beta, "2024-03-28", revision, now=1000.0 + CLAIM_S + 1)
    assert not claim(store, beta, "2024-03-28", revision, now=1000.0 + CLAIM_S + 2)
    assert claim(store, beta, "2024-03-29", revision, now=1000.0 + CLAIM_S + 2)  # a new day: a new claim, the older gone
    c = firm_answers.c
    with store.engine.connect() as conn:
        held = conn.execute(select(c.key, c.body).where(c.firm_id == beta, c.kind == CLAIM)).all()
    assert [(str(k), float(b)) for k, b in held] == [("2024-03-29", 1000.0 + CLAIM_S + 2)]


def test_a_request_waits_for_the_answer_the_background_is_judging(store_url: str, store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    app = create_app(Settings(db_url=store_url))
    with TestClient(app) as client:
        _rejudging(app).settle()
        beta = _amend(store)
        judged: Counter[tuple[str, str]] = Counter()
        inside, release = threading.Event(), threading.Event()

        def held() -> None:
            inside.set()
            release.wait(30)

        monkeypatch.setattr(cache, "firm_status", _counted(judged, "status", firm_status, before=held))
        background = threading.Thread(target=_rejudging(app).settle)
        background.start()
        assert inside.wait(30)
        answers: list[Any] = []
        request = threading.Thread(target=lambda: answers.append(client.get(f"/api/firms/{beta}").json()))
        request.start()
        time.sleep(0.5)  # the request meets the judging under way (were it later, it would read the kept answer)
        release.set()
        background.join(30)
        request.join(30)
        assert judged["status", beta] == 1
        assert answers[0]["status"] == client.get(f"/api/firms/{beta}").json()["status"]


def _kept_status(store: Store, firm_id: str) -> bool:
    """Whether the firm's status at its current revision is kept in the store."""
    c = firm_answers.c
    where = (c.firm_id == firm_id, c.kind == "status", c.revision == revision_text(store.firm_revision(firm_id)))
    with store.engine.connect() as conn:
        return conn.execute(select(c.key).where(*where)).first() is not None


def _eventually(condition: Callable[[], bool], within_s: float = 60.0) -> bool:
    """Whether `condition` holds within `within_s` (the background's thread does the work: no timing is asserted)."""
    deadline = time.monotonic() + within_s
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def test_the_servers_thread_notices_another_connections_filing(store_url: str, store: Store) -> None:
    with TestClient(create_app(Settings(db_url=store_url, warm_answers=True, rejudge_every_s=0.05))):
        firms = store.firm_ids()
        assert _eventually(lambda: all(_kept_status(store, f) for f in firms))
        beta = _amend(store)
        assert not _kept_status(store, beta)
        assert _eventually(lambda: _kept_status(store, beta))


def test_an_upload_starts_the_judging_at_once(store_url: str, store: Store) -> None:
    configured = Settings(db_url=store_url, write_token=WRITE_TOKEN, warm_answers=True, rejudge_every_s=0)  # no looking but on a nudge
    with TestClient(create_app(configured)) as client:
        firms = store.firm_ids()
        assert _eventually(lambda: all(_kept_status(store, f) for f in firms))
        files = {"file": ("beta.json", render_json(_amendment(3000)).encode(), "application/json")}
        stored = client.post("/api/filings", files=files, headers={"Authorization": f"Bearer {WRITE_TOKEN}"})
        assert stored.status_code == 201
        assert _eventually(lambda: _kept_status(store, store.require(MARKUP_FIRM)))


# -- every firm's revision in one query is each firm's own --

_names = st.sampled_from(["Alpha Futures LLC", "Beta Clearing Inc.", "Gamma Trading LP", "Delta Markets LLC"])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(name=_names, day=st.integers(0, 20), joined=st.none() | _names)
def test_every_firms_revision_in_one_query_is_its_own(store: Store, name: str, day: int, joined: str | None) -> None:
    store.ingest_filing(
        daily_filing(name, date.fromordinal(date(2024, 4, 1).toordinal() + day), requirement=Decimal(10), funds=Decimal(20)),
        source=f"{name}-{day}",
    )
    if joined is not None and store.resolve(joined) is not None:
        store.alias(name, joined)  # the name (and its filings) joins another firm
    with store.engine.connect() as conn:
        named = {str(f) for f in conn.execute(select(aliases.c.firm_id)).scalars()}
    assert store.firm_revisions() == {firm: store.firm_revision(firm) for firm in named}


def test_a_store_that_refuses_claims_is_judged_all_the_same(store_url: str, caplog: pytest.LogCaptureFixture) -> None:
    path = store_url.removeprefix("sqlite:///")
    with Store.open(f"sqlite:///file:{path}?mode=ro&uri=true", create=False) as read_only:
        assert Rejudging(cache.RevisionCache(), lambda: read_only, 0).settle() == len(read_only.firm_ids())
    assert caplog.text.count("was not claimed in the store (judged all the same)") == len(read_only.firm_ids())
