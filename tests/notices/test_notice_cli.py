"""`dailyseg notice` as a person or a script runs it: draft from a document or a stored filing, PDF, mark-sent."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pypdf import PdfReader

from tests.cli_support import Done, in_pipe
from tests.conftest import SAMPLE

pytestmark = [pytest.mark.slow, pytest.mark.cli]  # the installed command, and Argon2 sign-ins

PASSWORD = "correct horse battery"
OK, UNREADABLE, DENIED, CONFLICT = 0, 2, 4, 5


def run(db: Path, *args: str, user: str | None = None) -> Done:
    env = {"DAILYSEG_DB": str(db), "DAILYSEG_PASSWORD": PASSWORD, "DAILYSEG_NEW_PASSWORD": PASSWORD}
    return in_pipe(*args, *(("--as", user) if user else ()), env=env)


def test_a_notice_from_a_document_to_its_sending(tmp_path: Path) -> None:
    db = tmp_path / "store.sqlite"
    assert run(db, "user", "add", "alice", "--role", "admin").code == OK
    for name, role in (("pat", "preparer"), ("sam", "signer"), ("val", "viewer")):
        assert run(db, "user", "add", name, "--role", role, user="alice").code == OK

    clean = run(db, "notice", str(SAMPLE), user="pat")
    assert clean.code == OK and "no event that requires a notice" in clean.stderr
    assert run(db, "notice", str(SAMPLE), "--event", "deficiency", user="pat").code == UNREADABLE

    drafted = run(db, "notice", "--filing-id", "1", "--undermargined", "segregation=400,000,000", "--json", user="pat")
    assert drafted.code == OK, drafted.stderr
    [notice] = json.loads(drafted.stdout)
    assert (notice["id"], notice["kind"], notice["status"], notice["sent_at"]) == (1, "below-undermargined", "draft", None)
    shortfall = next(f for f in notice["figures"] if f["label"] == "Shortfall")
    assert shortfall["amount"] == "28996955"  # 400,000,000 less the excess 371,003,045 (line 7190)

    pdf = tmp_path / "notice.pdf"
    assert run(db, "notice", "show", "1", "--format", "pdf", "-o", str(pdf)).code == OK
    text = "\n".join(page.extract_text() for page in PdfReader(pdf).pages)
    assert "DRAFT — NOT SENT" in text and "Citigroup Global Markets Inc." in text and "28,996,955" in text
    assert run(db, "notice", "show", "1", "--format", "pdf").code == UNREADABLE  # a PDF goes to a file

    assert run(db, "notice", "mark-sent", "1", user="val").code == DENIED
    assert run(db, "notice", "mark-sent", "1", "--at", "2099-01-01T09:00-05:00", user="pat").code == UNREADABLE
    assert run(db, "notice", "mark-sent", "1", "--at", "2024-03-05T09:00", user="pat").code == UNREADABLE  # no zone
    sent = run(db, "notice", "mark-sent", "1", "--reference", "DSRO portal 77", user="sam")
    assert sent.code == OK and sent.stdout.startswith("notice 1: SENT ") and "by sam (reference DSRO portal 77)" in sent.stdout
    again = run(db, "notice", "mark-sent", "1", user="pat")
    assert again.code == CONFLICT and "by sam" in again.stderr
    listed = run(db, "notice", "list", "citigroup-global-markets", "--format", "csv")
    assert listed.code == OK and ",sent," in listed.stdout.splitlines()[1]
    shown = run(db, "notice", "show", "1")
    assert "DRAFT" not in shown.stdout and "SENT " in shown.stdout
    log = json.loads(run(db, "audit", "log", "--json").stdout)
    assert [e["action"] for e in log if e["subject"] == "notice 1"] == ["notice-draft", "notice-sent"]


def test_misuse_is_one_line_and_exit_2(tmp_path: Path) -> None:
    db = tmp_path / "store.sqlite"
    for args in (("notice", "draft"), ("notice", str(SAMPLE), "--filing-id", "1"), ("notice", "show", "7"), ("notice", "--filing-id", "1")):
        done = run(db, *args)
        assert done.code == UNREADABLE and "Traceback" not in done.stderr, args
    assert run(db, "notice", "--help").stdout.startswith("Usage: dailyseg notice [OPTIONS] COMMAND")


def test_an_unknown_firm_is_an_error_in_every_list_command_that_takes_one(tmp_path: Path) -> None:
    """Regression: `alerts deliveries --firm` answered an empty list for a firm the store does not know, where
    `notice list` said so; both now name the firm, exit code 2, and a known firm still lists."""
    db = tmp_path / "store.sqlite"
    assert run(db, "ingest", str(SAMPLE)).code == OK
    for command in (("notice", "list", "no-such-firm"), ("alerts", "deliveries", "--firm", "no-such-firm")):
        done = run(db, *command)
        assert done.code == UNREADABLE and done.stdout == "", command
        assert "no firm 'no-such-firm' in the store (firms: citigroup-global-markets)" in done.stderr, done.stderr
    for command in (("notice", "list", "Citigroup Global Markets Inc."), ("alerts", "deliveries", "--firm", "citigroup-global-markets")):
        done = run(db, *command, "--format", "json")
        assert (done.code, json.loads(done.stdout)) == (OK, []), command
