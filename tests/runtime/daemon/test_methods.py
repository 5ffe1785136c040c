"""The daemon's socket methods (RUNTIME.md §7.2, §10) through the real socket of a daemon in
this process (fake adapters): queues, workers woken by events, dedupe, visibility timeouts,
dead letters, locks and semaphores with waiting, escalations, runs and id matching."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from daemon_kit import QUEUES, call, serving, wait_until, write_project

from ojlang.runtime.daemon.protocol import RemoteError


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return write_project(tmp_path / "proj", {"demo": QUEUES})


def error_of(root: Path, method: str, params: dict[str, object]) -> RemoteError:
    with pytest.raises(RemoteError) as caught:
        call(root, method, params)
    return caught.value


def test_a_push_wakes_the_worker_in_the_same_step(root: Path) -> None:
    with serving(root) as daemon:
        first = call(root, "queue.add", {"queue": "jobs", "data": {"n": "1"}})
        assert first == {"item": first["item"], "deduped": False, "queue": "jobs"}
        world = daemon.engine.world
        item = world.queues["jobs"].items[first["item"]]
        assert item.state == "claimed" and item.claim is not None
        runs = [r for r in world.runs.values() if r.item_claim == item.claim.id]
        assert len(runs) == 1  # claimed and started by the op that pushed it: no polling
        assert wait_until(lambda: daemon.engine.world.runs[runs[0].id].state == "done")
        events = call(root, "events.tail", {"patterns": ["queue:item:*"], "n": 10})["events"]
        seqs = {e["name"]: e["seq"] for e in events}
        assert seqs["queue:item:added"] == seqs["queue:item:claimed"]


def test_pushing_the_same_data_twice_is_deduplicated_while_live(root: Path) -> None:
    with serving(root):
        call(root, "worker.disable", {"worker": "jobber"})
        first = call(root, "queue.add", {"queue": "jobs", "data": {"n": "7"}})
        assert first["warning"]["help"] == "`oj worker enable jobber`"
        again = call(root, "queue.add", {"queue": "jobs", "data": {"n": "7"}})
        assert again["item"] == first["item"] and again["deduped"] is True
        forced = call(
            root, "queue.add", {"queue": "jobs", "data": {"n": "7"}, "allow_duplicate": True}
        )
        assert forced["item"] != first["item"]
        named = call(root, "queue.add", {"queue": "jobs", "data": {"id": "x1", "n": "8"}})
        assert named["item"] == "x1"
        assert call(root, "queue.add", {"queue": "jobs", "data": {"id": "x1"}})["deduped"]
        counts = call(root, "queue.show", {"queue": "jobs"})["counts"]
        assert counts["ready"] == 3


def test_claims_settle_once_and_stale_claims_are_refused(root: Path) -> None:
    with serving(root):
        call(root, "worker.disable", {"worker": "jobber"})
        item = call(root, "queue.add", {"queue": "jobs", "data": {"n": "1"}})["item"]
        got = call(root, "queue.claim", {"queue": "jobs", "holder": "me"})
        assert got == {"item": item, "claim": f"{item}~1"}
        assert call(root, "queue.claim", {"queue": "jobs"}) is None
        done = call(root, "queue.complete", {"claim": got["claim"]})
        assert done == {"claim": f"{item}~1", "queue": "jobs", "verb": "complete"}
        err = error_of(root, "queue.complete", {"claim": got["claim"]})
        assert (err.code, err.exit_code) == ("stale_claim", 1)
        assert "not current" in err.message


def test_a_visibility_timeout_returns_the_item(root: Path) -> None:
    with serving(root) as daemon:
        call(root, "worker.disable", {"worker": "jobber"})
        item = call(root, "queue.add", {"queue": "jobs", "data": {"n": "1"}})["item"]
        claim = call(root, "queue.claim", {"queue": "jobs", "visibility_s": 0.2})["claim"]
        items = daemon.engine.world.queues["jobs"].items
        assert items[item].state == "claimed"
        assert wait_until(lambda: daemon.engine.world.queues["jobs"].items[item].state == "ready")
        assert daemon.engine.world.queues["jobs"].items[item].last_error == "visibility timeout"
        assert error_of(root, "queue.complete", {"claim": claim}).code == "stale_claim"
        again = call(root, "queue.claim", {"queue": "jobs"})
        assert again["claim"] == f"{item}~2"


def test_exhausted_items_become_dead_letters_and_can_be_retried(root: Path) -> None:
    with serving(root):
        item = call(root, "queue.add", {"queue": "once", "data": {"k": "v"}})["item"]
        claim = call(root, "queue.claim", {"queue": "once"})["claim"]
        call(root, "queue.fail", {"claim": claim, "reason": "broken"})
        dead = call(root, "queue.dead", {"queue": "once"})["items"]
        assert [(d["id"], d["state"], d["last_error"]) for d in dead] == [(item, "dead", "broken")]
        assert call(root, "queue.retry", {"item": item[:8]})["item"] == item
        assert call(root, "queue.show", {"queue": "once"})["counts"]["ready"] == 1
        call(root, "queue.drain", {"queue": "once"})
        assert call(root, "queue.show", {"queue": "once"})["counts"]["dropped"] == 1
        err = error_of(root, "queue.drop", {"item": item})
        assert (err.code, err.exit_code) == ("conflict", 1)


def test_a_lock_waiter_that_gives_up_leaves_the_queue(root: Path) -> None:
    with serving(root) as daemon:
        got = call(root, "lock.acquire", {"lock": "main_branch", "holder": "alice"})
        assert got == {
            "lock": "main_branch",
            "holder": "cli:alice",
            "token": 1,
            "result": "granted",
        }
        err = error_of(root, "lock.acquire", {"lock": "main_branch", "holder": "bob"})
        assert (err.code, err.message) == ("conflict", "lock `main_branch` is held by `cli:alice`")
        began = time.monotonic()
        err = error_of(
            root, "lock.acquire", {"lock": "main_branch", "holder": "bob", "wait_s": 0.3}
        )
        assert (err.code, err.exit_code) == ("timeout", 124)
        assert time.monotonic() - began >= 0.3
        assert daemon.engine.world.locks["main_branch"].waiters == ()
        err = error_of(root, "lock.release", {"lock": "main_branch", "holder": "bob"})
        assert err.code == "denied"
        forced = call(root, "lock.release", {"lock": "main_branch", "holder": "bob", "force": True})
        assert forced == {"lock": "main_branch", "released": "cli:alice"}


def test_a_lock_waiter_gets_the_lock_when_it_is_released(root: Path) -> None:
    import threading

    with serving(root):
        call(root, "lock.acquire", {"lock": "main_branch", "holder": "alice"})
        out: dict[str, object] = {}

        def bob() -> None:
            params = {"lock": "main_branch", "holder": "bob", "wait_s": 10}
            out["got"] = call(root, "lock.acquire", params)

        thread = threading.Thread(target=bob)
        thread.start()
        time.sleep(0.3)
        call(root, "lock.release", {"lock": "main_branch", "holder": "alice"})
        thread.join(10)
        assert out["got"] == {
            "lock": "main_branch",
            "holder": "cli:bob",
            "token": 2,
            "result": "granted",
        }


def test_a_lock_wait_longer_than_the_request_deadline_is_a_stream(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    from ojlang.client import stream
    from ojlang.runtime.daemon import resources

    monkeypatch.setattr(resources, "WAIT_CAP_S", 0.2)  # a short fake of the 30 s deadline
    with serving(root) as daemon:
        call(root, "lock.acquire", {"lock": "main_branch", "holder": "alice"})
        params = {"lock": "main_branch", "holder": "bob", "wait_s": 5.0}
        err = error_of(root, "lock.acquire", params)
        assert (err.code, err.message) == (
            "invalid",
            "a request waits at most 0.2s (the request deadline is 30s)",
        )
        out: dict[str, object] = {"events": []}

        def bob() -> None:
            events = stream("lock.acquire", params, root=root, autostart=False)
            while True:
                try:
                    out["events"].append(next(events))  # type: ignore[attr-defined]
                except StopIteration as stop:
                    out["got"] = stop.value
                    return

        thread = threading.Thread(target=bob)
        began = time.monotonic()
        thread.start()
        assert wait_until(lambda: daemon.engine.world.locks["main_branch"].waiters != ())
        time.sleep(0.5)  # bob has waited longer than a plain request may
        call(root, "lock.release", {"lock": "main_branch", "holder": "alice"})
        thread.join(10)
        assert time.monotonic() - began > 0.5
        assert out["events"] == [
            {"name": "lock:waiting", "payload": {"lock": "main_branch", "holder": "cli:alice"}}
        ]
        assert out["got"] == {
            "lock": "main_branch",
            "holder": "cli:bob",
            "token": 2,
            "result": "granted",
        }


def test_a_streamed_lock_wait_leaves_the_queue_when_its_client_hangs_up(root: Path) -> None:
    from ojlang.client import connect

    with serving(root) as daemon:
        call(root, "lock.acquire", {"lock": "main_branch", "holder": "alice"})
        with connect(root, autostart=False) as client:
            params = {"lock": "main_branch", "holder": "bob", "wait_s": 60.0}
            events = client.stream("lock.acquire", params)
            assert next(events)["name"] == "lock:waiting"
            waiters = daemon.engine.world.locks["main_branch"].waiters
            assert [w.holder for w in waiters] == ["cli:bob"]
        assert wait_until(lambda: daemon.engine.world.locks["main_branch"].waiters == ())
        assert daemon.engine.world.locks["main_branch"].holder == "cli:alice"


def test_a_semaphore_wait_longer_than_the_request_deadline_is_a_stream(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    from ojlang.client import stream
    from ojlang.runtime.daemon import resources

    monkeypatch.setattr(resources, "WAIT_CAP_S", 0.2)
    with serving(root) as daemon:
        call(root, "semaphore.acquire", {"semaphore": "agents", "holder": "a", "weight": 2})
        params = {"semaphore": "agents", "holder": "b", "wait_s": 5.0}
        assert error_of(root, "semaphore.acquire", params).code == "invalid"
        out: dict[str, object] = {}

        def b() -> None:
            events = stream("semaphore.acquire", params, root=root, autostart=False)
            out["first"] = next(events)
            with pytest.raises(StopIteration) as stop:
                next(events)
            out["got"] = stop.value.value

        thread = threading.Thread(target=b)
        thread.start()
        assert wait_until(lambda: daemon.engine.world.semaphores["agents"].waiters != ())
        time.sleep(0.5)
        call(root, "semaphore.release", {"semaphore": "agents", "holder": "a"})
        thread.join(10)
        assert out["first"] == {
            "name": "semaphore:waiting",
            "payload": {"semaphore": "agents", "weight": 1},
        }
        assert out["got"] == {
            "semaphore": "agents",
            "holder": "cli:b",
            "weight": 1,
            "result": "granted",
        }


def test_semaphore_slots_never_exceed_the_maximum(root: Path) -> None:
    with serving(root) as daemon:
        call(root, "semaphore.acquire", {"semaphore": "agents", "holder": "a", "weight": 2})
        err = error_of(
            root, "semaphore.acquire", {"semaphore": "agents", "holder": "b", "wait_s": 0.2}
        )
        assert err.code == "timeout"
        sem = call(root, "semaphore.show", {"semaphore": "agents"})["semaphore"]
        assert (sem["used"], sem["max"], sem["waiters"]) == (2, 2, [])
        assert error_of(root, "semaphore.acquire", {"semaphore": "agents", "weight": 3}).code == (
            "invalid"
        )
        call(root, "semaphore.release", {"semaphore": "agents", "holder": "a"})
        assert daemon.engine.world.semaphores["agents"].holders == {}


def test_runs_start_resolve_by_prefix_and_name_and_end(root: Path) -> None:
    with serving(root) as daemon:
        started = call(root, "pipeline.start", {"pipeline": "greet", "vars": {"who": "x"}})
        rid = started["run"]
        assert rid.startswith("greet-")
        assert wait_until(lambda: daemon.engine.world.runs[rid].state == "done")
        shown = call(root, "pipeline.show", {"id": rid[:8]})["run"]
        assert (shown["id"], shown["state"], shown["vars"]) == (rid, "done", {"who": "x"})
        name = daemon.engine.world.runs[rid].name
        assert call(root, "pipeline.show", {"id": name})["run"]["id"] == rid
        assert call(root, "pipeline.list", {})["runs"] == []
        assert [r["id"] for r in call(root, "pipeline.list", {"all": True})["runs"]] == [rid]
        err = error_of(root, "pipeline.start", {"pipeline": "gret"})
        assert (err.code, err.exit_code) == ("invalid", 2)
        assert err.help == "a pipeline with a similar name exists: `demo.greet`"
        err = error_of(root, "pipeline.show", {"id": "nope"})
        assert (err.code, err.exit_code) == ("not_found", 5)


def test_a_failing_phase_escalates_and_the_escalation_can_be_dismissed(root: Path) -> None:
    with serving(root) as daemon:
        rid = call(root, "pipeline.start", {"pipeline": "demo.bad"})["run"]
        assert wait_until(lambda: daemon.engine.world.runs[rid].state == "escalated")
        status = call(root, "status", {})
        (run,) = status["runs"]
        eid = run["escalation"]
        assert run["waiting"] == {"on": "escalation", "name": eid}
        assert [e["id"] for e in status["escalations"]] == [eid]
        err = error_of(root, "escalation.resolve", {"id": eid, "option": "9"})
        assert err.code == "invalid" and "1 `retry`" in (err.help or "")
        assert call(root, "escalation.dismiss", {"id": eid[:6]}) == {
            "escalation": eid,
            "option": "dismissed",
        }
        shown = call(root, "escalation.show", {"id": eid})["escalation"]
        assert (shown["state"], shown["option"]) == ("resolved", "dismissed")
        assert error_of(root, "escalation.dismiss", {"id": eid}).code == "conflict"


def test_operators_cancel_and_resume_runs(root: Path) -> None:
    with serving(root) as daemon:
        rid = call(root, "pipeline.start", {"pipeline": "demo.bad"})["run"]
        assert wait_until(lambda: daemon.engine.world.runs[rid].state == "escalated")
        assert call(root, "pipeline.resume", {"id": rid}) == {"run": rid}
        assert wait_until(lambda: daemon.engine.world.runs[rid].state == "escalated")
        assert call(root, "pipeline.cancel", {"id": rid}) == {"run": rid, "state": "cancelled"}
        assert error_of(root, "pipeline.cancel", {"id": rid}).code == "conflict"


def test_loops_are_operated_by_bare_name(root: Path) -> None:
    with serving(root):
        assert call(root, "worker.stop", {"worker": "jobber"}) == {
            "worker": "jobber",
            "state": "stopped",
        }
        assert call(root, "worker.start", {"worker": "job"})["state"] == "idle"
        assert call(root, "worker.resize", {"worker": "jobber", "concurrency": 3})["state"]
        shown = call(root, "worker.show", {"worker": "jobber"})["worker"]
        assert (shown["key"], shown["concurrency"]) == ("demo.jobber", 3)
        assert error_of(root, "worker.resize", {"worker": "jobber", "concurrency": 0}).code == (
            "invalid"
        )
        assert error_of(root, "cron.run", {"cron": "nope"}).code == "not_found"


def test_custom_events_are_stored_and_reserved_scopes_refused(root: Path) -> None:
    with serving(root):
        params = {"name": "deploy:done", "subject": "web", "payload": {"sha": "abc"}}
        assert call(root, "emit", params) == {"event": "deploy:done", "subject": "web"}
        (event,) = call(root, "events.tail", {"patterns": ["deploy:*"]})["events"]
        assert (event["subject"], event["payload"]) == ("web", {"sha": "abc"})
        err = error_of(root, "emit", {"name": "pipeline:complete"})
        assert (err.code, err.exit_code) == ("invalid", 2)


def test_unknown_methods_and_bugs_answer_without_a_traceback(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ojlang.runtime.daemon import handler

    def broken(ctx: object, params: object) -> object:
        raise KeyError("boom")

    monkeypatch.setitem(handler.CALLS, "queue.list", broken)
    with serving(root):
        assert error_of(root, "nope.nope", {}).code == "invalid"
        err = error_of(root, "queue.list", {})
        assert (err.code, err.exit_code) == ("internal", 3)
        assert "incident" in err.message and err.data["incident"] in err.message
        log = (root / ".oj" / "logs" / "daemon.log").read_text()
        assert f"incident {err.data['incident']}" in log and "KeyError" in log


def test_a_merge_answers_with_its_result(root: Path) -> None:
    from ojlang.runtime.adapters.fakes import fake_adapters

    adapters = fake_adapters(root)
    repo = adapters.repo
    repo.branches["feature"] = repo.branches["main"]  # type: ignore[attr-defined]
    head = repo.commit("feature", {"a.txt": "a\n"})  # type: ignore[attr-defined]
    with serving(root, adapters):
        params = {"branch": "feature", "into": "main", "strategy": "ff"}
        merged = call(root, "workspace.merge", params)
        assert merged == {"effect": merged["effect"], "pending": False, "head": head}
        repo.branches["other"] = repo.branches["main"]  # type: ignore[attr-defined]
        repo.commit("other", {"b.txt": "b\n"})  # type: ignore[attr-defined]
        repo.conflict_on("other")  # type: ignore[attr-defined]
        err = error_of(root, "workspace.merge", {**params, "branch": "other", "strategy": "merge"})
        assert (err.code, err.exit_code) == ("conflict", 1)
        assert err.message.startswith("cannot merge `other` into `main`")


TASK = """
[task.helper]
command = "claude"
prompt = "help me"

