"""Task run machine (RUNTIME.md §3.3): a task + scope in, session effects and task events out;
agent signals, session results and timers in, state changes and ladder steps out.

Theory of operation. A task run waits `pending` while the session cap is full, then spawns a
tmux session (`starting`); hook profiles become `running` on `agent:ready` or first activity,
generic ones at `session:spawned`. Activity refreshes the heartbeat and the idle timer; an idle
signal or the idle timer leads to a confirming probe and only an unchanged pane makes the run
`stuck`, which runs the next `on_stuck` ladder step (a step `w:N` is used N times before the
cursor moves on; `restart` returns the cursor to 0 keeping restart counts; recovery resets the
rest). `oj done` ends it (`done`/`failed`), fenced by the generation: an older generation is
`stale_task`. Terminal states are absorbing; a terminal run's session is killed after
`linger`. Results go to the owner (run or strategy) through `task:*` events carrying `owner`.
Each spawn first writes the context file (§R9.2) from the task's `context_template`, else from
the project's default (`settings.context_template`), with `checkpoint` = the last note.
"""

from __future__ import annotations

import shlex
from typing import Any

import attrs

from ojlang.runtime.core import escalation
from ojlang.runtime.core.ctx import Tx
from ojlang.runtime.core.data import evolve
from ojlang.runtime.core.effects import (
    FileSpec,
    KillSession,
    ProbeSession,
    RunShell,
    SendKeys,
    SpawnSession,
    WriteFiles,
)
from ojlang.runtime.core.graph import Task
from ojlang.runtime.core.ids import session_name, task_run_id
from ojlang.runtime.core.table import Transition
from ojlang.runtime.core.templates import RenderError, render_jinja, render_opt, render_template

TABLE = (
    Transition("-", "start", "", "pending", ""),
    Transition(
        "pending",
        "pump",
        "session cap has room",
        "starting",
        "WriteFiles, SpawnSession, SetTimer(startup)",
    ),
    Transition(
        "starting", "spawned", "", "starting (hooks) / running (generic)", "session:started"
    ),
    Transition("starting", "ready", "", "running", "task:started, timers"),
    Transition("starting", "activity", "", "running", "task:started, timers"),
    Transition("starting", "screen", "trust prompt", "starting", "SendKeys / escalate"),
    Transition(
        "starting",
        "spawn_failed",
        "< 3 tries / 3rd",
        "starting / failed",
        "respawn after 5s / task:failed",
    ),
    Transition(
        "starting",
        "startup",
        "< 3 tries / 3rd",
        "starting / failed",
        "KillSession, respawn / task:failed",
    ),
    Transition("starting", "respawn", "", "starting", "SpawnSession"),
    Transition("running", "activity", "", "running", "heartbeat, idle timer reset"),
    Transition("running", "idle", "", "idle", "session:idle, SetTimer(idle_grace)"),
    Transition("idle", "activity", "not an echo after a nudge", "running", "session:active"),
    Transition("running", "idle_timer", "", "confirming", "ProbeSession{confirm}"),
    Transition("idle", "idle_timer", "", "confirming", "ProbeSession{confirm}"),
    Transition("confirming", "probe", "changed", "running", "activity"),
    Transition("confirming", "probe", "unchanged", "stuck", "task:stuck{idle}, ladder step"),
    Transition("confirming", "activity", "", "running", ""),
    Transition("running", "screen", "prompt", "stuck", "task:stuck{prompt}, escalate"),
    Transition("idle", "screen", "prompt", "stuck", "task:stuck{prompt}, escalate"),
    Transition("*", "screen", "error", "stuck", "escalate / restart later"),
    Transition("stuck", "activity", "", "running", "task:recovered, ladder reset"),
    Transition("stuck", "idle_timer", "", "stuck", "next ladder step"),
    Transition("stuck", "restart_timer", "", "starting", "restart"),
    Transition(
        "*",
        "done",
        "generation current",
        "done / failed / starting",
        "task:complete / task:failed / restart",
    ),
    Transition("*", "exited", "", "done / failed", "session:dead"),
    Transition("*", "gone", "", "stuck", "ladder, skipping nudge"),
    Transition("*", "timeout", "", "per on_timeout", "task:timeout"),
    Transition(
        "running", "checkpoint_timer", "", "running", "RunShell(checkpoint), task:checkpoint"
    ),
    Transition("*", "checkpoint", "", "unchanged", "task:checkpoint, activity"),
    Transition("*", "confirm", "live", "unchanged", "agent_prompt escalation (the agent waits)"),
    Transition("*", "cancel", "", "failed{cancelled}", "KillSession"),
    Transition("*", "escalation", "option", "per option", ""),
)
LIVE = frozenset({"pending", "starting", "running", "idle", "confirming", "stuck"})
HOOK_PROGRAMS = frozenset({"claude", "oj-fake-agent"})
PROMPT_KINDS = frozenset({"permission", "question", "plan"})


