"""The daemon process (RUNTIME.md §7.1, §7.3–7.5): a project root in; one engine, one socket and
the log under `.oj/` out, until a signal or `oj daemon stop` ends it.

Start: create `.oj/` (with `.gitignore = *`), read the settings, open the log (`--- oj daemon
starting` marker), raise the open-files limit, make sure no other daemon holds
`run/daemon.lock` (then: `already running (pid N)`, exit 0), compile the runbooks (the last good
graph when they have errors), start the engine (recovery, intents, session reconcile, spooled
signals, heartbeats — then overdue timers), reconcile worktrees, serve the socket, write
`run/daemon.json`. Stop (SIGTERM, SIGINT, `daemon.stop`): refuse new requests, let the engine
drain short effects and take its final snapshot, remove the socket and `daemon.json`; agents
keep running in their tmux server and long shells under their runners, both re-attached at the
next start. SIGHUP (and `daemon.reload`) recompiles the runbooks and reloads the graph.

Exit codes: 0 normal (also "already running"), 70 store I/O failure, 71 store refused,
72 socket, lock or setup failure.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import signal
import threading
import time
from pathlib import Path
from typing import Any

from ojlang.runtime.core import inputs as i
from ojlang.runtime.daemon import graphs, logs
from ojlang.runtime.daemon.context import DaemonInfo
from ojlang.runtime.daemon.handler import Handler
from ojlang.runtime.daemon.limits import (
    LimitError,
    daemon_settings,
    memory_warning,
    raise_nofile,
    rss_bytes,
)
from ojlang.runtime.daemon.protocol import (
    PROTOCOL,
    VERSION,
    RemoteError,
    project_id,
    socket_path,
    tmux_socket_path,
)

log = logging.getLogger("oj.daemon")
EXIT_OK, EXIT_IO, EXIT_REFUSED, EXIT_SETUP = 0, 70, 71, 72
RSS_CHECK_S = 60.0


class StartError(Exception):
    def __init__(self, message: str, code: int, help: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.help = help


def info_path(state_dir: Path) -> Path:
    return state_dir / "run" / "daemon.json"


def read_info(state_dir: Path) -> dict[str, Any]:
    try:
        data = json.loads(info_path(state_dir).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def lock_holder(state_dir: Path) -> int | None:
    """The pid of the daemon holding `run/daemon.lock`, or None when it is free."""
    path = state_dir / "run" / "daemon.lock"
    if not path.exists():
        return None
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        pid = read_info(state_dir).get("pid")
        return int(pid) if isinstance(pid, int) else 0
    finally:
        os.close(fd)  # closing releases a lock taken here
    return None


def prepare_state_dir(state_dir: Path) -> None:
    (state_dir / "run").mkdir(parents=True, exist_ok=True)
    (state_dir / "logs").mkdir(parents=True, exist_ok=True)
    ignore = state_dir / ".gitignore"
    if not ignore.exists():
        ignore.write_text("*\n")


class Daemon:
    """One daemon: `start()` brings it up (raises `StartError`), `stop()` takes it down."""

    def __init__(
        self,
        root: Path,
        *,
        adapters: Any = None,
        salvage: bool = False,
        machine_id: str | None = None,
        engine_settings: Any = None,
    ) -> None:
        self.root = Path(os.path.realpath(root))
        self.state_dir = self.root / ".oj"
        self.adapters = adapters
        self.salvage = salvage
        self.machine_id = machine_id
        self.engine_settings = engine_settings
        self.engine: Any = None
        self.server: Any = None
        self.handler: Handler | None = None
        self.info: DaemonInfo | None = None
        self.stop_requested = threading.Event()
        self.stop_reason = ""
        self.kill_agents = False
        self._log_handler: logging.Handler | None = None
        self._reload_lock = threading.Lock()

    # -- start ------------------------------------------------------------------------------

    def start(self) -> Daemon:
        from ojlang.runtime.engine.settings import SettingsError, load_settings, read_config

        prepare_state_dir(self.state_dir)
        try:
            core_settings, engine_settings = load_settings(self.root)
            settings = daemon_settings(read_config(self.root), os.environ)
        except (SettingsError, LimitError) as err:
            self._log_handler = logs.setup(self.state_dir, "info", VERSION)
            log.error("%s", err)
            raise StartError(str(err), EXIT_SETUP, "fix `.oj/config.toml`") from None
        if self.engine_settings is not None:
            engine_settings = self.engine_settings
        self._log_handler = logs.setup(self.state_dir, settings.log_level, VERSION)
        holder = lock_holder(self.state_dir)
        if holder is not None:
            raise StartError(f"already running (pid {holder})", EXIT_OK)
        nofile, warning = raise_nofile()
        warnings = [warning] if warning else []
        if warning:
            log.warning("%s", warning)
        sock = socket_path(self.state_dir)
        tmux_sock = tmux_socket_path(self.state_dir)
        loaded = graphs.load(self.root, self.state_dir, core_settings)
        if loaded.errors:
            for line in loaded.messages[:20]:
                log.warning("runbooks: %s", line)
            warnings.append(
                f"the runbooks have {loaded.errors} error(s): running the last good graph "
                "(`oj check` lists them)"
            )
        if self.salvage:
            self._salvage()
        self.engine = self._engine(loaded.graph, engine_settings, sock, tmux_sock)
        self._start_engine()
        from ojlang.runtime.daemon.reconcile import reconcile

        reconciled = reconcile(self.engine, self.root, self.state_dir)
        self.info = DaemonInfo(
            root=self.root,
            state_dir=self.state_dir,
            socket=sock,
            tmux_socket=tmux_sock,
            pid=os.getpid(),
            version=VERSION,
            started_us=time.time_ns() // 1000,
            settings=settings,
            reconciled=reconciled,
            warnings=warnings,
            graph_errors=loaded.errors,
        )
        self.handler = Handler(self.engine, self.info, self.control)
        self._serve(sock)
        self._write_info(sock, tmux_sock)
        log.info(
            "ready",
            extra={"fields": {"pid": os.getpid(), "socket": sock, "nofile": nofile}},
        )
        return self

    def _engine(self, graph: Any, settings: Any, sock: Path, tmux_sock: Path) -> Any:
        from ojlang.runtime.engine.loop import Engine

        adapters = self.adapters
        if adapters is None:
            from ojlang.runtime.daemon.lazy import lazy_adapters

            adapters = lazy_adapters(self.root, self.state_dir, settings, tmux_socket=tmux_sock)
        return Engine(
            self.root,
            graph,
            adapters,
            settings=settings,
            state_dir=self.state_dir,
            machine_id=self.machine_id,
            session_env={"OJ_SOCKET": str(sock)},
        )

    def _start_engine(self) -> None:
        from ojlang.runtime.engine.loop import EngineError
        from ojlang.runtime.store.errors import StoreError
        from ojlang.runtime.store.repair import StoreBusy

        try:
            self.engine.start()
        except EngineError as err:
            cause = err.__cause__ or err.__context__
            if isinstance(cause, StoreBusy):
                pid = read_info(self.state_dir).get("pid", "?")
                raise StartError(f"already running (pid {pid})", EXIT_OK) from None
            if isinstance(cause, StoreError):
                log.error("%s", cause.message)
                if cause.help:
                    log.error("help: %s", cause.help)
                raise StartError(cause.message, cause.exit_code, cause.help) from None
            log.error("the engine could not start: %s", err.message)
            raise StartError(err.message, EXIT_SETUP) from None

    def _salvage(self) -> None:
        """`--salvage`: quarantine a corrupt middle of the op log without asking (§6.5)."""
        from ojlang.runtime.store import open_store
        from ojlang.runtime.store.errors import StoreError
        from ojlang.runtime.store.repair import daemon_lock

        try:
            with daemon_lock(self.state_dir):
                store = open_store(str(self.state_dir), machine_id=self.machine_id)
                try:
                    store.load(salvage=True)
                finally:
                    store.close()
        except StoreError as err:
            log.error("salvage failed: %s", err.message)
            raise StartError(err.message, err.exit_code, err.help) from None

    def _serve(self, sock: Path) -> None:
        from ojlang.runtime.daemon.server import SocketServer

        assert self.handler is not None
        try:
            self.server = SocketServer(sock, self.handler, project_id=project_id(self.root))
            self.server.start()
        except OSError as exc:
            log.error("cannot serve the socket `%s`: %s", sock, exc)
            self.engine.stop()
            raise StartError(f"cannot serve the socket `{sock}`: {exc}", EXIT_SETUP) from None

    def _write_info(self, sock: Path, tmux_sock: Path) -> None:
        assert self.info is not None
        data = {
            "pid": os.getpid(),
            "socket": str(sock),
            "tmux_socket": str(tmux_sock),
            "version": VERSION,
            "protocol": PROTOCOL,
            "root": str(self.root),
            "started_us": self.info.started_us,
        }
        path = info_path(self.state_dir)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(data) + "\n", encoding="utf-8")
        os.replace(tmp, path)

    # -- control ----------------------------------------------------------------------------

    def control(self, method: str, params: dict[str, Any]) -> Any:
        """`daemon.stop`, `daemon.restart` (stop; the CLI starts a new one), `daemon.reload`."""
        if method == "daemon.reload":
            return self.reload()
        self.kill_agents = bool(params.get("kill_agents"))
        self.request_stop("restart" if method == "daemon.restart" else "operator")
        return {"pid": os.getpid(), "stopping": True}

    def request_stop(self, reason: str) -> None:
        if not self.stop_requested.is_set():
            self.stop_reason = reason
            if self.handler is not None:
                self.handler.stopping = True
            self.stop_requested.set()

    def reload(self) -> dict[str, Any]:
        from ojlang.runtime.engine.settings import SettingsError, load_settings

        with self._reload_lock:
            try:
                core_settings, _ = load_settings(self.root)
            except SettingsError as err:
                raise RemoteError("invalid", str(err), "fix `.oj/config.toml`") from None
            loaded = graphs.load(self.root, self.state_dir, core_settings)
            if not loaded.fresh:
                log.warning("reload: the runbooks have %d error(s); kept the graph", loaded.errors)
                return {
                    "reloaded": False,
                    "errors": loaded.errors,
                    "messages": list(loaded.messages[:20]),
                }
            reply = self.engine.request(i.Reload(loaded.graph))
            if self.info is not None:
                self.info.graph_errors = 0
            log.info("reloaded", extra={"fields": {"graph": loaded.graph.content_hash()[:12]}})
            result = reply.result if isinstance(reply.result, dict) else {}
            return {"reloaded": True, "errors": 0, **result}

    # -- stop -------------------------------------------------------------------------------

    def stop(self, reason: str = "operator") -> None:
        """Graceful shutdown (§7.4); idempotent."""
        if self.handler is not None:
            self.handler.stopping = True
        engine = self.engine
        if engine is not None and engine.running:
            with contextlib.suppress(Exception):
                engine.post(i.EngineEvent("stopping", {"reason": self.stop_reason or reason}))
            if self.kill_agents:
                self._kill_agents()
            from ojlang.runtime.store.failpoints import hit

            hit("daemon.shutdown.mid_drain")  # §6.8: agents must survive a crash right here
            grace = getattr(engine.settings, "shutdown_grace_s", 10.0)
            engine.stop(timeout=grace + 30.0)
        if self.server is not None:
            self.server.stop()
            self.server = None
        if self.info is not None and read_info(self.state_dir).get("pid") == os.getpid():
            info_path(self.state_dir).unlink(missing_ok=True)
        log.info("stopped", extra={"fields": {"reason": self.stop_reason or reason}})
        if self._log_handler is not None:
            logs.teardown(self._log_handler)
            self._log_handler = None

    def _kill_agents(self) -> None:
        """`oj daemon stop --kill-agents`: capture and kill every session and process group."""
        from ojlang.runtime.core import effects as fx

        world = self.engine.world
        adapters = self.engine.adapters
        sessions = self.state_dir / "logs" / "sessions"
        for tr in world.tasks.values():
            if tr.live and tr.session:
                with contextlib.suppress(Exception):
                    adapters.session.kill(
                        tr.session, capture_to=sessions / f"{tr.session}.final.txt"
                    )
        for effect in world.outbox.values():
            if isinstance(effect, fx.RunShell):
                with contextlib.suppress(Exception):
                    adapters.shell.kill(effect.effect_id)

    # -- the main loop ----------------------------------------------------------------------

    def wait(self) -> int:
        """Block until a stop is requested or the engine dies; the exit code."""
        next_rss = time.monotonic() + RSS_CHECK_S
        warned = False
        while not self.stop_requested.wait(1.0):
            if not self.engine.running:
                log.error("the engine stopped on an error; exiting")
                return EXIT_IO
            if time.monotonic() >= next_rss:
                next_rss = time.monotonic() + RSS_CHECK_S
                warning = memory_warning(rss_bytes())
                if warning and not warned:
                    log.warning("%s", warning)
                    warned = True
        return EXIT_OK


def install_signals(daemon: Daemon) -> None:
    def on_stop(signum: int, frame: object) -> None:
        daemon.request_stop(signal.Signals(signum).name.lower())

    def on_hup(signum: int, frame: object) -> None:
        threading.Thread(target=_reload_quietly, args=(daemon,), daemon=True).start()

    signal.signal(signal.SIGTERM, on_stop)
    signal.signal(signal.SIGINT, on_stop)
    signal.signal(signal.SIGHUP, on_hup)


def _reload_quietly(daemon: Daemon) -> None:
    try:
        daemon.reload()
    except Exception:
        log.exception("reload on SIGHUP failed")


def run(root: Path, *, salvage: bool = False, foreground: bool = False) -> int:
    """Run one daemon for `root` in this process until it is stopped; the exit code."""
    daemon = Daemon(root, salvage=salvage)
    try:
        daemon.start()
    except StartError as err:
        if err.code == EXIT_OK:
            print(err.message, flush=True)
        elif foreground:
            print(f"error: {err.message}", flush=True)
            if err.help:
                print(f"  help: {err.help}", flush=True)
        if daemon._log_handler is not None:
            logs.teardown(daemon._log_handler)
        return err.code
    install_signals(daemon)
    if foreground:
        print(f"oj daemon running (pid {os.getpid()}); Ctrl-C stops it", flush=True)
    code = daemon.wait()
    daemon.stop()
    return code
