"""Signing in on the pages: passwords, lock-out, sessions that expire and end, the cookie, CSRF, tokens on the API."""

from __future__ import annotations

import hashlib
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from dailyseg.store import Store
from dailyseg.store.audit import entries
from dailyseg.store.people import Actor, authenticate, issue_token, revoke_token
from dailyseg.store.sessions import SESSION_COOKIE
from dailyseg.store.tables import web_sessions
from dailyseg.web import Settings, create_app
from tests.web.signing import PASSWORD, add_team, csrf, form_token, sign_in
from tests.web.support import SAMPLE, WRITE_TOKEN

pytestmark = pytest.mark.slow  # Argon2 hashes every user added and every sign-in (tenths of a second each)


@dataclass
class Site:
    client: TestClient
    store: Store
    url: str

    def other(self, base_url: str = "http://testserver") -> TestClient:
        """Another browser on the same server (its own cookies)."""
        return TestClient(self.client.app, base_url=base_url)

    def actor(self, name: str) -> Actor:
        with self.store.engine.connect() as conn:
            return authenticate(conn, name=name, password=PASSWORD)


@pytest.fixture(scope="module")
def team_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store holding the team, made once: each test starts from a copy (adding users costs an Argon2 hash each)."""
    path = tmp_path_factory.mktemp("team") / "store.sqlite"
    with Store.open(f"sqlite:///{path}") as store:
        add_team(store)
    return path


def _site(team_file: Path, tmp_path: Path, **settings: object) -> Iterator[Site]:
    shutil.copy(team_file, tmp_path / "store.sqlite")
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    with Store.open(url) as store:
        app = create_app(Settings(db_url=url, write_token=WRITE_TOKEN, heavy_workers=1, **settings))  # type: ignore[arg-type]
        with TestClient(app) as client:
            yield Site(client, store, url)


@pytest.fixture
def site(team_file: Path, tmp_path: Path) -> Iterator[Site]:
    yield from _site(team_file, tmp_path, sign_in_limit_per_name=3, sign_in_limit_per_address=5)


def test_a_wrong_password_is_refused_without_a_session(site: Site) -> None:
    answer = sign_in(site.client, "pat", "not the password")
    assert answer.status_code == 401
    assert "unknown user &#39;pat&#39; or wrong password" in answer.text
    assert SESSION_COOKIE not in answer.cookies
    assert sign_in(site.client, "nobody", PASSWORD).status_code == 401
    assert site.client.get("/closes", follow_redirects=False).headers["location"] == "/login?next=/closes"


def test_signing_in_goes_back_to_the_page_and_shows_the_user(site: Site) -> None:
    answer = sign_in(site.client, "pat", next_page="/closes?firm=citi")
    assert answer.status_code == 303 and answer.headers["location"] == "/closes?firm=citi"
    page = site.client.get("/closes")
    assert page.status_code == 200 and "Signed in as <strong>pat</strong>" in page.text and "Sign out" in page.text
    for elsewhere in ("https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)"):
        assert sign_in(site.other(), "pat", next_page=elsewhere).headers["location"] == "/"


def test_the_cookie_is_httponly_lax_and_secure_over_https_and_only_its_hash_is_stored(site: Site) -> None:
    plain = sign_in(site.client, "pat").headers["set-cookie"].lower()
    assert "httponly" in plain and "samesite=lax" in plain and "path=/" in plain and "secure" not in plain
    browser = site.other("https://testserver")
    secure = sign_in(browser, "quinn")
    assert "; secure" in secure.headers["set-cookie"].lower()
    session_id = secure.cookies[SESSION_COOKIE]
    with site.store.engine.connect() as conn:
        stored = [r.id_hash for r in conn.execute(select(web_sessions))]
    assert hashlib.sha256(session_id.encode()).hexdigest() in stored and session_id not in stored


def test_lock_out_after_repeated_failures_by_name_and_by_address(site: Site) -> None:
    for _ in range(3):
        assert sign_in(site.client, "pat", "wrong password").status_code == 401
    locked = sign_in(site.client, "pat")  # the right password, but locked: not even checked
    assert locked.status_code == 429 and int(locked.headers["retry-after"]) > 0
    assert "too many failed sign-ins for &#39;pat&#39;" in locked.text
    assert sign_in(site.client, "quinn").status_code == 303  # another name from the same address: 4 failures < 5
    for name in ("x1", "x2"):
        assert sign_in(site.client, name, "wrong password").status_code == 401
    assert sign_in(site.client, "sam").status_code == 429  # the address has had 5 failures now
    assert "from this address" in sign_in(site.client, "sid").text


def test_a_successful_sign_in_clears_the_names_failures(site: Site) -> None:
    for _ in range(2):
        sign_in(site.client, "pat", "wrong password")
    assert sign_in(site.client, "pat").status_code == 303
    for _ in range(2):
        assert sign_in(site.client, "pat", "wrong password").status_code == 401
    assert sign_in(site.client, "pat").status_code == 303


@pytest.mark.parametrize("column", ["seen_at", "created_at"])
def test_a_session_expires_when_idle_or_past_its_lifetime(site: Site, column: str) -> None:
    sign_in(site.client, "pat")
    assert site.client.get("/closes").status_code == 200
    back = {"seen_at": timedelta(minutes=31), "created_at": timedelta(hours=13)}[column]
    with site.store.engine.begin() as conn:
        conn.execute(update(web_sessions).values({column: datetime.now(UTC) - back}))
    assert site.client.get("/closes", follow_redirects=False).headers["location"] == "/login?next=/closes"


def test_a_short_idle_timeout_from_the_settings(team_file: Path, tmp_path: Path) -> None:
    for site in _site(team_file, tmp_path, session_idle_s=1):
        sign_in(site.client, "pat")
        assert site.client.get("/closes").status_code == 200
        with site.store.engine.begin() as conn:
            conn.execute(update(web_sessions).values(seen_at=datetime.now(UTC) - timedelta(seconds=2)))
        assert site.client.get("/closes", follow_redirects=False).status_code == 303


def test_sign_out_ends_the_session_in_the_store_and_both_are_audited(site: Site) -> None:
    sign_in(site.client, "pat")
    kept = site.client.cookies[SESSION_COOKIE]
    token = form_token(site.client.get("/closes").text)
    answer = site.client.post("/logout", data={"csrf_token": token}, follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/login"
    with site.store.engine.connect() as conn:
        assert conn.execute(select(web_sessions)).all() == []
    replay = site.other()
    replay.cookies.set(SESSION_COOKIE, kept)
    assert replay.get("/closes", follow_redirects=False).status_code == 303  # the copied cookie is worth nothing
    actions = [(e.actor, e.action) for e in entries(site.store) if e.action.startswith("sign-")]
    assert actions == [("pat", "sign-in"), ("pat", "sign-out")]


def test_forms_without_the_anti_forgery_token_are_refused(site: Site) -> None:
    refused = site.client.post("/login", data={"name": "pat", "password": PASSWORD}, follow_redirects=False)
    assert refused.status_code == 403 and "did not come from this site" in refused.text
    sign_in(site.client, "pat")
    assert site.client.post("/logout", data={"csrf_token": "forged"}).status_code == 403
    assert site.client.post("/closes", data={"books": "demo"}).status_code == 403
    assert site.client.get("/closes").status_code == 200  # still signed in


def test_a_disabled_user_is_signed_out_at_once(site: Site) -> None:
    sign_in(site.client, "pat")
    admin = site.other()
    sign_in(admin, "alice")
    token = form_token(admin.get("/admin").text)
    assert admin.post("/admin/users/pat/disable", data={"csrf_token": token}, follow_redirects=False).status_code == 303
    assert site.client.get("/closes", follow_redirects=False).status_code == 303
    assert "user &#39;pat&#39; is disabled" in sign_in(site.other(), "pat").text


def test_personal_tokens_and_the_shared_token_store_through_the_api(site: Site) -> None:
    pat, vic = site.actor("pat"), site.actor("vic")
    token_id, token = issue_token(site.store, pat, "pat")
    _, viewer_token = issue_token(site.store, vic, "vic")
    files = {"file": ("citi.txt", SAMPLE.read_bytes())}
    assert site.client.post("/api/filings", files=files, headers={"Authorization": f"Bearer {viewer_token}"}).status_code == 403
    assert site.client.post("/api/filings", files=files, headers={"Authorization": f"Bearer {token}"}).status_code == 201
    again = site.client.post("/api/filings", files=files, headers={"Authorization": f"Bearer {WRITE_TOKEN}"})
    assert again.status_code == 200
    assert [e.actor for e in entries(site.store) if e.action == "ingest"] == ["pat"]
    revoke_token(site.store, pat, token_id)
    revoked = site.client.post("/api/filings", files=files, headers={"Authorization": f"Bearer {token}"})
    assert revoked.status_code == 401 and "revoked" in revoked.json()["error"]["message"]
    sign_in(site.client, "pat")  # a session is no credential for the API's writes: a browser sends it on its own
    assert site.client.post("/api/filings", files=files).status_code == 401


def test_reading_can_need_a_sign_in(team_file: Path, tmp_path: Path) -> None:
    for site in _site(team_file, tmp_path, read_needs_sign_in=True):
        assert site.client.get("/", follow_redirects=False).headers["location"] == "/login?next=/"
        assert site.client.get("/api/firms").status_code == 401
        assert site.client.get("/login").status_code == 200 and site.client.get("/api/health").status_code == 200
        _, token = issue_token(site.store, site.actor("vic"), "vic")
        assert site.client.get("/api/firms", headers={"Authorization": f"Bearer {token}"}).status_code == 200
        sign_in(site.client, "vic", next_page="/")
        assert site.client.get("/").status_code == 200 and site.client.get("/api/firms").status_code == 200


def test_an_upload_that_may_not_be_stored_keeps_its_validation(site: Site) -> None:
    def store_upload(client: TestClient) -> tuple[int, str]:
        data = {"csrf_token": csrf(client), "action": "store"}
        answer = client.post("/upload", data=data, files={"file": ("citi.txt", SAMPLE.read_bytes())})
        return answer.status_code, answer.text

    status, text = store_upload(site.client)
    assert status == 401 and "sign in as a preparer to store: the document was validated below but not stored" in text
    assert "Citigroup Global Markets Inc. 2013-07-25 INITIAL: <strong>valid</strong>" in text
    sign_in(site.client, "vic")
    status, text = store_upload(site.client)
    assert status == 403 and "vic may not store filings: sign in as a preparer" in text and 'id="line-7190"' in text
    sign_in(site.client, "pat")
    status, text = store_upload(site.client)
    assert status == 200 and "stored" in text and "Stored as pat" in text
    assert [e.actor for e in entries(site.store) if e.action == "ingest"] == ["pat"]


def test_serve_offers_the_session_settings_with_their_defaults() -> None:
    from dailyseg.cli import web_commands

    assert (Settings.session_idle_s, Settings.session_lifetime_s) == (web_commands.SESSION_IDLE_S, web_commands.SESSION_LIFETIME_S)


def test_a_user_issues_and_revokes_their_own_tokens_but_not_others(site: Site) -> None:
    assert site.client.get("/account", follow_redirects=False).headers["location"] == "/login?next=/account"
    sign_in(site.client, "vic")
    token = form_token(site.client.get("/account").text)
    issued = site.client.post("/account/tokens", data={"csrf_token": token})
    assert issued.status_code == 200 and issued.headers["cache-control"] == "no-store"
    found = re.search(r'id="issued-token">(dst_[^<]+)<', issued.text)
    assert found is not None
    assert site.client.get("/api/firms", headers={"Authorization": f"Bearer {found.group(1)}"}).status_code == 200
    others, _ = issue_token(site.store, site.actor("pat"), "pat")
    refused = site.client.post("/account/tokens/revoke", data={"csrf_token": token, "token_id": str(others)})
    assert refused.status_code == 403 and "vic may not revoke other users&#39; tokens" in refused.text
    own = site.client.post("/account/tokens/revoke", data={"csrf_token": token, "token_id": "1"}, follow_redirects=False)
    assert own.status_code == 303
    assert "Live API tokens</dt><dd>0" in site.client.get("/account").text