@attrs.frozen(slots=False)
class TaskRun:
    id: str
    run: str
    owner: str  # `run:ID` or `strategy:SID`
    phase: str
    task: str  # task key
    scope: dict[str, Any]
    cwd: str = ""
    env: dict[str, str] = attrs.Factory(dict)
    argv: tuple[str, ...] = ()
    hooks: bool = True
    session: str = ""
    generation: int = 1
    state: str = "pending"
    last_heartbeat_us: int = 0
    idle_since_us: int = 0
    cursor: int = 0
    used: dict[str, int] = attrs.Factory(dict)  # ladder step index → uses
    restarts: int = 0
    self_restarts: int = 0
    spawn_tries: int = 0
    checkpoints: tuple[str, ...] = ()
    agent_session_ref: str = ""
    last_nudge_us: int = -1
    started_us: int = 0
    ended_us: int = 0
    error: str = ""
    restart_message: str = ""

    @property
    def live(self) -> bool:
        return self.state in LIVE


def _defn(tx: Tx, tr: TaskRun) -> Task:
    return tx.graph.tasks[tr.task]


def _put(tx: Tx, tr: TaskRun) -> TaskRun:
    tx.set(tasks=tx.world.tasks.set(tr.id, tr))
    return tr


def _t(tr: TaskRun, which: str) -> str:
    return f"task:{tr.id}:{which}"


def _emit(tx: Tx, tr: TaskRun, verb: str, **extra: Any) -> None:
    name = str(tr.scope.get("name", tr.run))
    payload = {
        "id": tr.run,
        "task": tr.task.rpartition(".")[2],
        "phase": tr.phase,
        "session": tr.session,
    }
    tx.emit(f"task:{verb}", name, **payload, task_run=tr.id, owner=tr.owner, **extra)


def start(
    tx: Tx,
    key: str,
    owner: str,
    run_id: str,
    phase: str,
    scope: dict[str, Any],
    env: dict[str, str],
    strategy_attempt: int | None = None,
) -> str:
    attempt = int(scope.get("attempt", 1))
    trid = task_run_id(run_id, phase, attempt, strategy_attempt)
    defn = tx.graph.tasks[key]
    scope = {**scope, "task": defn.name, "session": session_name(trid, 1)}
    tr = _put(tx, TaskRun(trid, run_id, owner, phase, key, scope))
    try:
        cwd = render_opt(defn.cwd, scope, str(scope.get("workspace", "")))
        task_env = {k: render_template(v, scope) for k, v in defn.env.items()}
        command = render_template(defn.command, scope)
        prompt = render_jinja(defn.prompt, scope) if defn.prompt is not None else ""
        argv = (*shlex.split(command), *([prompt] if prompt else []))
    except (RenderError, ValueError) as exc:
        _end(tx, tr, "failed", f"template error: {exc}")
        return trid
    env = {**env, **task_env, "OJ_TASK": defn.name, "OJ_TASK_ID": trid}
    hooks = shlex.split(command)[0].rpartition("/")[2] in HOOK_PROGRAMS if argv else False
    _put(tx, evolve(tr, cwd=cwd, env=env, argv=argv, hooks=hooks))
    pump(tx)
    return trid


