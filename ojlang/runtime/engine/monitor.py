"""The liveness poll (RUNTIME.md §8.2, §9.5): the live task runs of the current `World` in,
`agent:exited`, `session:gone`, pane-activity and screen inputs out.

One `liveness()` call per poll covers every session (a dead pane ends its task run with the
pane's exit status; a session that vanished is `session:gone`). The pane hash is read only for
sessions whose heartbeat needs it: generic agents (no hooks), agents whose hooks have been
silent for longer than `hook_silence`, and sessions `starting` or `idle`; a changed hash is
activity (the core ignores the echo of its own nudges), and the screen of a changed pane is
read with the agent adapter for prompts and errors (each distinct screen reported once).
Each finding is reported once per session.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from ojlang.runtime.adapters.errors import AdapterError
from ojlang.runtime.core import effects as fx
from ojlang.runtime.core import inputs as i
from ojlang.runtime.core.task import TaskRun
from ojlang.runtime.core.world import World
from ojlang.runtime.engine.execute import Executor

SCREEN_STATES = frozenset({"starting", "running", "idle"})


class Monitor:
    def __init__(
        self,
        world: Callable[[], World],
        executor: Executor,
        post: Callable[[i.Input], None],
        now_us: Callable[[], int],
        *,
        hook_silence_us: int,
        hook_seen: dict[str, int],
    ) -> None:
        self.world = world
        self.ex = executor
        self.post = post
        self.now_us = now_us
        self.hook_silence_us = hook_silence_us
        self.hook_seen = hook_seen
        self._reported: set[tuple[str, str]] = set()
        self._screens: dict[str, tuple[str | None, str | None]] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self, interval_s: float) -> None:
        def loop() -> None:
            while not self._stop.wait(interval_s):
                try:
                    self.poll()
                except Exception:  # a bug or a broken tmux: try again next poll
                    continue

        self._thread = threading.Thread(target=loop, name="oj-monitor", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def _watched(self, world: World) -> list[TaskRun]:
        spawning = {e.session for e in world.outbox.values() if isinstance(e, fx.SpawnSession)}
        return [
            t
            for t in world.tasks.values()
            if t.live and t.session and t.state != "pending" and t.session not in spawning
        ]

    def poll(self) -> None:
        """One round: liveness of every watched session, then pane hashes where needed."""
        watched = self._watched(self.world())
        if not watched:
            return
        try:
            panes = self.ex.adapters.session.liveness()
        except AdapterError:
            return
        now = self.now_us()
        for tr in watched:
            pane = panes.get(tr.session)
            if pane is None:
                self._once(tr, "gone", i.SessionGone(tr.id))
            elif pane.dead:
                code = pane.dead_status if pane.dead_status is not None else 1
                signal = i.AgentSignal("exited", tr.id, tr.generation, "process", code=code)
                self._once(tr, "dead", signal)
            elif self._needs_hash(tr, now):
                self._pane(tr)

    def _once(self, tr: TaskRun, what: str, inp: i.Input) -> None:
        key = (tr.session, what)
        if key not in self._reported:
            self._reported.add(key)
            self.post(inp)

    def _needs_hash(self, tr: TaskRun, now: int) -> bool:
        if not tr.hooks or tr.state in ("starting", "idle"):
            return True
        seen = self.hook_seen.get(tr.id, tr.started_us)
        return now - seen > self.hook_silence_us

    def _pane(self, tr: TaskRun) -> None:
        session = self.ex.adapters.session
        try:
            digest = session.pane_hash(tr.session)
        except AdapterError:
            return
        before = self.ex.hashes.get(tr.session)
        self.ex.hashes[tr.session] = digest
        if before is None or before == digest:
            return
        if tr.state in ("running", "idle", "stuck", "confirming"):
            self.post(i.AgentSignal("activity", tr.id, tr.generation, "pane"))
        if tr.state in SCREEN_STATES:
            self._screen(tr)

    def _screen(self, tr: TaskRun) -> None:
        try:
            text = self.ex.adapters.session.capture(tr.session, 60)
        except AdapterError:
            return
        screen = self.ex.adapters.agent.read_screen(text)
        seen = (screen.prompt, screen.error)
        if seen == (None, None) or self._screens.get(tr.session) == seen:
            return
        self._screens[tr.session] = seen
        if screen.prompt in ("trust", "permission", "question", "plan"):
            self.post(i.AgentSignal("screen", tr.id, tr.generation, "pane", prompt=screen.prompt))
        elif screen.error is not None:
            retry = int((screen.retry_after_s or 0) * 1_000_000)
            signal = i.AgentSignal(
                "screen", tr.id, tr.generation, "pane", error=screen.error, retry_after_us=retry
            )
            self.post(signal)
