"""Action machine (RUNTIME.md §3.13): triggers (watcher responses, rules, operator) in;
bodies as effects or core transitions, cooldowns and action events out. Also the chain verbs
that watcher responses and rules use.

Theory of operation. An action is `ready`, `executing` or `cooling{until}`. A trigger while
executing or cooling is rejected (`action:rejected`), so two executions are always at least
`cooldown` apart. Bodies: a shell command (`RunShell(action)`, its result ends the execution),
a built-in operation (done in the same step), a task (started as the synthesized one-phase
pipeline of the compiler, keyed by `Action.task`), or rules: evaluated in order with the pure
expression evaluator; the first match triggers `then` after `delay`; no match fails the
action; a chain of rule-triggered actions deeper than 8 fails with `rule loop`.
"""

from __future__ import annotations

import fnmatch
from typing import Any

import attrs

from ojlang.runtime.core import escalation, expr, phase, task
from ojlang.runtime.core import pipeline as pl
from ojlang.runtime.core.ctx import Tx
from ojlang.runtime.core.data import evolve
from ojlang.runtime.core.effects import Notify, RunShell
from ojlang.runtime.core.graph import Action, Response
from ojlang.runtime.core.table import Transition
from ojlang.runtime.core.templates import RenderError, render_template, render_value

TABLE = (
    Transition("ready", "trigger", "", "executing", "action:triggered; body per mode"),
    Transition("executing", "trigger", "", "executing", "action:rejected{executing}"),
    Transition("cooling", "trigger", "", "cooling", "action:rejected{cooldown, remaining}"),
    Transition("executing", "body ended", "ok", "cooling{now + cooldown}", "action:completed"),
    Transition("executing", "body ended", "failed", "cooling{now + cooldown}", "action:failed"),
    Transition("cooling", "timer", "", "ready", "action:ready"),
)
MAX_RULE_DEPTH = 8


@attrs.frozen(slots=False)
class ActionState:
    key: str
    state: str = "ready"
    until_us: int = 0
    source: str = ""
    record: dict[str, Any] = attrs.Factory(dict)
    outputs: dict[str, str] = attrs.Factory(dict)
    pending_then: str = ""
    depth: int = 0


def _defn(tx: Tx, key: str) -> Action:
    return tx.graph.actions[key]


def _get(tx: Tx, key: str) -> ActionState:
    return tx.world.actions.get(key) or ActionState(key)


def _put(tx: Tx, a: ActionState) -> ActionState:
    tx.set(actions=tx.world.actions.set(a.key, a))
    return a


def _name(key: str) -> str:
    return key.rpartition(".")[2]


def _scope(tx: Tx, defn: Action, a: ActionState, args: dict[str, Any]) -> dict[str, Any]:
    rb = tx.graph.runbooks.get(defn.runbook)
    base = {
        "config": rb.config if rb else {},
        "env": tx.graph.settings.env,
        "project": tx.graph.settings.project_root,
        "runbook": defn.runbook,
    }
    return {**a.record, **a.outputs, **base, "source": a.source, "record": a.record, "args": args}


def trigger(
    tx: Tx,
    key: str,
    source: str,
    record: dict[str, Any],
    args: dict[str, Any] | None = None,
    depth: int = 0,
) -> bool:
    """Returns False when the trigger was rejected or the body failed at once."""
    defn = _defn(tx, key)
    a = _get(tx, key)
    if a.state != "ready":
        extra: dict[str, Any] = {"reason": a.state if a.state == "executing" else "cooldown"}
        if a.state == "cooling":
            extra["remaining_s"] = (a.until_us - tx.now) / 1e6
        tx.emit("action:rejected", _name(key), action=_name(key), source=source, **extra)
        return False
    a = _put(tx, evolve(a, state="executing", source=source, record=dict(record), depth=depth))
    tx.emit("action:triggered", _name(key), action=_name(key), source=source)
    try:
        raw_args = {k: render_value(v, _scope(tx, defn, a, {})) for k, v in defn.args.items()}
        scope_args = {**raw_args, **(args or {})}
    except RenderError as exc:
        return finish(tx, key, False, f"args: {exc}")
    scope = _scope(tx, defn, a, scope_args)
    if defn.mode == "shell":
        assert defn.command is not None
        try:
            script = render_template(defn.command, scope)
        except RenderError as exc:
            return finish(tx, key, False, str(exc))
        env = {f"OJ_ARG_{k.upper()}": str(v) for k, v in scope_args.items()}
        tx.io(
            RunShell(
                "action", script, tx.graph.settings.project_root, env, None, owner=f"action:{key}"
            )
        )
        return True
    if defn.mode == "builtin":
        ok = verb(tx, defn.builtin, record, source, scope_args)
        return finish(tx, key, ok, "" if ok else f"`{defn.builtin}` does not apply")
    if defn.mode == "task":
        assert defn.task is not None
        run, error = pl.start(tx, defn.task, scope_args)
        return finish(tx, key, run is not None, error)
    if defn.mode == "rules":
        return _rules(tx, key, defn, scope, depth)
    return finish(tx, key, True)