def _sessions(tx: Tx) -> int:
    return sum(
        1
        for t in tx.world.tasks.values()
        if t.state in ("starting", "running", "idle", "confirming", "stuck")
    )


def pump(tx: Tx) -> None:
    """Start pending task runs (FIFO by id order of creation) while the session cap has room."""
    pending = [t for t in tx.world.tasks.values() if t.state == "pending"]
    room = tx.graph.settings.max_sessions - _sessions(tx)
    for tr in sorted(pending, key=lambda t: (t.started_us, t.id))[: max(room, 0)]:
        _spawn(tx, tr)


def _spawn(tx: Tx, tr: TaskRun) -> None:
    defn = _defn(tx, tr)
    session = session_name(tr.id, tr.generation)
    checkpoint = tr.checkpoints[-1] if tr.checkpoints else ""
    scope = {**tr.scope, "session": session, "checkpoint": checkpoint}
    env = {**tr.env, "OJ_SESSION": session, "OJ_GEN": str(tr.generation)}
    context = defn.context_template
    if context is None:
        context = tx.graph.settings.context_template
    if context is not None:
        try:
            text = render_jinja(context, scope)
        except RenderError as exc:
            _end(tx, tr, "failed", str(exc))
            return
        spec = FileSpec(defn.context_file, text, marker_block=True, skip_worktree=True)
        tx.io(WriteFiles(tr.cwd, (spec,), owner=f"task:{tr.id}"))
    tr = _put(
        tx,
        evolve(
            tr,
            state="starting",
            session=session,
            env=env,
            spawn_tries=tr.spawn_tries + 1,
            started_us=tr.started_us or tx.now,
        ),
    )
    tx.io(
        SpawnSession(
            session, tr.cwd, tr.argv, env, f".oj/logs/sessions/{session}.log", owner=f"task:{tr.id}"
        )
    )
    tx.set_timer(_t(tr, "startup"), tx.now + tx.graph.settings.startup_timeout_us)


def _kill(tx: Tx, tr: TaskRun) -> None:
    tx.io(
        KillSession(tr.session, f".oj/logs/sessions/{tr.session}.final.txt", owner=f"task:{tr.id}")
    )


def _cancel_timers(tx: Tx, tr: TaskRun) -> None:
    for which in ("startup", "respawn", "timeout", "idle", "checkpoint", "restart"):
        tx.cancel_timer(_t(tr, which))


def _end(tx: Tx, tr: TaskRun, state: str, error: str = "", end_run: str = "", **extra: Any) -> None:
    _cancel_timers(tx, tr)
    if tr.session:
        tx.set_timer(_t(tr, "linger"), tx.now + tx.graph.settings.linger_us)
    tr = _put(tx, evolve(tr, state=state, error=error, ended_us=tx.now))
    escalation.moot(tx, f"task:{tr.id}")
    escalation.moot(tx, f"confirm:{tr.id}")
    if state == "done":
        _emit(tx, tr, "complete", **extra)
    else:
        _emit(tx, tr, "failed", error=error, end_run=end_run)
    pump(tx)


def _running(tx: Tx, tr: TaskRun) -> TaskRun:
    defn = _defn(tx, tr)
    tx.cancel_timer(_t(tr, "startup"))
    tr = _put(tx, evolve(tr, state="running", last_heartbeat_us=tx.now))
    _emit(tx, tr, "started", generation=tr.generation)
    if tr.generation == 1 and _t(tr, "timeout") not in tx.world.timers:
        tx.set_timer(_t(tr, "timeout"), tx.now + defn.timeout_us)
    tx.set_timer(_t(tr, "idle"), tx.now + defn.idle_timeout_us)
    if defn.checkpoint is not None and defn.checkpoint_interval_us:
        tx.set_timer(_t(tr, "checkpoint"), tx.now + defn.checkpoint_interval_us)
    return tr


