"""Users, roles, passwords and tokens, and the one identity check the command line and the web share."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from dailyseg.store.audit import entries
from dailyseg.store.people import Denied, PeopleError, add_user, authenticate, disable, issue_token, list_users, revoke_token, set_roles
from dailyseg.store.tables import user_tokens, users
from tests.close.conftest import PASSWORD, Team

pytestmark = pytest.mark.slow  # each test signs people in with Argon2 (about a second each): runs in the full suite, not in the fast tier


def test_passwords_and_tokens_are_kept_hashed(team: Team) -> None:
    token_id, token = issue_token(team.store, team.pat, "pat")
    with team.store.engine.connect() as conn:
        stored = conn.execute(select(users.c.password_hash).where(users.c.name == "pat")).scalar_one()
        kept = conn.execute(select(user_tokens.c.token_hash).where(user_tokens.c.id == token_id)).scalar_one()
        assert stored.startswith("$argon2id$") and PASSWORD not in stored
        assert token not in kept and len(kept) == 64
        actor = authenticate(conn, token=token)
    assert (actor.name, actor.via, actor.roles) == ("pat", f"token {token_id}", frozenset({"preparer"}))


def test_who_is_refused(team: Team) -> None:
    with team.store.engine.connect() as conn:
        assert authenticate(conn, name="sam", password=PASSWORD).roles == {"signer"}
        for name, password in (("sam", "wrong password"), ("nobody", PASSWORD)):
            with pytest.raises(Denied, match=r"unknown user .* or wrong password"):
                authenticate(conn, name=name, password=password)
        with pytest.raises(Denied, match="token is not valid"):
            authenticate(conn, token="dst_made-up")
        service = authenticate(conn, token="shared-secret", service_token="shared-secret")
        assert (service.name, service.roles) == ("service", frozenset())
    token_id, token = issue_token(team.store, team.admin, "quinn")
    revoke_token(team.store, team.quinn, token_id)
    disable(team.store, team.admin, "sam")
    with team.store.engine.connect() as conn:
        with pytest.raises(Denied, match="token is not valid"):
            authenticate(conn, token=token)
        with pytest.raises(Denied, match="disabled"):
            authenticate(conn, name="sam", password=PASSWORD)


def test_only_admins_manage_people(team: Team) -> None:
    with pytest.raises(Denied, match="needs the admin role"):
        add_user(team.store, team.pat, "eve", PASSWORD, ["admin"])
    with pytest.raises(Denied, match="needs the admin role"):
        set_roles(team.store, team.pat, "pat", ["signer"])
    with pytest.raises(Denied, match="needs the admin role"):
        issue_token(team.store, team.pat, "sam")
    with pytest.raises(Denied, match="has users"):
        add_user(team.store, None, "eve", PASSWORD, ["admin"])
    with pytest.raises(PeopleError, match="last admin"):
        set_roles(team.store, team.admin, "alice", ["viewer"])
    with pytest.raises(PeopleError, match="no role 'boss'"):
        set_roles(team.store, team.admin, "pat", ["boss"])
    set_roles(team.store, team.admin, "pat", ["preparer", "signer"])
    assert {u.name: u.roles for u in list_users(team.store)}["pat"] == ("preparer", "signer")
    changes = [(e.actor, e.action, e.subject, e.detail.get("roles")) for e in entries(team.store) if e.action == "user-set-role"]
    assert changes == [("alice", "user-set-role", "user pat", "preparer,signer")]


def test_the_first_user_must_be_an_admin(store_url: str) -> None:
    from dailyseg.store import Store

    with Store.open(store_url) as store:
        with pytest.raises(PeopleError, match="first user must hold the admin role"):
            add_user(store, None, "pat", PASSWORD, ["preparer"])
        with pytest.raises(PeopleError, match="at least 8"):
            add_user(store, None, "alice", "short", ["admin"])
        with pytest.raises(PeopleError, match="user name"):
            add_user(store, None, "Alice Smith", PASSWORD, ["admin"])
        add_user(store, None, "alice", PASSWORD, ["admin"])
        assert [(e.actor, e.action, e.detail["via"]) for e in entries(store)] == [("alice", "user-add", "first user")]
