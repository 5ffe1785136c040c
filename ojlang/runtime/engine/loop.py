"""The engine loop (RUNTIME.md §1, §4.2, §6.3, §7.5): inputs in, committed ops, dispatched
effects, published events and replies out.

Theory of operation. One thread owns the `World` and the journal. It takes every queued input
(at most `batch_max`, waiting `batch_window` after the first one) plus the due timers, and
submits them as one group commit: the journal steps the core per input and writes the input
ops, their intents and their events in one transaction. Only then are the batch's internal
effects handled (timers into the wheel, events to the bus, replies to their requests) and its
I/O effects handed to two keyed thread pools (shells apart, so long scripts never starve
short tmux and git calls); each result comes back through the inbox as an input. At start the
loop recovers the store, reloads the graph when it changed, resolves intents left without a
result by recovery class and reconciles sessions (`recovery.py`), heartbeats live holders and
claims, and only then fires overdue timers. While running, it posts `maintenance:tick` as
often as the held locks' and slots' heartbeats need (`heartbeats.py`). `stop()` ends the
loop: queued inputs are committed but their effects stay intents for the next start; a final
snapshot is taken.
"""

from __future__ import annotations

import contextlib
import logging
import os
import queue
import secrets
import shutil
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

import attrs

from ojlang.runtime.adapters.interfaces import Adapters
from ojlang.runtime.clock import Clock, SystemClock
from ojlang.runtime.core import effects as fx
from ojlang.runtime.core import inputs as i
from ojlang.runtime.core.events import Event
from ojlang.runtime.core.graph import Graph
from ojlang.runtime.core.world import World
from ojlang.runtime.engine import recovery
from ojlang.runtime.engine.bus import Bus, Filter, Subscription
from ojlang.runtime.engine.execute import Executor, order_key
from ojlang.runtime.engine.heartbeats import tick_interval_s
from ojlang.runtime.engine.monitor import Monitor
from ojlang.runtime.engine.pool import KeyedPool
from ojlang.runtime.engine.settings import EngineSettings
from ojlang.runtime.engine.timers import TimerWheel

log = logging.getLogger("oj.engine")
VERSION = "0.1.0"
_STOP = object()


class EngineError(Exception):
    """The engine could not start, or stopped while a request waited (`code` of §7.2)."""

    def __init__(self, message: str, code: str = "unavailable") -> None:
        super().__init__(message)
        self.message = message
        self.code = code


class _Pending:
    def __init__(self) -> None:
        self.done = threading.Event()
        self.reply: fx.Reply | None = None


def oj_executable() -> str:
    """The absolute path of `oj` for hook commands (§9.2)."""
    beside = Path(sys.executable).parent / "oj"
    if beside.exists():
        return str(beside)
    return shutil.which("oj") or "oj"