def on_spawn_result(tx: Tx, tr: TaskRun, ok: bool, pane_pid: int = 0, error: str = "") -> None:
    if tr.state != "starting":
        tx.ignored(tr.state, "spawned" if ok else "spawn_failed")
        return
    if ok:
        tx.emit(
            "session:started",
            tr.session,
            session=tr.session,
            task=tr.task.rpartition(".")[2],
            pipeline=tr.run,
            pane_pid=pane_pid,
        )
        if not tr.hooks:
            _running(tx, tr)
        return
    _start_failed(tx, tr, error or "spawn failed")


def _start_failed(tx: Tx, tr: TaskRun, error: str) -> None:
    tx.cancel_timer(_t(tr, "startup"))
    if tr.spawn_tries >= 3:
        _end(tx, tr, "failed", error)
        return
    _kill(tx, tr)
    tx.set_timer(_t(tr, "respawn"), tx.now + 5_000_000)


def on_signal(tx: Tx, tr: TaskRun, verb: str, source: str = "hook", **kw: Any) -> None:
    """`agent:ready/activity/idle/screen/exited` and `session:gone`."""
    if not tr.live:
        tx.ignored(tr.state, verb)
        return
    if verb == "exited":
        code = int(kw.get("code", 0))
        tx.emit(
            "session:dead",
            tr.session,
            session=tr.session,
            task=tr.task.rpartition(".")[2],
            code=code,
        )
        _end(
            tx,
            tr,
            "done" if code == 0 else "failed",
            "" if code == 0 else f"agent exited {code}",
            outputs={},
        )
    elif verb == "gone":
        _stuck(tx, tr, "gone", skip_nudge=True)
    elif verb == "screen":
        _screen(
            tx,
            tr,
            str(kw.get("prompt", "")),
            str(kw.get("error", "")),
            int(kw.get("retry_after_us", 0)),
        )
    elif verb in ("ready", "activity"):
        _activity(tx, tr, source)
    elif tr.state == "running":  # idle
        tr = _put(tx, evolve(tr, state="idle", idle_since_us=tx.now))
        tx.emit("session:idle", tr.session, session=tr.session, source=source)
        tx.set_timer(_t(tr, "idle"), tx.now + tx.graph.settings.idle_grace_us)
    else:
        tx.ignored(tr.state, verb)


def _activity(tx: Tx, tr: TaskRun, source: str) -> None:
    settings = tx.graph.settings
    if tr.state in ("pending", "starting"):
        if tr.state == "starting":
            _running(tx, tr)
        return
    if (
        source == "pane"
        and tr.last_nudge_us >= 0
        and tx.now - tr.last_nudge_us < settings.echo_window_us
    ):
        return  # the echo of our own nudge
    prev = tr.state
    cursor, used = tr.cursor, tr.used
    if prev == "stuck":
        restart_steps = {
            k: v for k, v in used.items() if _defn(tx, tr).on_stuck[int(k)].word == "restart"
        }
        cursor, used = 0, restart_steps
    tr = _put(tx, evolve(tr, state="running", last_heartbeat_us=tx.now, cursor=cursor, used=used))
    tx.set_timer(_t(tr, "idle"), tx.now + _defn(tx, tr).idle_timeout_us)
    if prev == "idle":
        tx.emit("session:active", tr.session, session=tr.session)
    elif prev == "stuck":
        escalation.moot(tx, f"task:{tr.id}")
        _emit(tx, tr, "recovered")


def _screen(tx: Tx, tr: TaskRun, prompt: str, error: str, retry_after_us: int) -> None:
    name = _defn(tx, tr).name
    if prompt == "trust":
        if tx.graph.settings.auto_trust:
            tx.io(SendKeys(tr.session, keys=("trust",), owner=f"task:{tr.id}"))
        else:
            escalation.open_(
                tx, "agent_prompt", f"task:{tr.id}", name, "agent asks to trust the workspace"
            )
        return
    if prompt in PROMPT_KINDS:
        if tr.state in ("running", "idle"):
            _put(tx, evolve(tr, state="stuck"))
            _emit(tx, tr, "stuck", reason=f"prompt:{prompt}")
            escalation.open_(
                tx, "agent_prompt", f"task:{tr.id}", name, f"agent shows a {prompt} prompt"
            )
        return
    _put(tx, evolve(tr, state="stuck"))
    _emit(tx, tr, "stuck", reason=f"error:{error}")
    if error in ("rate_limit", "network"):
        delay = retry_after_us if error == "rate_limit" and retry_after_us else 30_000_000
        tx.set_timer(_t(tr, "restart"), tx.now + delay)
        return
    escalation.open_(tx, "agent_error", f"task:{tr.id}", name, f"agent error: {error}")


