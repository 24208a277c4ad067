"""Nothing lost: two approvals at once, audited steps at once, and a crash in the middle of a step."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
from dataclasses import replace
from datetime import date, timedelta

import pytest

from dailyseg.filing import Filing
from dailyseg.store import Store, workflow
from dailyseg.store.audit import Chain, entries, verify
from dailyseg.store.people import Actor
from dailyseg.store.workflow import Close, Refused
from tests.close.conftest import PASSWORD, Team

pytestmark = pytest.mark.slow  # each test signs people in with Argon2 (about a second each): runs in the full suite, not in the fast tier


def _at_once(store_url: str, steps: list[tuple[Actor, int]], step: str) -> list[Close | Refused]:
    """Run `step` for each (actor, close id) in its own thread and store handle, all released together."""
    barrier = threading.Barrier(len(steps))
    results: list[Close | Refused] = [Refused("invalid", "not run")] * len(steps)

    def run(index: int, actor: Actor, close_id: int) -> None:
        with Store.open(store_url) as store:
            barrier.wait()
            try:
                results[index] = getattr(workflow, step)(store, actor, close_id)
            except Refused as refusal:
                results[index] = refusal

    threads = [threading.Thread(target=run, args=(i, actor, close_id)) for i, (actor, close_id) in enumerate(steps)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@pytest.mark.slow
def test_two_signers_approving_at_once_one_wins_the_other_is_told(team: Team, store_url: str, sample_filing: Filing) -> None:
    for attempt in range(3):
        end = date(2013, 7, 25) + timedelta(days=attempt)
        made = workflow.draft(
            team.store, team.pat, replace(sample_filing, header=replace(sample_filing.header, end_date=end)), source="s", errors=[]
        )
        workflow.review(team.store, team.quinn, made.id)
        results = _at_once(store_url, [(team.sam, made.id), (team.sid, made.id)], "approve")
        won = [r for r in results if isinstance(r, Close)]
        lost = [r for r in results if isinstance(r, Refused)]
        assert len(won) == 1 and len(lost) == 1, results
        assert lost[0].kind == "conflict" and f"is approved (by {won[0].approved_by})" in str(lost[0])
        assert workflow.get_close(team.store, made.id).approved_by == won[0].approved_by
        assert [e.actor for e in entries(team.store) if e.action == "approve" and e.subject == f"close {made.id}"] == [won[0].approved_by]
    assert verify(team.store).ok


@pytest.mark.slow
def test_steps_at_once_keep_one_chain(team: Team, store_url: str, sample_filing: Filing) -> None:
    ids = []
    for n in range(4):
        header = replace(sample_filing.header, end_date=date(2013, 8, 1) + timedelta(days=n))
        ids.append(workflow.draft(team.store, team.pat, replace(sample_filing, header=header), source="s", errors=[]).id)
    results = _at_once(store_url, [(team.quinn, close_id) for close_id in ids], "review")
    assert all(isinstance(r, Close) and r.state == "reviewed" for r in results), results
    found = verify(team.store)
    assert found.ok and found.entries == 6 + 4 + 4


def test_a_crash_inside_a_step_leaves_state_and_log_as_they_were(
    team: Team, sample_filing: Filing, monkeypatch: pytest.MonkeyPatch
) -> None:
    made = workflow.draft(team.store, team.pat, sample_filing, source="sample", errors=[])
    workflow.review(team.store, team.quinn, made.id)
    before = verify(team.store)

    def crash(self: Chain, event: object) -> int:
        raise RuntimeError("power cut")

    monkeypatch.setattr(Chain, "append", crash)
    with pytest.raises(RuntimeError):
        workflow.approve(team.store, team.sam, made.id)
    monkeypatch.undo()
    assert workflow.get_close(team.store, made.id).state == "reviewed"
    after = verify(team.store)
    assert after.ok and (after.entries, after.head) == (before.entries, before.head)
    assert workflow.approve(team.store, team.sam, made.id).state == "approved"


_KILLED_INSIDE_A_STEP = """
import os, signal, sys
from dailyseg.store import Store, workflow
from dailyseg.store.audit import Chain
from dailyseg.store.people import authenticate

def killed(self, event):
    os.kill(os.getpid(), signal.SIGKILL)  # the state is updated, the entry not yet written

Chain.append = killed
with Store.open(sys.argv[1]) as store, store.engine.connect() as conn:
    signer = authenticate(conn, name="sam", password=sys.argv[2])
workflow.approve(store, signer, int(sys.argv[3]))
"""


@pytest.mark.slow
def test_a_process_killed_inside_a_step_leaves_state_and_log_as_they_were(team: Team, store_url: str, sample_filing: Filing) -> None:
    made = workflow.draft(team.store, team.pat, sample_filing, source="sample", errors=[])
    workflow.review(team.store, team.quinn, made.id)
    before = verify(team.store)
    done = subprocess.run(
        [sys.executable, "-c", _KILLED_INSIDE_A_STEP, store_url, PASSWORD, str(made.id)], capture_output=True, timeout=120
    )
    assert done.returncode == -signal.SIGKILL, done.stderr
    assert workflow.get_close(team.store, made.id).state == "reviewed"
    after = verify(team.store)
    assert after.ok and (after.entries, after.head) == (before.entries, before.head)
    assert workflow.approve(team.store, team.sam, made.id).state == "approved"
