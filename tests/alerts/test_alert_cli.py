"""`dailyseg alerts` and `dailyseg monitor --notify` as a script runs them: JSON out, exit codes, and real
receivers at the other end."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from dailyseg.alerts.webhook import verify
from dailyseg.cli.app import main
from dailyseg.store import Store
from tests.alerts.conftest import FIRM_ID, Receiver, Smtp


def _url(store: Store) -> str:
    return store.engine.url.render_as_string(hide_password=False)


def _run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), env=env)
    return result.exit_code, result.stdout, result.stderr


def test_subscribe_notify_once_and_read_the_log(deficient: Store, listening: Receiver) -> None:
    db = _url(deficient)
    code, out, _ = _run(
        "alerts", "subscribe", "--webhook", listening.url, "--secret-env", "HOOK_SECRET", "--from", "2024-01-01", "--json", "--db", db,
        env={"HOOK_SECRET": "kept-by-the-receiver"},
    )  # fmt: skip
    assert code == 0 and json.loads(out)["secret"] is None
    code, out, err = _run("monitor", "--notify", "--json", "--db", db)
    assert code == 1  # the monitor's own exit code: error findings (deficiencies)
    assert {f["rule"] for f in json.loads(out)["findings"]} == {"deficiency"}
    assert "alerts: 3 new deliveries queued; 3 delivered, 0 to be tried again, 0 failed" in err
    code, _, err = _run("monitor", "--notify", "--db", db)
    assert "alerts: 0 new deliveries queued; 0 delivered" in err
    assert len(listening.received) == 3 and all(
        verify("kept-by-the-receiver", r.body, r.headers["x-dailyseg-signature"]) for r in listening.received
    )
    code, out, _ = _run("alerts", "deliveries", "--format", "json", "--db", db)
    log = json.loads(out)
    assert code == 0 and [d["state"] for d in log] == ["delivered"] * 3
    assert {d["body"]["statement"] for d in log} == {"segregation", "secured", "swaps"} and log[0]["firm_id"] == FIRM_ID
    code, out, _ = _run("alerts", "list", "--json", "--db", db)
    (listed,) = json.loads(out)
    assert code == 0 and "secret" not in listed and listed["channel"] == "webhook" and listed["from"] == "2024-01-01"
    code, out, _ = _run("alerts", "deliveries", "--format", "csv", "--state", "pending", "--db", db)
    assert code == 0 and out.splitlines()[0].startswith("id,end_date,firm_id,rule")
    assert len(out.splitlines()) == 1


def test_send_exits_1_while_the_receiver_is_down_then_0(deficient: Store, receiver: Receiver, smtp: Smtp) -> None:
    db = _url(deficient)
    code, _, err = _run("alerts", "subscribe", "--webhook", receiver.url, "--firm", "acme", "--db", db)
    assert code == 2 and "no firm 'acme' in the store (firms: acme-futures)" in err
    code, out, _ = _run("alerts", "subscribe", "--webhook", receiver.url, "--firm", "Acme Futures LLC", "--from", "2024-03-04", "--db", db)
    assert code == 0 and "signing secret (shown once" in out and FIRM_ID in out
    assert _run("alerts", "subscribe", "--email", "ops@x.test", "--rule", "deficiency", "--from", "2024-03-04", "--db", db)[0] == 0
    _, _, err = _run("monitor", "--notify", "--db", db, env=smtp.env)
    assert "3 delivered, 3 to be tried again" in err and "cannot reach" in err
    assert len(smtp.mailbox.messages) == 3
    code, out, _ = _run("alerts", "send", "--json", "--db", db, env=smtp.env)
    assert code == 0 and json.loads(out) == {"outcomes": []}  # not due yet
    code, out, _ = _run("alerts", "send", "--retry-now", "--db", db)
    assert code == 1 and "3 to be tried again" in out
    receiver.start()
    code, out, _ = _run("alerts", "send", "--retry-now", "--db", db)
    assert code == 0 and "3 delivered" in out
    assert len(receiver.received) == 3 and len(smtp.mailbox.messages) == 3
    assert _run("alerts", "remove", "1", "--db", db)[0] == 0
    code, _, err = _run("alerts", "remove", "1", "--db", db)
    assert code == 2 and "no subscription 1" in err
    code, out, _ = _run("alerts", "list", "--removed", "--format", "csv", "--db", db)
    assert len(out.splitlines()) == 3
    code, out, _ = _run("audit", "log", "--format", "json", "--db", db)
    assert [e["action"] for e in json.loads(out)] == ["ingest", "subscribe", "subscribe", "unsubscribe"]
    assert _run("audit", "verify", "--db", db)[0] == 0


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--webhook", "http://x.test/", "--email", "a@x.test"], "give one channel"),
        ([], "give one channel"),
        (["--webhook", "ftp://x.test/"], "http:// or https://"),
        (["--email", "not an address"], "not an e-mail address"),
        (["--webhook", "http://x.test/", "--rule", "formulas"], "finds defects of a filing, not events"),
        (["--webhook", "http://x.test/", "--rule", "nope"], "no rule 'nope'"),
        (["--email", "a@x.test", "--secret-env", "X"], "--secret-env goes with --webhook"),
    ],
)
def test_subscribe_refuses_what_cannot_work(args: list[str], says: str, tmp_path: object) -> None:
    code, _, err = _run("alerts", "subscribe", *args, "--db", f"sqlite:///{tmp_path}/s.sqlite")
    assert code == 2 and says in err


def test_every_alerts_command_has_help() -> None:
    for command in ("subscribe", "list", "remove", "deliveries", "send"):
        code, out, _ = _run("alerts", command, "--help")
        assert code == 0 and "Exit codes" in out
    code, out, _ = _run("monitor", "--help")
    assert code == 0 and "--notify" in out