def _rules(tx: Tx, key: str, defn: Action, scope: dict[str, Any], depth: int) -> bool:
    for rule in defn.rules:
        try:
            hit = (
                rule.if_ is None
                or rule.if_.node is None
                or expr.evaluate(rule.if_.node, scope, None, tx.now) is True
            )
        except expr.EvaluationError as exc:  # an evaluation error fails the action (§L4.8)
            return finish(tx, key, False, f"rule: {exc}")
        if not hit:
            continue
        if depth + 1 > MAX_RULE_DEPTH:
            return finish(tx, key, False, "rule loop")
        if rule.delay_us:
            _put(
                tx,
                evolve(_get(tx, key), pending_then=("verb:" if rule.then_verb else "") + rule.then),
            )
            tx.set_timer(f"action:{key}:then", tx.now + rule.delay_us)
            return finish(tx, key, True)
        ok = _then(tx, key, rule.then, rule.then_verb, depth)
        return finish(tx, key, ok, "" if ok else f"`{rule.then}` failed")
    return finish(tx, key, False, "no rule matched")


def _then(tx: Tx, key: str, then: str, is_verb: bool, depth: int) -> bool:
    a = _get(tx, key)
    if is_verb:
        return verb(tx, then, a.record, _name(key), {})
    return trigger(tx, then, _name(key), a.record, None, depth + 1)


def finish(tx: Tx, key: str, ok: bool, error: str = "", output: str = "") -> bool:
    defn = _defn(tx, key)
    a = _get(tx, key)
    outputs = {**a.outputs, defn.output: output.strip()} if defn.output and ok else a.outputs
    a = _put(tx, evolve(a, state="cooling", until_us=tx.now + defn.cooldown_us, outputs=outputs))
    tx.set_timer(f"action:{key}:cooldown", a.until_us)
    if ok:
        tx.emit(
            "action:completed",
            _name(key),
            action=_name(key),
            source=a.source,
            output=output.strip(),
        )
    else:
        tx.emit("action:failed", _name(key), action=_name(key), source=a.source, error=error)
    return ok


def on_timer(tx: Tx, key: str, which: str) -> None:
    a = _get(tx, key)
    if which == "then":
        then = a.pending_then
        _put(tx, evolve(a, pending_then=""))
        _then(tx, key, then.removeprefix("verb:"), then.startswith("verb:"), a.depth)
        return
    _put(tx, evolve(a, state="ready"))
    tx.emit("action:ready", _name(key), action=_name(key))


def respond(
    tx: Tx, resp: Response, source: str, record: dict[str, Any], scope: dict[str, Any]
) -> bool:
    """Fire one watcher response; False when it counts as failed."""
    try:
        args = {
            k: render_value(v, {**record, **scope, "record": record}) for k, v in resp.args.items()
        }
    except RenderError:
        return False
    if resp.verb:
        return verb(tx, resp.action, record, source, args)
    return trigger(tx, resp.action, source, record, args)


def _task_of(tx: Tx, record: dict[str, Any]) -> task.TaskRun | None:
    session = record.get("session")
    return next((t for t in tx.world.tasks.values() if t.session == session and t.live), None)


def verb(tx: Tx, word: str, record: dict[str, Any], source: str, args: dict[str, Any]) -> bool:
    """Chain verbs on the record's session or run (§L4.5); False where they cannot apply."""
    from ojlang.runtime.core import cron

    tr = _task_of(tx, record)
    run = tx.world.runs.get(str(record.get("pipeline") if tr is not None else record.get("id")))
    if tr is not None:
        run = tx.world.runs.get(tr.run)
    if word in ("nudge", "send_to_session", "restart", "restart_session", "checkpoint"):
        if tr is None:
            return False
        if word == "restart" or word == "restart_session":
            task.restart(tx, tr, f"watcher {source}", counted=True)
        elif word == "checkpoint":
            task.checkpoint_now(tx, tr)
        else:
            message = str(
                args.get("message")
                or render_template(tx.graph.tasks[tr.task].nudge_message, tr.scope)
            )
            task.nudge(tx, tr, message)
        return True
    if word == "notify":
        title = str(args.get("title") or f"{source}")
        tx.io(
            Notify(
                title,
                str(args.get("message", record.get("id", ""))),
                str(args.get("level", "normal")),
                owner="notify",
            )
        )
        return True
    if word == "escalate":
        subject = f"action:{source}:{record.get('id', '')}"
        escalation.open_(
            tx, "action", subject, source, str(args.get("message", f"`{source}` escalated"))
        )
        return True
    if word in ("enable_cron", "disable_cron"):
        pattern = str(args.get("pattern", "*"))
        for key in sorted(tx.world.crons):
            if fnmatch.fnmatchcase(key.rpartition(".")[2], pattern):
                cron.command(tx, key, word.partition("_")[0])
        return True
    if run is None or run.terminal:
        return False
    if word == "fail":
        phase.fail(tx, run, f"failed by `{source}`")
    elif word == "retry":
        return pl.resume(tx, run, None, by=source) is None
    elif word in ("requeue", "dead", "abandon"):
        pl.end_by_word(tx, run, word)
    return True  # `wait`