def on_probe(tx: Tx, tr: TaskRun, changed: bool) -> None:
    if tr.state != "confirming":
        tx.ignored(tr.state, "probe")
    elif changed:
        _activity(tx, evolve(tr, state="running"), "probe")
    else:
        _stuck(tx, tr, "idle")


def _stuck(tx: Tx, tr: TaskRun, reason: str, skip_nudge: bool = False) -> None:
    tr = _put(tx, evolve(tr, state="stuck"))
    _emit(tx, tr, "stuck", reason=reason)
    ladder(tx, tr, skip_nudge)


def ladder(tx: Tx, tr: TaskRun, skip_nudge: bool = False) -> None:
    """Run the `on_stuck` step at the cursor (§L4.5 ladder)."""
    steps = _defn(tx, tr).on_stuck
    cursor, used = tr.cursor, dict(tr.used)
    while cursor < len(steps) and (
        used.get(str(cursor), 0) >= steps[cursor].count
        or (skip_nudge and steps[cursor].word == "nudge")
    ):
        cursor += 1
    if cursor >= len(steps):
        tr = _put(tx, evolve(tr, cursor=cursor))
        subject = f"task:{tr.id}"
        # An escalation still open for this task stays the one to answer: replacing it on
        # every later stuck verdict (e.g. after a daemon restart) would change its id.
        if not escalation.open_for(tx, subject):
            escalation.open_(tx, "task_stuck", subject, _defn(tx, tr).name, "ladder ran out")
        return
    step = steps[cursor]
    used[str(cursor)] = used.get(str(cursor), 0) + 1
    tr = _put(tx, evolve(tr, cursor=cursor, used=used))
    tx.set_timer(_t(tr, "idle"), tx.now + _defn(tx, tr).idle_timeout_us)
    _word(tx, tr, step.word, used[str(cursor)])


def _word(tx: Tx, tr: TaskRun, word: str, count: int = 1) -> None:
    defn = _defn(tx, tr)
    if word == "nudge":
        nudge(tx, tr, render_opt(defn.nudge_message, tr.scope), count)
    elif word == "restart":
        restart(tx, tr, "stuck", counted=True)
    elif word == "checkpoint":
        checkpoint_now(tx, tr)
    elif word in ("escalate", "checkpoint_and_escalate"):
        if word == "checkpoint_and_escalate":
            checkpoint_now(tx, tr)
        escalation.open_(
            tx, "task_stuck", f"task:{tr.id}", defn.name, f"task `{defn.name}` needs help"
        )
    elif word == "fail":
        _kill(tx, tr)
        _end(tx, tr, "failed", "stuck")
    elif word in ("requeue", "dead", "abandon"):
        _kill(tx, tr)
        _end(tx, tr, "failed", word, end_run=word)
    # `wait`: let this trigger pass


def nudge(tx: Tx, tr: TaskRun, text: str, count: int = 1) -> None:
    tx.io(SendKeys(tr.session, text, owner=f"task:{tr.id}"))
    _put(tx, evolve(tr, last_nudge_us=tx.now))
    _emit(tx, tr, "nudged", count=count)


def checkpoint_now(tx: Tx, tr: TaskRun) -> None:
    defn = _defn(tx, tr)
    if defn.checkpoint is None:
        return
    try:
        script = render_template(defn.checkpoint, tr.scope)
    except RenderError as exc:
        tx.log("warning", f"checkpoint of `{tr.id}` did not render: {exc}")
        return
    tx.io(RunShell("checkpoint", script, tr.cwd, tr.env, 120.0, owner="hook"))
    _emit(tx, tr, "checkpoint", message="")


