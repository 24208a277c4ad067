"""`dailyseg notice BOOKS` and `dailyseg notice --close-id`: a firm's own computation drafted before it files, kept
nowhere without a store (and saying so), kept with the day's close when the store has one of the same figures."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from pypdf import PdfReader

from dailyseg.cli import main
from dailyseg.compute import compute, read_books
from dailyseg.notices.render import DRAFT_STATUS, NOT_STORED
from tests.notices.books_support import FIRM, SHORTFALL, deficient_books

PASSWORD = "correct horse battery"
OK, UNREADABLE = 0, 2


def run(db: str | None, *args: str, user: str | None = None) -> Result:
    env = {"DAILYSEG_DB": db, "DAILYSEG_USER": user, "DAILYSEG_PASSWORD": PASSWORD, "DAILYSEG_NEW_PASSWORD": PASSWORD}
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


@pytest.fixture(scope="module")
def books(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return deficient_books(tmp_path_factory.mktemp("books"))


def test_books_without_a_store_are_drafted_and_kept_nowhere(books: Path, tmp_path: Path) -> None:
    shown = run(None, "notice", str(books))
    assert shown.exit_code == OK, shown.stderr
    assert "not stored: no store is named (--db or $DAILYSEG_DB)" in shown.stderr
    for needed in ("Notice (not stored): Notice of a deficiency in customer funds", DRAFT_STATUS, NOT_STORED, FIRM, "Shortfall: 440"):
        assert needed in shown.stdout, needed
    assert "SENT 20" not in shown.stdout

    drafted = run(None, "notice", "draft", str(books), "--json")
    [notice] = json.loads(drafted.stdout)
    assert (notice["id"], notice["kind"], notice["statement"], notice["close_id"], notice["drafted_by"]) == (
        None,
        "deficiency",
        "segregation",
        None,
        None,
    )
    filing = compute(read_books(books), "duckdb").filing  # what `dailyseg compute BOOKS` computes
    by_code = {f["code"]: f["amount"] for f in notice["figures"] if f["code"]}
    assert {code: by_code[code] for code in ("7060", "7180", "7190")} == {c: str(filing.amounts[c]) for c in ("7060", "7180", "7190")}
    assert next(f["amount"] for f in notice["figures"] if f["label"] == "Shortfall") == str(SHORTFALL)

    lacking = run(None, "notice", str(books), "--event", "below-target")
    assert lacking.exit_code == UNREADABLE and f"the books {books} ({FIRM} 2013-07-25) has no below-target event" in lacking.stderr
    empty = tmp_path / "empty"
    empty.mkdir()
    unreadable = run(None, "notice", str(empty))
    assert unreadable.exit_code == UNREADABLE and "firm.toml" in unreadable.stderr and "Traceback" not in unreadable.stderr
    both = run(None, "notice", str(books), "--close-id", "1")
    assert both.exit_code == UNREADABLE and "one of them" in both.stderr


@pytest.mark.slow  # people sign in with Argon2 (about a second each), and a PDF is laid out
def test_books_drafted_with_their_close_are_kept_once(books: Path, tmp_path: Path) -> None:
    db = str(tmp_path / "store.sqlite")
    assert run(db, "user", "add", "alice", "--role", "admin").exit_code == OK
    for name, role in (("pat", "preparer"), ("sam", "signer")):
        assert run(db, "user", "add", name, "--role", role, user="alice").exit_code == OK

    early = run(db, "notice", str(books), user="pat")
    assert early.exit_code == OK and NOT_STORED in early.stdout
    assert f"no close of {FIRM} 2013-07-25 in the store: the notices are not stored" in early.stderr
    assert run(db, "close", str(books), user="pat").exit_code == OK  # close 1

    first = run(db, "notice", str(books), "--json", user="pat")
    assert first.exit_code == OK, first.stderr
    [kept] = json.loads(first.stdout)
    assert (kept["id"], kept["close_id"], kept["filing_id"], kept["drafted_by"], kept["status"]) == (1, 1, None, "pat", "draft")
    again = run(db, "notice", "--close-id", "1", "--json", user="sam")
    assert again.exit_code == OK and [n["id"] for n in json.loads(again.stdout)] == [1]
    pdf = tmp_path / "notice.pdf"
    assert run(db, "notice", str(books), "--format", "pdf", "-o", str(pdf), user="pat").exit_code == OK
    text = "\n".join(page.extract_text() for page in PdfReader(pdf).pages)
    assert "Notice 1:" in text and DRAFT_STATUS in text and "NOT STORED" not in text and "440" in text

    missing = run(db, "notice", "--close-id", "99", user="pat")
    assert missing.exit_code == UNREADABLE and "no close 99 in the store" in missing.stderr and "Traceback" not in missing.stderr
    listed = run(db, "notice", "list", "--format", "csv")
    assert listed.exit_code == OK and [line.split(",")[5] for line in listed.stdout.splitlines()[1:]] == ["close 1"]
    assert [n["close_id"] for n in json.loads(run(db, "notice", "list", "--close-id", "1", "--json").stdout)] == [1]
    log = json.loads(run(db, "audit", "log", "--json").stdout)
    assert [(e["action"], e["detail"].get("close")) for e in log if e["subject"] == "notice 1"] == [("notice-draft", 1)]

    cash = books.parent / "more-cash"
    deficient_books(cash)
    (cash / "balances.csv").write_text((cash / "balances.csv").read_text("utf-8").replace(",500", ",1000"), "utf-8")
    other = run(db, "notice", str(cash), user="pat")
    assert other.exit_code == OK and "no event that requires a notice" in other.stderr  # covered: nothing to draft
    (cash / "balances.csv").write_text((cash / "balances.csv").read_text("utf-8").replace(",1000", ",600"), "utf-8")
    changed = run(db, "notice", str(cash), user="pat")
    assert changed.exit_code == OK and NOT_STORED in changed.stdout
    assert "close 1 of Test FCM LLC 2013-07-25 holds other figures than the books compute" in changed.stderr
    assert len(json.loads(run(db, "notice", "list", "--json").stdout)) == 1
