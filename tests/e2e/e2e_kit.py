"""Helpers of the end-to-end suite: a git project in a temp directory, the real `oj` and
`oj-fake-agent` of this checkout, a private tmux server killed after every test."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import attrs
import pytest

needs_tools = pytest.mark.skipif(
    shutil.which("tmux") is None or shutil.which("git") is None,
    reason="tmux and git are needed for the end-to-end suite",
)
BIN = Path(sys.executable).parent
OJ = BIN / "oj"
FAST_CONFIG = """\
[runtime]
poll_interval = "500ms"
linger = "1s"
idle_grace = "2s"
activity_coalesce = "1s"

[agents]
stop_gate = false
"""


def run_git(root: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", *args], cwd=root, capture_output=True, text=True, timeout=30, check=True
    )
    return done.stdout.strip()


@attrs.define
class Project:
    root: Path
    env: dict[str, str]

    def write(self, relpath: str, text: str) -> Path:
        path = self.root / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        return path

    def runbook(self, name: str, text: str) -> Path:
        return self.write(f"runbooks/{name}.toml", text)

    def scenario(self, name: str, text: str) -> Path:
        return self.write(f"scenarios/{name}.toml", text)

    def git(self, *args: str) -> str:
        return run_git(self.root, *args)

    def oj(self, *args: str, timeout: float = 90) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(OJ), *args],
            cwd=self.root,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            stdin=subprocess.DEVNULL,
        )

    @property
    def state_dir(self) -> Path:
        return self.root / ".oj"

    def tmux_socket(self) -> Path:
        from ojlang.runtime.daemon.protocol import tmux_socket_path

        return tmux_socket_path(self.state_dir)

    def events(self) -> list[tuple[int, str, str, dict[str, Any]]]:
        """(seq, name, subject, payload) of every stored event, in order (read-only)."""
        import json

        from ojlang.runtime.store.sqlite import open_store

        store = open_store(self.state_dir / "state.db", readonly=True, create=False)
        try:
            rows = store.events_since(0, limit=100_000)
        finally:
            store.close()
        out = []
        for row in rows:
            _id, seq, _ts, name, subject, payload = row[:6]
            out.append((seq, name, subject, json.loads(payload)))
        return out

    def cleanup(self) -> None:
        """Stop a daemon that a command auto-started, then the private tmux server."""
        import json
        import signal

        info = self.state_dir / "run" / "daemon.json"
        if info.exists():
            self.oj("daemon", "stop", "--timeout", "10s", timeout=30)
            try:
                pid = int(json.loads(info.read_text())["pid"])
            except (OSError, ValueError, KeyError):
                pid = 0
            if pid and pid != os.getpid():
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGTERM)
        sock = self.tmux_socket()
        if shutil.which("tmux") and sock.exists():
            subprocess.run(
                ["tmux", "-S", str(sock), "kill-server"], capture_output=True, timeout=10
            )
        if sock.exists():
            sock.unlink()


def make_project(tmp: Path) -> Project:
    root = tmp / "proj"
    root.mkdir()
    home = tmp / "home"
    home.mkdir()
    env = {
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '/usr/bin:/bin')}",
        "HOME": str(home),
        "LANG": os.environ.get("LANG", "C.UTF-8"),
        "OJ_STDLIB_DIR": "",
        "OJ_MACHINE_ID": "e2e",
        "XDG_STATE_HOME": str(home / "state"),
        "XDG_CONFIG_HOME": str(home / "config"),
        "GIT_AUTHOR_NAME": "oj test",
        "GIT_AUTHOR_EMAIL": "oj@example.invalid",
        "GIT_COMMITTER_NAME": "oj test",
        "GIT_COMMITTER_EMAIL": "oj@example.invalid",
        "GIT_CONFIG_GLOBAL": str(home / "gitconfig"),
        "GIT_CONFIG_NOSYSTEM": "1",
    }
    (home / "gitconfig").write_text(
        "[user]\n\tname = oj test\n\temail = oj@example.invalid\n[init]\n\tdefaultBranch = main\n"
    )
    project = Project(root, env)
    project.write(".oj/config.toml", FAST_CONFIG)
    project.write("README.md", "hello\n")
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=root, env=env, check=True, timeout=30)
    for key, value in (("user.name", "oj test"), ("user.email", "oj@example.invalid")):
        # agent sessions get an allow-listed environment: identity must live in the repo
        subprocess.run(["git", "config", key, value], cwd=root, env=env, check=True, timeout=30)
    subprocess.run(["git", "add", "README.md"], cwd=root, env=env, check=True, timeout=30)
    subprocess.run(["git", "commit", "-qm", "initial"], cwd=root, env=env, check=True, timeout=30)
    return project


def agent(scenario: Path) -> str:
    """The task `command` that runs the fake agent with `scenario`."""
    return f"oj-fake-agent --scenario {scenario}"