def restart(tx: Tx, tr: TaskRun, reason: str, counted: bool, message: str = "") -> None:
    _kill(tx, tr)
    tx.cancel_timer(_t(tr, "restart"))
    steps = _defn(tx, tr).on_stuck
    kept = {k: v for k, v in tr.used.items() if steps[int(k)].word == "restart"}
    tr = evolve(
        tr,
        generation=tr.generation + 1,
        cursor=0,
        used=kept,
        restarts=tr.restarts + (1 if counted else 0),
        spawn_tries=0,
        restart_message=message,
    )
    _emit(tx, tr, "restarted", generation=tr.generation, reason=reason)
    _spawn(tx, tr)


def on_timer(tx: Tx, tr: TaskRun, which: str) -> None:
    if which == "linger":
        _kill(tx, tr)
    elif which == "startup":  # the others need a live run: `_end` cancels them
        _start_failed(tx, tr, "startup timed out")
    elif which == "respawn":
        _spawn(tx, tr)
    elif which == "restart":
        restart(tx, tr, "agent error", counted=False)
    elif which == "checkpoint":
        checkpoint_now(tx, tr)
        tx.set_timer(_t(tr, "checkpoint"), tx.now + (_defn(tx, tr).checkpoint_interval_us or 0))
    elif which == "timeout":
        _emit(tx, tr, "timeout")
        for w in _defn(tx, tr).on_timeout:
            if not tx.world.tasks[tr.id].live:
                break
            _word(tx, tx.world.tasks[tr.id], w.word)
    elif tr.state == "stuck":  # idle timer again
        ladder(tx, tr)
    elif tr.state in ("running", "idle"):
        _put(tx, evolve(tr, state="confirming"))
        tx.io(ProbeSession(tr.session, confirm=True, owner=f"task:{tr.id}"))
    else:
        tx.ignored(tr.state, which)


def on_done(
    tx: Tx, tr: TaskRun, error: str | None, restart_: bool, message: str, outputs: dict[str, Any]
) -> str | None:
    """`cmd:done`; returns an error code for the reply, or None."""
    if not tr.live:
        return None  # a repeat: "already done"
    if restart_:
        if tr.self_restarts >= 5:
            return "denied"
        tr = evolve(tr, self_restarts=tr.self_restarts + 1)
        restart(tx, tr, "self", counted=False, message=message)
        return None
    _end(tx, tr, "failed" if error is not None else "done", error or "", outputs=outputs)
    return None


def on_checkpoint(tx: Tx, tr: TaskRun, message: str) -> None:
    tr = _put(tx, evolve(tr, checkpoints=(*tr.checkpoints, message)))
    _emit(tx, tr, "checkpoint", message=message)
    if tr.state in ("running", "idle", "stuck", "confirming"):
        _activity(tx, tr, "checkpoint")


def on_escalation(tx: Tx, tr: TaskRun, option: str, message: str) -> None:
    """An option of an open escalation about a live task run (its end makes them moot)."""
    if option == "nudge":
        nudge(tx, tr, message or render_opt(_defn(tx, tr).nudge_message, tr.scope))
    elif option == "restart":
        restart(tx, tr, "operator", counted=False)
    elif option == "done":
        _kill(tx, tr)
        _end(tx, tr, "done", outputs={})
    elif option == "fail":
        _kill(tx, tr)
        _end(tx, tr, "failed", "failed by operator")
    elif option in ("approve", "deny"):
        tx.io(SendKeys(tr.session, keys=(option,), owner=f"task:{tr.id}"))
    elif option == "wait":
        _put(tx, evolve(tr, cursor=0, used={}))
    # `attach`: a note only


def cancel(tx: Tx, trid: str, reason: str) -> None:
    tr = tx.world.tasks.get(trid)
    if tr is None or not tr.live:
        return
    if tr.session:
        _kill(tx, tr)
    _end(tx, tr, "failed", reason)
