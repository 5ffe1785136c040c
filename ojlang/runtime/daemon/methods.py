"""Socket methods (RUNTIME.md §7.2, §9.3–9.4): a request (method + params) in, the engine input
it becomes and the answer out; reads are answered from the in-memory `World` without an op.

Calls: `ping`, `pipeline.start`, `done`, `checkpoint`, `hook`, `escalation.list`,
`escalation.resolve`, `status`. Streams: `pipeline.start` (the run's events until it ends, or
escalates when `until_escalated`), `run.wait`, `events` (patterns), `confirm` (`oj confirm`
with `OJ_SAFE=1`: opens an `agent_prompt` escalation and waits for its resolution). Signals
name their task run by `task_run` (+ `generation`), else by `run` (its one live task run).
Reply error codes of the core pass through as `RemoteError`s.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Generator
from typing import Any

from ojlang.runtime.core import inputs as i
from ojlang.runtime.core.events import Event
from ojlang.runtime.core.task import TaskRun
from ojlang.runtime.daemon.protocol import RemoteError
from ojlang.runtime.engine.loop import Engine, EngineError
from ojlang.runtime.engine.signals import signal_input

Events = Generator[dict[str, Any], None, Any]
DEADLINE_S = 30.0
RUN_END = frozenset({"pipeline:complete", "pipeline:failed", "pipeline:cancelled"})


def event_json(event: Event) -> dict[str, Any]:
    return {
        "name": event.name,
        "subject": event.subject,
        "time_us": event.time_us,
        "seq": event.seq,
        "payload": event.payload,
    }


class Methods:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    # -- plumbing ---------------------------------------------------------------------------

    def _ask(self, inp: i.Input) -> Any:
        try:
            reply = self.engine.request(inp, DEADLINE_S)
        except EngineError as err:
            raise RemoteError(err.code, err.message) from None
        if reply.error:
            raise RemoteError(reply.error, reply.message or reply.error)
        return reply.result

    def _task(self, params: dict[str, Any]) -> TaskRun:
        world = self.engine.world
        trid = str(params.get("task_run") or "")
        if trid:
            tr = world.tasks.get(trid)
            if tr is None:
                raise RemoteError("not_found", f"no task run `{trid}`")
            return tr
        run = str(params.get("run") or "")
        live = [t for t in world.tasks.values() if t.run == run and t.live]
        if not live:
            ended = [t for t in world.tasks.values() if t.run == run]
            if ended:
                return max(ended, key=lambda t: (t.started_us, t.id))
            raise RemoteError(
                "not_found",
                f"no task run of run `{run}`" if run else "not inside an oj task",
                "set OJ_RUN or run this from a task's workspace",
            )
        return max(live, key=lambda t: (t.started_us, t.id))

    # -- calls ------------------------------------------------------------------------------

    def call(self, method: str, params: dict[str, Any]) -> Any:
        fn = _CALLS.get(method)
        if fn is None:
            raise RemoteError("invalid", f"unknown method `{method}`")
        return fn(self, params)

    def ping(self, params: dict[str, Any]) -> Any:
        return {"ok": True, "runs": len(self.engine.world.runs)}

    def pipeline_start(self, params: dict[str, Any]) -> Any:
        return self._ask(_start_input(params))

    def signal(self, method: str, params: dict[str, Any]) -> Any:
        tr = self._task(params)
        params = {**params, "task_run": tr.id}
        if method == "hook":
            return self.hook(tr, params)
        inp = signal_input(method, params)
        if inp is None:
            raise RemoteError("invalid", f"`{method}` needs a task run")
        result = self._ask(inp)
        return {"task_run": tr.id, "already": result == "already done"}

    def hook(self, tr: TaskRun, params: dict[str, Any]) -> Any:
        kind = str(params.get("kind") or "")
        data = params.get("data") if isinstance(params.get("data"), dict) else {}
        assert isinstance(data, dict)
        self.engine.note_hook(tr.id)
        if kind == "stop" and self._gated(tr, data):
            return {"decision": "block", "reason": self._nudge(tr)}
        inp = signal_input("hook", params)
        if inp is not None and tr.live:
            self.engine.post(inp)
        if kind == "prime":
            return self._prime(tr)
        return {}

    def _gated(self, tr: TaskRun, data: dict[str, Any]) -> bool:
        graph = self.engine.world.graphs.get(self.engine.world.graph_hash)
        gate = graph.settings.stop_gate if graph is not None else True
        return gate and tr.state == "running" and not data.get("stop_hook_active")

    def _defn(self, tr: TaskRun) -> Any:
        world = self.engine.world
        run = world.runs.get(tr.run)
        graph = world.graphs.get(run.graph_hash if run is not None else world.graph_hash)
        return graph.tasks.get(tr.task) if graph is not None else None

    def _nudge(self, tr: TaskRun) -> str:
        from ojlang.runtime.core.templates import RenderError, render_opt

        defn = self._defn(tr)
        if defn is None:
            return "Run `oj done` when finished."
        try:
            return render_opt(defn.nudge_message, tr.scope)
        except RenderError:
            return "Run `oj done` when finished."

    def _prime(self, tr: TaskRun) -> Any:
        from ojlang.runtime.core.templates import RenderError, render_template

        defn = self._defn(tr)
        scripts: list[str] = []
        for template in getattr(defn, "prime", ()) or ():
            try:
                scripts.append(render_template(template, tr.scope))
            except RenderError:
                continue
        run = self.engine.world.runs.get(tr.run)
        summary = (
            f"oj task `{tr.task.rpartition('.')[2]}` of run `{tr.run}`, phase `{tr.phase}`"
            + (f", branch `{run.branch}`" if run is not None and run.branch else "")
            + ". Run `oj done` when finished, or `oj done --error MSG` if you are stuck."
        )
        return {
            "scripts": scripts,
            "cwd": tr.cwd,
            "summary": summary,
            "checkpoint": tr.checkpoints[-1] if tr.checkpoints else "",
            "restart_message": tr.restart_message,
        }

    def escalation_list(self, params: dict[str, Any]) -> Any:
        return escalations(self.engine.world, bool(params.get("all")))

    def escalation_resolve(self, params: dict[str, Any]) -> Any:
        inp = i.EscalationResolve(
            str(params.get("id") or ""),
            str(params.get("option") or ""),
            str(params.get("message") or ""),
            str(params.get("by") or "operator"),
        )
        return self._ask(inp)

    def status(self, params: dict[str, Any]) -> Any:
        world = self.engine.world
        return {
            "runs": [
                {"id": r.id, "state": r.state, "phase": r.phase, "error": r.error}
                for r in world.runs.values()
            ],
            "escalations": escalations(world, False),
        }

    # -- streams ----------------------------------------------------------------------------

    def stream(self, method: str, params: dict[str, Any], cancelled: Callable[[], bool]) -> Events:
        if method == "pipeline.start":
            return self._start_stream(params, cancelled)
        if method == "run.wait":
            return self._run_events(str(params.get("run") or ""), params, cancelled)
        if method == "events":
            return self._events(params, cancelled)
        if method == "confirm":
            return self._confirm(params, cancelled)
        raise RemoteError("invalid", f"unknown stream `{method}`")

    def _start_stream(self, params: dict[str, Any], cancelled: Callable[[], bool]) -> Events:
        sub = self.engine.subscribe()
        try:
            result = self._ask(_start_input(params))
            run = str(result["run"])
            yield {"name": "oj:started", "subject": run, "payload": {"id": run}}
            return (yield from self._follow(sub, run, params, cancelled))
        finally:
            sub.close()

    def _run_events(
        self, run: str, params: dict[str, Any], cancelled: Callable[[], bool]
    ) -> Events:
        sub = self.engine.subscribe()
        try:
            if run not in self.engine.world.runs:
                raise RemoteError("not_found", f"no run `{run}`")
            return (yield from self._follow(sub, run, params, cancelled))
        finally:
            sub.close()

    def _follow(
        self, sub: Any, run: str, params: dict[str, Any], cancelled: Callable[[], bool]
    ) -> Events:
        stop_escalated = bool(params.get("until_escalated"))
        deadline = _deadline(params)
        while True:
            state = self.engine.world.runs[run].state
            if state in ("done", "failed", "cancelled") or (
                stop_escalated and state == "escalated"
            ):
                while (event := sub.get(0)) is not None:  # flush what was published
                    if event.payload.get("id") == run:
                        yield event_json(event)
                return self._outcome(run)
            if cancelled() or not self.engine.running:
                return self._outcome(run)
            if time.monotonic() > deadline:
                raise RemoteError("timeout", f"run `{run}` did not end in time")
            event = sub.get(0.2)
            if event is not None and event.payload.get("id") == run:
                yield event_json(event)

    def _outcome(self, run: str) -> dict[str, Any]:
        r = self.engine.world.runs[run]
        return {"run": run, "state": r.state, "error": r.error, "escalation": r.escalation}

    def _events(self, params: dict[str, Any], cancelled: Callable[[], bool]) -> Events:
        from ojlang.runtime.engine.bus import matcher

        patterns = [str(p) for p in params.get("patterns") or ["**"]]
        sub = self.engine.subscribe(matcher(patterns))
        deadline = _deadline(params)
        try:
            while not cancelled() and self.engine.running and time.monotonic() < deadline:
                event = sub.get(0.2)
                if event is not None:
                    yield event_json(event)
        finally:
            sub.close()
        return {}

    def _confirm(self, params: dict[str, Any], cancelled: Callable[[], bool]) -> Events:
        tr = self._task(params)
        self.engine.post(i.AgentSignal("screen", tr.id, tr.generation, "confirm", "permission"))
        subject = f"task:{tr.id}"

        def open_one(world: Any) -> bool:
            return any(
                e.subject == subject and e.state == "open" for e in world.escalations.values()
            )

        if not self.engine.wait_for(open_one, 5.0):
            raise RemoteError("conflict", "the task run is not waiting for a confirmation")
        esc = next(
            e
            for e in self.engine.world.escalations.values()
            if e.subject == subject and e.state == "open"
        )
        yield {"name": "oj:confirm", "subject": tr.id, "payload": {"escalation": esc.id}}
        deadline = _deadline(params)
        while time.monotonic() < deadline and not cancelled():
            current = self.engine.world.escalations[esc.id]
            if current.state != "open":
                option = current.resolution.option if current.resolution else ""
                return {"answer": option, "escalation": esc.id}
            self.engine.wait_for(lambda w: w.escalations[esc.id].state != "open", 0.5)
        raise RemoteError("timeout", f"`{esc.id}` was not answered in time")


def _deadline(params: dict[str, Any]) -> float:
    timeout = params.get("timeout")
    seconds = float(timeout) if isinstance(timeout, int | float) and timeout > 0 else 1e9
    return time.monotonic() + seconds


def _start_input(params: dict[str, Any]) -> i.PipelineStart:
    pipeline = str(params.get("pipeline") or "")
    values = params.get("vars") if isinstance(params.get("vars"), dict) else {}
    assert isinstance(values, dict)
    name = params.get("name")
    return i.PipelineStart(pipeline, dict(values), str(name) if name else None)


def escalations(world: Any, everything: bool) -> list[dict[str, Any]]:
    out = []
    for esc in world.escalations.values():
        if esc.state != "open" and not everything:
            continue
        out.append(
            {
                "id": esc.id,
                "kind": esc.kind,
                "subject": esc.subject,
                "name": esc.subject_name,
                "reason": esc.reason,
                "options": list(esc.options),
                "state": esc.state,
                "option": esc.resolution.option if esc.resolution else None,
                "created_us": esc.created_us,
            }
        )
    return sorted(out, key=lambda e: (e["created_us"], e["id"]))


_CALLS: dict[str, Callable[[Methods, dict[str, Any]], Any]] = {
    "ping": Methods.ping,
    "pipeline.start": Methods.pipeline_start,
    "done": lambda m, p: m.signal("done", p),
    "checkpoint": lambda m, p: m.signal("checkpoint", p),
    "hook": lambda m, p: m.signal("hook", p),
    "escalation.list": Methods.escalation_list,
    "escalation.resolve": Methods.escalation_resolve,
    "status": Methods.status,
}
