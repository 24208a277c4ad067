"""The daily close on the command line: who acts, the steps, their exit codes, the log and its check."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from dailyseg.cli import main
from tests.conftest import SAMPLE

pytestmark = pytest.mark.slow  # each test signs people in with Argon2 (about a second each): runs in the full suite, not in the fast tier

PASSWORD = "correct horse battery"
OK, FOUND_ERRORS, UNREADABLE, DENIED, CONFLICT = 0, 1, 2, 4, 5


@pytest.fixture
def db(tmp_path: Path) -> str:
    return str(tmp_path / "store.sqlite")


def run(db: str, *args: str, user: str | None = None, token: str | None = None, **env: str) -> Result:
    environment = {"DAILYSEG_DB": db, "DAILYSEG_USER": user, "DAILYSEG_PASSWORD": PASSWORD, "DAILYSEG_TOKEN": token}
    environment |= {"DAILYSEG_NEW_PASSWORD": PASSWORD} | env
    return CliRunner().invoke(main, list(args), env=environment, catch_exceptions=False)


@pytest.fixture
def team(db: str) -> str:
    assert run(db, "user", "add", "alice", "--role", "admin").exit_code == OK
    for name, role in (("pat", "preparer"), ("quinn", "preparer"), ("sam", "signer")):
        assert run(db, "user", "add", name, "--role", role, user="alice").exit_code == OK
    return db


def test_the_close_on_the_command_line(team: str, tmp_path: Path) -> None:
    made = run(team, "user", "token", "pat", "--json", user="pat")
    token = json.loads(made.stdout)["token"]
    drafted = run(team, "close", str(SAMPLE), "--json", token=token)
    assert drafted.exit_code == OK, drafted.stderr
    close = json.loads(drafted.stdout)
    assert (close["id"], close["state"], close["prepared_by"], close["due_at"]) == (1, "draft", "pat", "2013-07-26T12:00:00-04:00")
    own = run(team, "review", "1", token=token)
    assert own.exit_code == DENIED and "pat made close 1 and may not review it" in own.stderr
    reviewed = run(team, "review", "1", "--comment", "7040=ties to the ledger", "--comment", "fine", user="quinn")
    assert reviewed.exit_code == OK and "is reviewed" in reviewed.stdout
    assert run(team, "approve", "1", user="quinn").exit_code == DENIED
    assert run(team, "approve", "1", user="sam").exit_code == OK
    again = run(team, "approve", "1", user="sam")
    assert again.exit_code == CONFLICT and "is approved (by sam)" in again.stderr
    filed = run(team, "file", "1", "--reference", "WJ-9", "--at", "2013-07-26T11:30-04:00", "--json", user="pat")
    assert filed.exit_code == OK and json.loads(filed.stdout)["late"] is False
    assert run(team, "close", str(SAMPLE), token=token).exit_code == CONFLICT
    amended = run(team, "amend", str(SAMPLE), "--reason", "7040 mistyped", "--json", user="pat")
    assert amended.exit_code == OK and json.loads(amended.stdout)["status"] == "AMENDED"
    listed = json.loads(run(team, "closes", "citigroup-global-markets", "--json").stdout)
    assert [(c["id"], c["state"]) for c in listed] == [(1, "filed"), (2, "draft")]
    log = json.loads(run(team, "audit", "log", "--firm", "Citigroup Global Markets Inc.", "--json").stdout)
    assert [(e["actor"], e["action"], e["detail"]["via"]) for e in log] == [
        ("pat", "draft", "token 1"),
        ("quinn", "review", "password"),
        ("sam", "approve", "password"),
        ("pat", "file", "password"),
        ("pat", "amend", "password"),
    ]
    assert [e["action"] for e in json.loads(run(team, "audit", "log", "--user", "sam", "--json").stdout)] == ["approve"]
    checked = run(team, "audit", "verify")
    assert checked.exit_code == OK and checked.stdout.startswith("ok: 10 entries")
    with sqlite3.connect(team) as conn:
        conn.execute("UPDATE close_values SET cents = cents + 1 WHERE close_id = 1 AND code = '7190'")
    tampered = run(team, "audit", "verify", "--json")
    assert tampered.exit_code == FOUND_ERRORS
    assert [m["subject"] for m in json.loads(tampered.stdout)["mismatches"]] == ["close 1"]


def test_error_findings_exit_1_until_overridden(team: str, tmp_path: Path, sample_text: str) -> None:
    broken = tmp_path / "broken.txt"
    broken.write_text(sample_text.replace("<u>6,948,252,676</u> [7040]", "<u>6,948,252,677</u> [7040]"), "utf-8")
    assert run(team, "close", str(broken), user="pat").exit_code == OK
    assert run(team, "review", "1", user="quinn").exit_code == OK
    blocked = run(team, "approve", "1", user="sam")
    assert blocked.exit_code == FOUND_ERRORS and "error findings" in blocked.stderr
    assert run(team, "approve", "1", "--override", "agreed with the DSRO", user="sam").exit_code == OK


def test_who_acts_must_be_said_and_known(team: str) -> None:
    nobody = run(team, "close", str(SAMPLE))
    assert nobody.exit_code == UNREADABLE and "say who is acting" in nobody.stderr
    wrong = run(team, "close", str(SAMPLE), user="pat", DAILYSEG_PASSWORD="not the password")
    assert wrong.exit_code == DENIED and "wrong password" in wrong.stderr
    assert run(team, "close", str(SAMPLE), token="the-shared-web-token").exit_code == DENIED
    assert run(team, "close", str(SAMPLE), user="sam").exit_code == DENIED  # a signer makes no drafts
    assert run(team, "review", "7", user="quinn").exit_code == UNREADABLE
    assert run(team, "user", "add", "eve", "--role", "admin").exit_code == UNREADABLE  # users exist: an admin must act
    assert run(team, "user", "add", "eve", "--role", "admin", user="pat").exit_code == DENIED
    assert run(team, "user", "set-role", "alice", "--role", "viewer", user="alice").exit_code == UNREADABLE  # the last admin


def test_user_commands(team: str) -> None:
    assert run(team, "user", "set-role", "quinn", "--role", "preparer", "--role", "signer", user="alice").exit_code == OK
    made = run(team, "user", "token", "quinn", user="alice")
    assert made.exit_code == OK and made.stdout.startswith("dst_") and "shown only now" in made.stderr
    assert run(team, "user", "revoke", "1", user="quinn").exit_code == OK
    assert run(team, "user", "disable", "sam", user="alice").exit_code == OK
    listed = {u["name"]: u for u in json.loads(run(team, "user", "list", "--json").stdout)}
    assert listed["quinn"]["roles"] == ["preparer", "signer"] and listed["quinn"]["tokens"] == 0
    assert listed["sam"]["disabled"] is True
    actions = [e["action"] for e in json.loads(run(team, "audit", "log", "--json").stdout)]
    assert actions[4:] == ["user-set-role", "token-issue", "token-revoke", "user-disable"]


def test_help_ends_with_exit_codes() -> None:
    for command in (
        ["user", "add"],
        ["user", "list"],
        ["close"],
        ["review"],
        ["approve"],
        ["file"],
        ["amend"],
        ["closes"],
        ["audit", "verify"],
    ):
        shown = CliRunner().invoke(main, [*command, "--help"])
        assert shown.exit_code == OK
        assert "Exit codes:" in shown.stdout.rstrip().split("\n\n")[-1], command


@pytest.mark.slow
def test_a_draft_computed_from_books(team: str, tmp_path: Path) -> None:
    books = tmp_path / "books"
    assert CliRunner().invoke(main, ["demo", "-o", str(books)]).exit_code == OK
    drafted = run(team, "close", str(books), "--json", user="pat")
    assert drafted.exit_code == OK, drafted.stderr
    close = json.loads(drafted.stdout)
    assert (close["firm"], close["end_date"], close["errors"]) == ("Citigroup Global Markets Inc.", "2013-07-25", [])
    assert run(team, "audit", "verify").exit_code == OK
