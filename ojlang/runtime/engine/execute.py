"""Effect execution (RUNTIME.md §4.1, §8, §9.1): one I/O effect in, the adapter calls it stands
for, and the result inputs to feed back out.

Every effect ends in at least one result input naming its `effect_id`, whatever happens: an
adapter error becomes the failure result of its row in §4.1 (`session:spawn_failed`,
`workspace:failed`, `merge:result{ok: false}`, `effect:failed`, a failed `shell:exited`), a
stale fence becomes `effect:fenced`, and an unexpected exception (a bug) the same failure
results, so the core never waits for an answer that cannot come. Relative paths in effects are
relative to the project root. Sessions get the §9.1 variables the engine owns (`OJ_STATE_DIR`,
`OJ_SOCKET`, `OJ_SAFE`, the `OTTER_*` aliases) and, for hook profiles, the hook settings file
written just before the spawn (§9.2). Scanner listings (`ListWorktrees`, `ListSessions`) are
records with an `id` (the worktree's path, the session's name) and a `kind`.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from ojlang.runtime.adapters import interfaces as ai
from ojlang.runtime.adapters.errors import AdapterError, Fenced, MergeConflict, SessionExists
from ojlang.runtime.core import effects as fx
from ojlang.runtime.core import inputs as i

PROMPT_LIMIT = 100 * 1024
TAIL_CHARS = 4096
READ_ONLY_SHELLS = frozenset({"guard", "source", "function", "probe"})


class Executor:
    """Runs effects against an `Adapters` bundle for the project at `root`."""

    def __init__(
        self,
        root: Path,
        state_dir: Path,
        adapters: ai.Adapters,
        *,
        fence_ok: Callable[[fx.Fence], bool],
        session_env: Mapping[str, str] | None = None,
        oj_executable: str = "oj",
        probe_confirm_s: float = 0.5,
    ) -> None:
        self.root = root
        self.state_dir = state_dir
        self.adapters = adapters
        self.fence_ok = fence_ok
        self.session_env = dict(session_env or {})
        self.oj_executable = oj_executable
        self.probe_confirm_s = probe_confirm_s
        self.hashes: dict[str, str] = {}  # session → last pane hash seen (probes, monitor)

    def path(self, text: str) -> Path:
        p = Path(text)
        return p if p.is_absolute() else self.root / p

    # -- entry ------------------------------------------------------------------------------

    def run(self, effect: fx.IoEffect) -> list[i.Input]:
        """Execute `effect`; the result inputs (never raises)."""
        eid = effect.effect_id
        if effect.fence is not None and not self.fence_ok(effect.fence):
            return [i.EffectOutcome("fenced", eid, f"lock `{effect.fence.lock}` moved on")]
        handler = _HANDLERS[type(effect)]
        try:
            return handler(self, effect)
        except Fenced as exc:
            return [i.EffectOutcome("fenced", eid, exc.message)]
        except AdapterError as exc:
            return failure(effect, exc.message)
        except Exception as exc:  # a bug in an adapter: fail the effect, keep going
            return failure(effect, f"internal error: {type(exc).__name__}: {exc}")

    # -- sessions ---------------------------------------------------------------------------

    def spawn(self, e: fx.SpawnSession) -> list[i.Input]:
        agent = self.adapters.agent
        argv = list(e.argv)
        profile = agent.profile(argv)
        trid = e.env.get("OJ_TASK_ID", e.owner.partition(":")[2])
        cwd = self.path(e.cwd)
        if argv and len(argv) > 1 and len(argv[-1].encode()) > PROMPT_LIMIT:
            argv = agent.build_argv(" ".join(_quote(a) for a in argv[:-1]), argv[-1], task_run=trid)
        if profile.hooks and cwd.is_dir():
            spec = ai.TaskSpec(
                trid, profile, oj_executable=self.oj_executable, primary_root=self.root
            )
            files = [f for f in agent.files(spec, "") if f.hook_settings]
            agent.write_files(cwd, files)
        env = {**e.env, **self.session_env, **_aliases(e.env)}
        try:
            info = self.adapters.session.spawn(e.session, cwd, argv, env, self.path(e.log_path))
        except SessionExists:
            alive = self.adapters.session.liveness().get(e.session)
            if alive is not None and alive.alive:
                return [i.SessionResult("spawned", e.effect_id, pane_pid=alive.pane_pid)]
            self.adapters.session.kill(e.session)
            info = self.adapters.session.spawn(e.session, cwd, argv, env, self.path(e.log_path))
        self.hashes.pop(e.session, None)
        return [i.SessionResult("spawned", e.effect_id, pane_pid=info.pane_pid)]

    def send(self, e: fx.SendKeys) -> list[i.Input]:
        session = self.adapters.session
        if e.keys:
            keys: list[str] = []
            for key in e.keys:
                keys += self.adapters.agent.keys_for(key) if key in _ANSWERS else [key]
            session.send_keys(e.session, keys)
        else:
            session.send(e.session, e.text, enter=e.enter, clear_first=e.clear_first)
        return [i.EffectOutcome("done", e.effect_id)]

    def capture(self, e: fx.CapturePane) -> list[i.Input]:
        text = self.adapters.session.capture(e.session, e.lines)
        if e.save_to:
            _write_atomic(self.path(e.save_to), text + "\n")
        return [
            i.SessionResult("captured", e.effect_id, text_tail=text[-TAIL_CHARS:], path=e.save_to)
        ]

    def probe_session(self, e: fx.ProbeSession) -> list[i.Input]:
        session = self.adapters.session
        live = session.liveness().get(e.session)
        if live is None or not live.alive:
            return [i.AgentProbe(e.effect_id, alive=False, changed=False)]
        now = session.pane_hash(e.session)
        before = self.hashes.get(e.session) or e.since_hash
        if not before:
            before = now
            time.sleep(self.probe_confirm_s)
            now = session.pane_hash(e.session)
        self.hashes[e.session] = now
        return [i.AgentProbe(e.effect_id, alive=True, changed=now != before, hash=now)]

    def kill_session(self, e: fx.KillSession) -> list[i.Input]:
        capture = self.path(e.capture_to) if e.capture_to else None
        self.adapters.session.kill(e.session, capture_to=capture)
        self.hashes.pop(e.session, None)
        return [i.SessionResult("killed", e.effect_id, path=e.capture_to)]

    def write_files(self, e: fx.WriteFiles) -> list[i.Input]:
        files = [
            ai.FileSpec(f.path, f.content, f.mode, f.marker_block, f.skip_worktree) for f in e.files
        ]
        self.adapters.agent.write_files(self.path(e.workspace), files)
        return [i.EffectOutcome("done", e.effect_id)]

    # -- git --------------------------------------------------------------------------------

    def base_ref(self, base: str) -> str:
        if base:
            return base
        repo = self.adapters.repo
        return repo.current_branch(self.root) or repo.rev_parse("HEAD")

    def worktree_add(self, e: fx.WorktreeAdd) -> list[i.Input]:
        self.adapters.repo.worktree_add(self.path(e.path), e.branch, self.base_ref(e.base))
        return [i.WorkspaceResult("ready", e.effect_id)]

    def worktree_remove(self, e: fx.WorktreeRemove) -> list[i.Input]:
        archive = self.path(e.archive_dir) if e.archive_dir else self.state_dir / "archive"
        result = self.adapters.repo.worktree_remove(
            self.path(e.path),
            archive_dir=archive,
            delete_branch_if_merged_into=e.delete_branch_if_merged_into,
        )
        patch = str(result.patch) if result.patch is not None else ""
        return [i.WorkspaceResult("removed", e.effect_id, patch=patch)]

    def merge(self, e: fx.Merge) -> list[i.Input]:
        fence = e.fence
        strategy: Any = e.strategy
        try:
            result = self.adapters.repo.merge(
                e.branch,
                e.into,
                strategy,
                workdir=self.path(e.workdir) if e.workdir else None,
                check_fence=(lambda: self.fence_ok(fence)) if fence is not None else _always,
                push=e.push,
            )
        except MergeConflict as exc:
            return [i.MergeResult(e.effect_id, False, conflicts=exc.paths, error=exc.message)]
        return [i.MergeResult(e.effect_id, True, head=result.head)]

    def list_worktrees(self, e: fx.ListWorktrees) -> list[i.Input]:
        rows = tuple(
            {
                "id": str(w.path),
                "kind": "worktree",
                "name": w.path.name,
                "path": str(w.path),
                "head": w.head,
                "branch": w.branch,
                "dirty": w.dirty,
                "locked": w.locked,
                "prunable": w.prunable,
                "primary": w.primary,
            }
            for w in self.adapters.repo.worktree_list()
        )
        return [i.ScanListed(e.effect_id, rows)]

    def list_sessions(self, e: fx.ListSessions) -> list[i.Input]:
        rows = tuple(
            {
                "id": s.name,
                "kind": "session",
                "name": s.name,
                "session": s.name,
                "pane_pid": s.pane_pid,
                "dead": s.dead,
                "dead_status": s.dead_status,
            }
            for s in self.adapters.session.list()
        )
        return [i.ScanListed(e.effect_id, rows)]

    def probe(self, e: fx.Probe) -> list[i.Input]:
        repo, args = self.adapters.repo, e.args
        name = e.predicate.replace("-", "_")
        value: bool
        if name in ("branch_exists", "branch_missing"):
            value = repo.branch_exists(args[0]) == (name == "branch_exists")
        elif name == "branch_merged":
            into = args[1] if len(args) > 1 and args[1] else self.base_ref("")
            value = repo.branch_exists(args[0]) and repo.is_ancestor(args[0], into)
        elif name in ("file_exists", "file_missing"):
            value = self.path(args[0]).exists() == (name == "file_exists")
        else:
            return [i.EffectOutcome("failed", e.effect_id, f"unknown predicate `{e.predicate}`")]
        return [i.ProbeResult(e.effect_id, value)]

    # -- shell ------------------------------------------------------------------------------

    def shell(self, e: fx.RunShell) -> list[i.Input]:
        env = {**e.env, **self.session_env}
        env.pop("OJ_SAFE", None)
        shell = self.adapters.shell
        cwd = self.path(e.cwd)
        handle = shell.start(e.effect_id, e.script, cwd, env, e.timeout_s, capture=e.capture)
        return [shell_exited(shell.wait(handle))]

    def kill_group(self, e: fx.KillProcessGroup) -> list[i.Input]:
        self.adapters.shell.kill(e.target_effect_id)
        return [i.EffectOutcome("done", e.effect_id)]

    # -- the rest ---------------------------------------------------------------------------

    def notify(self, e: fx.Notify) -> list[i.Input]:
        note = ai.Notification(
            e.title,
            e.message,
            e.urgency,
            e.sound,
            e.channels,
            e.event,
            project=str(self.root),
            time_us=time.time_ns() // 1000,
            webhook=e.webhook,
            effect_id=e.effect_id,
        )
        self.adapters.notify.notify(note)
        return [i.EffectOutcome("done", e.effect_id)]

    def archive(self, e: fx.WriteArchive) -> list[i.Input]:
        text = json.dumps(e.record, sort_keys=True, ensure_ascii=False, default=str)
        _write_atomic(self.path(e.path), text + "\n")
        return [i.EffectOutcome("done", e.effect_id)]

    def issue(self, e: fx.IssueCall) -> list[i.Input]:
        tracker = self.adapters.issue
        if tracker is None:
            return [i.EffectOutcome("failed", e.effect_id, "no issue tracker configured")]
        args = dict(e.args)
        data: Any
        if e.op == "list":
            data = [_issue(x) for x in tracker.list(args.get("query", {}))]
        elif e.op == "get":
            data = _issue(tracker.get(str(args["id"])))
        elif e.op == "create":
            made = tracker.create(str(args["title"]), str(args.get("body", "")))
            data = _issue(made)
        else:
            tracker.update(str(args.pop("id")), **args)
            data = None
        return [i.IssueResult(e.effect_id, data)]


def _always() -> bool:
    return True


_ANSWERS = frozenset({"approve", "deny", "trust"})


def _quote(arg: str) -> str:
    import shlex

    return shlex.quote(arg)


def _aliases(env: Mapping[str, str]) -> dict[str, str]:
    """The `OTTER_*` aliases of §9.1 (run id, phase, task run id, workspace)."""
    pairs = {
        "OTTER_PIPELINE": env.get("OJ_RUN"),
        "OTTER_PHASE": env.get("OJ_PHASE"),
        "OTTER_TASK": env.get("OJ_TASK_ID"),
        "OTTER_WORKSPACE": env.get("OJ_WORKSPACE"),
    }
    return {k: v for k, v in pairs.items() if v is not None}


def _issue(issue: ai.Issue) -> dict[str, Any]:
    return {
        "id": issue.id,
        "title": issue.title,
        "status": issue.status,
        "labels": list(issue.labels),
        "body": issue.body,
        "data": dict(issue.data),
    }


def _write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


def shell_exited(r: ai.ShellResult) -> i.ShellExited:
    return i.ShellExited(
        r.effect_id,
        r.code,
        r.signal,
        r.timed_out,
        r.stdout_tail,
        r.stderr_tail,
        r.duration_us,
        r.lost,
    )


def failure(effect: fx.IoEffect, message: str) -> list[i.Input]:
    """The failure result of `effect` per its row of §4.1."""
    eid = effect.effect_id
    if isinstance(effect, fx.SpawnSession):
        return [i.SessionResult("spawn_failed", eid, error=message)]
    if isinstance(effect, fx.WorktreeAdd):
        return [i.WorkspaceResult("failed", eid, error=message)]
    if isinstance(effect, fx.Merge):
        return [i.MergeResult(eid, False, error=message)]
    if isinstance(effect, fx.RunShell):
        return [i.ShellExited(eid, 127, stderr_tail=message)]
    if isinstance(effect, fx.ProbeSession):
        return [i.AgentProbe(eid, alive=False, changed=False)]
    return [i.EffectOutcome("failed", eid, message)]


_HANDLERS: dict[type, Callable[[Executor, Any], list[i.Input]]] = {
    fx.SpawnSession: Executor.spawn,
    fx.SendKeys: Executor.send,
    fx.CapturePane: Executor.capture,
    fx.ProbeSession: Executor.probe_session,
    fx.KillSession: Executor.kill_session,
    fx.WriteFiles: Executor.write_files,
    fx.WorktreeAdd: Executor.worktree_add,
    fx.WorktreeRemove: Executor.worktree_remove,
    fx.Merge: Executor.merge,
    fx.ListWorktrees: Executor.list_worktrees,
    fx.ListSessions: Executor.list_sessions,
    fx.RunShell: Executor.shell,
    fx.KillProcessGroup: Executor.kill_group,
    fx.Probe: Executor.probe,
    fx.Notify: Executor.notify,
    fx.WriteArchive: Executor.archive,
    fx.IssueCall: Executor.issue,
}


def order_key(effect: fx.IoEffect) -> str:
    """Effects with one key run in emission order (§1): a task run's session effects, a
    workspace's git effects, merges into one target; everything else runs freely."""
    owner = effect.owner
    if isinstance(
        effect, fx.SpawnSession | fx.SendKeys | fx.CapturePane | fx.ProbeSession | fx.KillSession
    ):
        return owner if owner.startswith("task:") else f"session:{effect.session}"
    if isinstance(effect, fx.WriteFiles):
        return owner if owner.startswith("task:") else f"workspace:{effect.workspace}"
    if isinstance(effect, fx.WorktreeAdd | fx.WorktreeRemove):
        return f"workspace:{effect.workspace}"
    if isinstance(effect, fx.Merge):
        return f"merge:{effect.into}"
    return f"effect:{effect.effect_id}"
