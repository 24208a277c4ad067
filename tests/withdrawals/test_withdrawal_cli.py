"""`dailyseg withdrawal` as a person or a script runs it: the gate, the 25% series, approval, execution, the list."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli_support import Done, in_pipe
from tests.conftest import SAMPLE

pytestmark = [pytest.mark.slow, pytest.mark.cli]  # the installed command, and Argon2 sign-ins

PASSWORD = "correct horse battery"
OK, UNREADABLE, DENIED, CONFLICT = 0, 2, 4, 5
FIRM = "citigroup-global-markets"  # the sample: residual interest 371,003,045 in segregation on 2013-07-25


def run(db: Path, *args: str, user: str | None = None) -> Done:
    env = {"DAILYSEG_DB": str(db), "DAILYSEG_PASSWORD": PASSWORD, "DAILYSEG_NEW_PASSWORD": PASSWORD}
    return in_pipe(*args, *(("--as", user) if user else ()), env=env)


def withdraw(db: Path, amount: str, at: str, *extra: str, user: str = "pat") -> Done:
    options = ("--class", "segregation", "--amount", amount, "--recipient", "Citigroup Inc.", "--purpose", "dividend", "--at", at)
    return run(db, "withdrawal", "record", FIRM, *options, *extra, user=user)


def test_withdrawals_on_the_command_line(tmp_path: Path) -> None:
    db = tmp_path / "store.sqlite"
    assert run(db, "user", "add", "alice", "--role", "admin").code == OK
    for name, role in (("pat", "preparer"), ("sam", "signer")):
        assert run(db, "user", "add", name, "--role", role, user="alice").code == OK
    assert run(db, "ingest", str(SAMPLE)).code == OK

    first = withdraw(db, "92,750,761", "2013-07-26T10:00-04:00", "--json")  # 25% of 371,003,045 is 92,750,761.25
    assert first.code == OK and json.loads(first.stdout)["needs_approval"] is False
    second = withdraw(db, "1", "2013-07-26T11:00-04:00", "--json")
    made = json.loads(second.stdout)
    assert (made["needs_approval"], made["series"], made["basis"], made["notice_id"]) == (True, "92750762", "filing 1", 1)
    assert run(db, "withdrawal", "execute", str(made["id"]), user="pat").code == CONFLICT
    assert run(db, "withdrawal", "approve", str(made["id"]), user="pat").code == DENIED
    approved = run(db, "withdrawal", "approve", str(made["id"]), user="sam")
    assert approved.code == OK and "approved by sam" in approved.stdout
    assert run(db, "withdrawal", "execute", str(made["id"]), user="sam").code == OK
    assert "DRAFT — NOT SENT" in run(db, "notice", "show", "1").stdout

    refused = withdraw(db, "5", "2013-07-29T10:00-04:00")
    assert refused.code == DENIED and "17 CFR 1.23(b)" in refused.stderr and "2013-07-26" in refused.stderr
    assert withdraw(db, "5", "2013-07-29T10:00-04:00", "--for-customers").code == OK

    listed = json.loads(run(db, "withdrawal", "list", FIRM, "--json").stdout)
    assert [w["state"] for w in listed["withdrawals"]] == ["recorded", "executed", "recorded"]
    prior = listed["standings"][0]
    assert (prior["residual_interest"], prior["withdrawn"], prior["estimated_after"]) == ("371003045", "92750762", "278252283")
    table = run(db, "withdrawal", "list")
    assert table.code == OK and "estimated after" in table.stdout and "278,252,283" in table.stdout


def test_misuse_is_one_line_and_exit_2(tmp_path: Path) -> None:
    db = tmp_path / "store.sqlite"
    assert run(db, "user", "add", "alice", "--role", "admin").code == OK
    assert run(db, "user", "add", "pat", "--role", "preparer", user="alice").code == OK
    for extra in (("--amount", "lots"), ("--amount", "5", "--currency", "EUR"), ("--amount", "-5")):
        options = ("--class", "segregation", "--recipient", "X", "--purpose", "Y", *extra)
        done = run(db, "withdrawal", "record", FIRM, *options, user="pat")
        assert done.code == UNREADABLE and "Traceback" not in done.stderr and len(done.stderr.splitlines()) == 1, extra
    assert run(db, "withdrawal", "approve", "9", user="alice").code == DENIED  # alice holds no signer role
    assert run(db, "withdrawal", "--help").code == OK


def test_cancel_on_the_command_line(tmp_path: Path) -> None:
    """Cancelled: no longer in the series (the next is measured without it), its notice withdrawn; an executed
    one is refused with exit code 5, a missing one with 2, and no reason is a misused command."""
    db = tmp_path / "store.sqlite"
    assert run(db, "user", "add", "alice", "--role", "admin").code == OK
    for name, role in (("pat", "preparer"), ("sam", "signer")):
        assert run(db, "user", "add", name, "--role", role, user="alice").code == OK
    assert run(db, "ingest", str(SAMPLE)).code == OK

    big = json.loads(withdraw(db, "92,750,762", "2013-07-26T10:00-04:00", "--json").stdout)  # a dollar past 25%
    assert (big["needs_approval"], big["notice_id"]) == (True, 1)
    cancelled = run(db, "withdrawal", "cancel", str(big["id"]), "--reason", "board withdrew the dividend", user="pat")
    assert cancelled.code == OK, cancelled.stderr
    assert f"withdrawal {big['id']}: 92,750,762 USD" in cancelled.stdout and "is cancelled" in cancelled.stdout
    assert "cancelled by pat: board withdrew the dividend; no longer counted toward the 25%" in cancelled.stdout
    shown = run(db, "notice", "show", "1").stdout
    assert "WITHDRAWN — NOT TO BE SENT" in shown and "DRAFT — NOT SENT" not in shown
    assert run(db, "notice", "mark-sent", "1", user="sam").code == CONFLICT

    within = json.loads(withdraw(db, "92,750,761", "2013-07-26T11:00-04:00", "--json").stdout)
    assert (within["needs_approval"], within["series"]) == (False, "92750761")  # measured without the cancelled one
    assert run(db, "withdrawal", "execute", str(within["id"]), user="pat").code == OK
    executed = run(db, "withdrawal", "cancel", str(within["id"]), "--reason", "late", user="pat")
    assert executed.code == CONFLICT and "was executed: the funds have left the class" in executed.stderr
    assert run(db, "withdrawal", "cancel", "99", "--reason", "x", user="pat").code == UNREADABLE
    assert run(db, "withdrawal", "cancel", str(big["id"]), user="pat").code == UNREADABLE  # --reason is required
    listed = json.loads(run(db, "withdrawal", "list", "--json").stdout)
    assert [(w["state"], w["cancel_reason"]) for w in listed["withdrawals"]] == [
        ("cancelled", "board withdrew the dividend"),
        ("executed", None),
    ]
    assert listed["standings"][0]["withdrawn"] == "92750761"
    log = json.loads(run(db, "audit", "log", "--json").stdout)
    assert [e["actor"] for e in log if e["action"] == "withdrawal-cancel"] == ["pat"]