class Engine:
    def __init__(
        self,
        root: Path,
        graph: Graph,
        adapters: Adapters,
        *,
        clock: Clock | None = None,
        settings: EngineSettings | None = None,
        state_dir: Path | None = None,
        machine_id: str | None = None,
        session_env: dict[str, str] | None = None,
    ) -> None:
        self.root = root
        self.state_dir = state_dir or root / ".oj"
        self.graph = graph
        self.adapters = adapters
        self.clock: Clock = clock or SystemClock()
        self.settings = settings or EngineSettings()
        self.machine_id = machine_id
        env = {"OJ_STATE_DIR": str(self.state_dir), **(session_env or {})}
        if self.settings.safe:
            env["OJ_SAFE"] = "1"
        self.executor = Executor(
            root,
            self.state_dir,
            adapters,
            fence_ok=self.fence_ok,
            session_env=env,
            oj_executable=oj_executable(),
            probe_confirm_s=self.settings.probe_confirm_s,
        )
        self.bus = Bus()
        self.wheel = TimerWheel()
        self.hook_seen: dict[str, int] = {}
        self.report: dict[str, object] = {}
        self._inbox: queue.Queue[object] = queue.Queue()
        self._pending: dict[str, _Pending] = {}
        self._activity: dict[str, int] = {}
        self._world = World()
        self._committed = threading.Condition()
        self._ready = threading.Event()
        self._thread: threading.Thread | None = None
        self._start_error: BaseException | None = None
        self._stopping = False
        self._inflight = 0
        self._inflight_lock = threading.Lock()
        self.io_pool = KeyedPool(self.settings.adapter_threads, "oj-io", self._job_error)
        self.shell_pool = KeyedPool(self.settings.max_shells, "oj-shell", self._job_error)
        self.monitor = Monitor(
            lambda: self._world,
            self.executor,
            self.post,
            self.clock.now_us,
            hook_silence_us=int(self.settings.hook_silence_s * 1_000_000),
            hook_seen=self.hook_seen,
        )

    # -- lifecycle ----------------------------------------------------------------------------

    @property
    def world(self) -> World:
        """The state after the last commit (immutable; safe to read from any thread)."""
        return self._world

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive() and not self._stopping

    def start(self, timeout: float = 30.0) -> Engine:
        """Recover, reconcile and start the loop; raises `EngineError` when that fails."""
        self._thread = threading.Thread(target=self._main, name="oj-engine", daemon=True)
        self._thread.start()
        if not self._ready.wait(timeout):
            raise EngineError("the engine did not start in time", "timeout")
        if self._start_error is not None:
            err = self._start_error
            if isinstance(err, EngineError):
                raise err
            raise EngineError(f"the engine could not start: {err}", "internal") from err
        self.monitor.start(self.settings.poll_interval_s)
        return self

    def stop(self, timeout: float = 30.0) -> None:
        """Stop the loop (see the module docstring); idempotent."""
        if self._thread is None:
            return
        self._stopping = True
        self.monitor.stop()
        self._inbox.put(_STOP)
        self._thread.join(timeout)

    def __enter__(self) -> Engine:
        return self.start() if self._thread is None else self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- inputs -------------------------------------------------------------------------------

    def post(self, inp: i.Input) -> None:
        """Queue an input (thread-safe); `agent:activity` of a running task run is coalesced."""
        if isinstance(inp, i.AgentSignal) and inp.verb == "activity" and not self._fresh(inp):
            return
        self._inbox.put(inp)

    def _fresh(self, inp: i.AgentSignal) -> bool:
        tr = self._world.tasks.get(inp.task_run)
        if tr is None or tr.state != "running":
            return True
        now = self.clock.now_us()
        last = self._activity.get(inp.task_run)
        if last is not None and now - last < self.settings.activity_coalesce_s * 1_000_000:
            return False
        self._activity[inp.task_run] = now
        return True

    def note_hook(self, task_run: str) -> None:
        """A hook of `task_run` arrived (pane hashes are not needed while hooks talk)."""
        self.hook_seen[task_run] = self.clock.now_us()

    def request(self, inp: i.Input, timeout: float = 30.0) -> fx.Reply:
        """Submit a command and wait for its reply (after commit)."""
        if not self.running:
            raise EngineError("the engine is not running")
        rid = secrets.token_hex(8)
        pending = _Pending()
        self._pending[rid] = pending
        self.post(attrs.evolve(cast(Any, inp), request_id=rid))
        if not pending.done.wait(timeout):
            self._pending.pop(rid, None)
            raise EngineError("the engine did not answer in time", "timeout")
        if pending.reply is None:
            raise EngineError("the engine stopped before answering")
        return pending.reply

    def subscribe(self, match: Filter | None = None) -> Subscription:
        return self.bus.subscribe(match)

    def kick(self) -> None:
        """Wake the loop (after advancing a `FakeClock`)."""
        self._inbox.put(None)

    def wait_for(self, predicate: Callable[[World], bool], timeout: float) -> bool:
        """Block until `predicate(world)` holds after some commit; whether it did in time."""
        deadline = time.monotonic() + timeout
        with self._committed:
            while not predicate(self._world):
                left = deadline - time.monotonic()
                if left <= 0 or not self.running:
                    return predicate(self._world)
                self._committed.wait(min(left, 0.2))
        return True

    def quiet(self, timeout: float) -> bool:
        """Block until no input is queued and no effect is in flight; whether that happened."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._inbox.empty() and self._inflight == 0:
                time.sleep(0.02)
                if self._inbox.empty() and self._inflight == 0:
                    return True
            time.sleep(0.01)
        return False

    # -- the loop -----------------------------------------------------------------------------

    def _main(self) -> None:
        try:
            with contextlib.ExitStack() as stack:
                from ojlang.runtime.store import Journal
                from ojlang.runtime.store.repair import daemon_lock

                (self.state_dir / "run").mkdir(parents=True, exist_ok=True)
                ignore = self.state_dir / ".gitignore"
                if not ignore.exists():
                    ignore.write_text("*\n")
                stack.enter_context(daemon_lock(self.state_dir))
                journal = Journal.open(str(self.state_dir), machine_id=self.machine_id)
                stack.callback(self._close_journal, journal)
                self._journal = journal
                self._world = journal.world
                self._startup(journal)
                self._ready.set()
                self._loop(journal)
        except BaseException as exc:  # startup failure, or a fatal store error
            if not self._ready.is_set():
                self._start_error = exc
            else:
                log.exception("engine stopped on an error")
        finally:
            self._stopping = True
            self._ready.set()
            self.io_pool.stop()
            self.shell_pool.stop()
            self.bus.close()
            for pending in list(self._pending.values()):
                pending.done.set()
            with self._committed:
                self._committed.notify_all()

    def _close_journal(self, journal: object) -> None:
        from ojlang.runtime.store import Journal

        assert isinstance(journal, Journal)
        try:
            journal.close(self.clock.now_us())
        except Exception:
            log.exception("closing the store failed")

    def _startup(self, journal: object) -> None:
        from ojlang.runtime.store import Journal

        assert isinstance(journal, Journal)
        world = journal.world
        self.wheel.rebuild(world.timers)
        plan = recovery.plan(world, self.executor)
        first: list[i.Input] = []
        if world.graph_hash != self.graph.content_hash():
            first.append(i.Reload(self.graph))
        info = {"pid": os.getpid(), "version": VERSION, "replayed": journal.store.last_seq}
        first.append(i.EngineEvent("started", info))
        first += plan.inputs
        first.append(i.MaintenanceTick())
        orphans = self._orphans(world)
        first.append(
            i.EngineEvent(
                "reconciled",
                {"reattached": plan.reattached, "lost": plan.lost, "orphans": orphans},
            )
        )
        self.report = {"reattached": plan.reattached, "lost": plan.lost, "orphans": orphans}
        self._commit(journal, first)
        for effect in plan.rerun:
            self._dispatch(effect)
        for effect, handle in plan.reattach:
            self._reattach(effect, handle)

    def _orphans(self, world: World) -> list[str]:
        known = {t.session for t in world.tasks.values() if t.session}
        try:
            listed = self.adapters.session.list()
        except Exception:
            return []
        return sorted(s.name for s in listed if s.name not in known)

    def _loop(self, journal: object) -> None:
        from ojlang.runtime.store import Journal

        assert isinstance(journal, Journal)
        settings = self.settings
        last_tick = time.monotonic()
        next_maintain = time.monotonic() + 1.0
        while True:
            batch, stop = self._take(self._wait_s())
            now = self.clock.now_us()
            batch += self.wheel.pop_due(now)
            every = tick_interval_s(self._world, settings.maintenance_interval_s)
            if time.monotonic() >= last_tick + every:
                last_tick = time.monotonic()
                if self._holders():
                    batch.append(i.MaintenanceTick())
            if batch:
                self._commit(journal, batch, dispatch=not stop)
            if time.monotonic() >= next_maintain:
                next_maintain = time.monotonic() + 1.0
                journal.maintain(now)
            if stop:
                return

    def _wait_s(self) -> float:
        wait = self.settings.idle_wait_s
        due = self.wheel.next_due()
        if due is not None:
            wait = min(wait, max((due - self.clock.now_us()) / 1_000_000, 0.0))
        return wait

    def _take(self, wait_s: float) -> tuple[list[i.Input], bool]:
        batch: list[i.Input] = []
        try:
            first = self._inbox.get(timeout=wait_s) if wait_s > 0 else self._inbox.get_nowait()
        except queue.Empty:
            return batch, False
        deadline = time.monotonic() + self.settings.batch_window_s
        item = first
        while True:
            if item is _STOP:
                self._drain_rest(batch)
                return batch, True
            if item is not None:
                batch.append(item)  # type: ignore[arg-type]
            if len(batch) >= self.settings.batch_max:
                return batch, False
            left = deadline - time.monotonic()
            try:
                item = self._inbox.get(timeout=left) if left > 0 else self._inbox.get_nowait()
            except queue.Empty:
                return batch, False

    def _drain_rest(self, batch: list[i.Input]) -> None:
        """At stop: wait a little for short effects in flight, then take what is queued."""
        self.io_pool.wait_idle(self.settings.shutdown_grace_s)
        while True:
            try:
                item = self._inbox.get_nowait()
            except queue.Empty:
                return
            if item is not None and item is not _STOP:
                batch.append(item)  # type: ignore[arg-type]

    def _holders(self) -> bool:
        return any(
            r.holds_lock or r.holds_slot or r.item_claim
            for r in self._world.runs.values()
            if not r.terminal
        )

    def _commit(self, journal: object, batch: list[i.Input], dispatch: bool = True) -> None:
        from ojlang.runtime.store import Journal

        assert isinstance(journal, Journal)
        now = self.clock.now_us()
        applied = journal.submit([(inp, now) for inp in batch])
        events: list[Event] = []
        io: list[fx.IoEffect] = []
        replies: list[fx.Reply] = []
        for a in applied:
            if a.error:
                rid = getattr(a.input, "request_id", "")
                if rid:
                    replies.append(fx.Reply(rid, None, "invalid", a.error))
                continue
            for effect in a.effects:
                if isinstance(effect, fx.Emit):
                    events.append(effect.event)
                elif isinstance(effect, fx.SetTimer):
                    self.wheel.set(effect.timer_id, effect.due_us)
                elif isinstance(effect, fx.CancelTimer):
                    self.wheel.cancel(effect.timer_id)
                elif isinstance(effect, fx.Reply):
                    replies.append(effect)
                elif isinstance(effect, fx.Log):
                    _log(effect)
                else:
                    io.append(effect)
        with self._committed:
            self._world = journal.world
            self._committed.notify_all()
        self.bus.publish(events)
        for reply in replies:
            pending = self._pending.pop(reply.request_id, None)
            if pending is not None:
                pending.reply = reply
                pending.done.set()
        if dispatch:
            for effect in io:
                self._dispatch(effect)

    # -- effects ------------------------------------------------------------------------------

    def fence_ok(self, fence: fx.Fence) -> bool:
        lock = self._world.locks.get(fence.lock)
        return lock is not None and lock.holder is not None and lock.token == fence.token

    def _track(self, delta: int) -> None:
        with self._inflight_lock:
            self._inflight += delta

    def _dispatch(self, effect: fx.IoEffect) -> None:
        self._track(1)

        def job() -> None:
            try:
                results = self.executor.run(effect)
            finally:
                self._track(-1)
            if not self._stopping or self._thread is None or self._thread.is_alive():
                for result in results:
                    self.post(result)

        pool = self.shell_pool if isinstance(effect, fx.RunShell) else self.io_pool
        pool.submit(order_key(effect), job)

    def _reattach(self, effect: fx.RunShell, handle: object) -> None:
        from ojlang.runtime.adapters.interfaces import ShellHandle
        from ojlang.runtime.engine.execute import shell_exited

        assert isinstance(handle, ShellHandle)
        self._track(1)

        def job() -> None:
            try:
                result = shell_exited(self.adapters.shell.wait(handle))
            finally:
                self._track(-1)
            self.post(result)

        self.shell_pool.submit(order_key(effect), job)

    def _job_error(self, exc: BaseException) -> None:
        log.error("an effect job failed: %s: %s", type(exc).__name__, exc)


def _log(effect: fx.Log) -> None:
    level = getattr(logging, effect.level.upper(), logging.INFO)
    if log.isEnabledFor(level):
        log.log(level, "%s %s", effect.message, effect.fields or "")