[pipeline.assist]

[[pipeline.assist.phase]]
name = "work"
task = "helper"
"""


def test_sessions_are_peeked_nudged_and_killed_by_prefix(tmp_path: Path) -> None:
    root = write_project(tmp_path / "proj", {"demo": TASK})
    with serving(root) as daemon:
        rid = call(root, "pipeline.start", {"pipeline": "assist"})["run"]
        assert wait_until(lambda: bool(call(root, "session.list", {})["sessions"]))
        (session,) = call(root, "session.list", {})["sessions"]
        name = session["session"]
        assert (session["run"], session["task"], session["live"]) == (rid, "helper", True)
        assert call(root, "session.peek", {"session": name[:8]})["source"] == "pane"
        assert call(root, "session.nudge", {"session": name, "message": "hello there"}) == {
            "session": name,
            "verb": "nudge",
        }
        peek = lambda: call(root, "session.peek", {"session": name})["lines"]  # noqa: E731
        assert wait_until(lambda: peek() == ["hello there"])
        shown = call(root, "session.show", {"session": name})["session"]
        assert shown["attach"][-2:] == ["-t", f"={name}"]
        call(root, "session.kill", {"session": name})
        assert wait_until(lambda: daemon.engine.world.runs[rid].state == "escalated")
        assert call(root, "session.list", {})["sessions"] == []
        final = call(root, "session.peek", {"session": name})
        assert (final["source"], final["lines"]) == ("final", ["hello there"])
        err = error_of(root, "session.nudge", {"session": name})
        assert (err.code, err.exit_code) == ("not_found", 5)


def test_workspaces_are_created_listed_removed_and_pruned(root: Path) -> None:
    with serving(root) as daemon:
        assert call(root, "workspace.create", {"name": "spike"}) == {"workspace": "ws-spike"}
        assert wait_until(lambda: daemon.engine.world.workspaces["ws-spike"].state == "ready")
        (ws,) = call(root, "workspace.list", {})["workspaces"]
        assert (ws["id"], ws["branch"], ws["state"]) == ("ws-spike", "oj/ws-spike", "ready")
        assert call(root, "workspace.show", {"workspace": ws["path"]})["workspace"]["id"] == (
            "ws-spike"
        )
        stray = root / ".oj" / "worktrees" / "stray"
        stray.mkdir(parents=True)
        daemon.info.reconciled["orphan_worktrees"] = [str(stray)]  # as reconcile found it
        plan = call(root, "workspace.prune", {"dry_run": True})
        assert (plan["workspaces"], plan["orphans"]) == ([], [str(stray)])
        assert call(root, "workspace.remove", {"workspace": "ws-s"})["state"] == "removing"
        assert wait_until(lambda: daemon.engine.world.workspaces["ws-spike"].state == "removed")
        assert call(root, "workspace.list", {})["workspaces"] == []


def test_operators_set_vars_and_move_runs_on(root: Path) -> None:
    with serving(root) as daemon:
        call(root, "worker.disable", {"worker": "jobber"})
        rid = call(root, "pipeline.start", {"pipeline": "demo.bad"})["run"]
        assert wait_until(lambda: daemon.engine.world.runs[rid].state == "escalated")
        assert call(root, "pipeline.set", {"id": rid, "values": {"k": "v"}})["set"] == ["k"]
        assert daemon.engine.world.runs[rid].vars["k"] == "v"
        err = error_of(root, "pipeline.transition", {"id": rid, "action": "complete"})
        assert err.code == "conflict"
        err = error_of(root, "pipeline.transition", {"id": rid, "action": "leap"})
        assert (err.code, err.help) == ("invalid", "use complete, fail or goto:PHASE")
        logs = call(root, "pipeline.logs", {"id": rid})
        names = [e["name"] for e in logs["events"]]
        assert names[:2] == ["pipeline:created", "pipeline:started"]
        assert "pipeline:escalated" in names and logs["sessions"] == []
        (shell,) = logs["shells"]
        assert (shell["purpose"], shell["script"]) == ("phase", "false")
        assert call(root, "graph.live", {"run": rid}) == {
            "run": rid,
            "pipeline": "demo.bad",
            "phase": "boom",
            "state": "escalated",
            "visits": {"boom": 1},
        }


def test_the_run_cap_answers_unavailable(tmp_path: Path) -> None:
    config = "[runtime]\nmax_active_runs = 1\n"
    root = write_project(tmp_path / "proj", {"demo": QUEUES}, config)
    with serving(root) as daemon:
        first = call(root, "pipeline.start", {"pipeline": "bad"})["run"]
        assert wait_until(lambda: daemon.engine.world.runs[first].state == "escalated")
        err = error_of(root, "pipeline.start", {"pipeline": "bad"})
        assert (err.code, err.exit_code) == ("unavailable", 4)
        assert err.message == "1 runs are active (`runtime.max_active_runs`)"


def test_status_watch_sends_a_fresh_status_after_events(root: Path) -> None:
    from ojlang.client import stream

    with serving(root):
        frames = stream("status.watch", {"interval": 30}, root=root, autostart=False)
        first = next(frames)
        assert first["name"] == "oj:status" and first["payload"]["runs"] == []
        call(root, "worker.disable", {"worker": "jobber"})
        began = time.monotonic()
        second = next(frames)
        assert time.monotonic() - began < 5  # sent after the event, not after `interval`
        (worker,) = second["payload"]["workers"]
        assert worker["state"] == "disabled"
        frames.close()
