"""NotifyAdapter contract (RUNTIME.md §8.5, §8.6): the same tests against the fake and the real
adapter, which runs a stub `notify-send` from a temp PATH and POSTs to a loopback server."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any, Protocol

import pytest

from ojlang.runtime.adapters.errors import InvalidArgument, NotifyFailed
from ojlang.runtime.adapters.fake_notify import FakeNotifyAdapter
from ojlang.runtime.adapters.interfaces import Notification, NotifyAdapter
from ojlang.runtime.adapters.notify import DesktopNotifyAdapter

STUB = """#!/bin/sh
python3 -c 'import json, sys; print(json.dumps(sys.argv[1:]))' "$@" >> "$(dirname "$0")/calls"
"""


class Harness(Protocol):
    adapter: NotifyAdapter
    url: str
    terminal: list[str]

    def desktop_calls(self) -> list[list[str]]: ...
    def posts(self) -> list[tuple[dict[str, Any], dict[str, str]]]: ...
    def fail_posts(self, n: int) -> None: ...


class Server:
    def __init__(self) -> None:
        self.requests: list[tuple[dict[str, Any], dict[str, str]]] = []
        self.failures = 0
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                outer.requests.append((json.loads(body), dict(self.headers)))
                status = 500 if outer.failures else 204
                outer.failures = max(outer.failures - 1, 0)
                self.send_response(status)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.02,), daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


class RealHarness:
    def __init__(self, directory: Path, server: Server, desktop: bool) -> None:
        self.bin = directory / "bin"
        self.bin.mkdir()
        if desktop:
            stub = self.bin / "notify-send"
            stub.write_text(STUB)
            stub.chmod(0o755)
        self.server = server
        self.url = server.url
        self.terminal: list[str] = []
        env = {"PATH": f"{self.bin}:/usr/bin:/bin", "DISPLAY": ":0"}
        self.adapter: NotifyAdapter = DesktopNotifyAdapter(
            env=env,
            platform="linux",
            terminal=self.terminal.append,
            bell=lambda: None,
            sleep=lambda s: None,
        )

    def desktop_calls(self) -> list[list[str]]:
        calls = self.bin / "calls"
        lines = calls.read_text().splitlines() if calls.exists() else []
        return [["notify-send", *json.loads(line)] for line in lines]

    def posts(self) -> list[tuple[dict[str, Any], dict[str, str]]]:
        return self.server.requests

    def fail_posts(self, n: int) -> None:
        self.server.failures = n


class FakeHarness:
    def __init__(self, server: Server, desktop: bool) -> None:
        self.fake = FakeNotifyAdapter(desktop_available=desktop)
        self.adapter: NotifyAdapter = self.fake
        self.url = server.url
        self.terminal = self.fake.terminal_lines

    def desktop_calls(self) -> list[list[str]]:
        return self.fake.commands

    def posts(self) -> list[tuple[dict[str, Any], dict[str, str]]]:
        return [(json.loads(p.body), p.headers) for p in self.fake.posts]

    def fail_posts(self, n: int) -> None:
        self.fake.webhook_failures(n)


@pytest.fixture
def server() -> Iterator[Server]:
    srv = Server()
    yield srv
    srv.close()


def _harness(kind: str, desktop: bool, tmp_path: Path, server: Server) -> Harness:
    return (
        RealHarness(tmp_path, server, desktop) if kind == "real" else FakeHarness(server, desktop)
    )


@pytest.fixture(params=["fake", "real"])
def h(request: pytest.FixtureRequest, tmp_path: Path, server: Server) -> Harness:
    return _harness(request.param, True, tmp_path, server)


@pytest.fixture(params=["fake", "real"])
def headless(request: pytest.FixtureRequest, tmp_path: Path, server: Server) -> Harness:
    return _harness(request.param, False, tmp_path, server)


def note(**changes: Any) -> Notification:
    base: dict[str, Any] = {
        "title": "build-auth: complete",
        "message": 'it "works"',
        "urgency": "critical",
        "event": "pipeline:complete",
        "subject": "auth",
        "project": "demo",
        "time_us": 1_767_225_600_000_000,
        "effect_id": "12.3",
        "channels": ("desktop",),
    }
    base.update(changes)
    return Notification(**base)


def test_desktop_notifications_use_notify_send(h: Harness) -> None:
    h.adapter.notify(note(urgency="info"))
    assert h.desktop_calls() == [
        ["notify-send", "-u", "low", "-a", "oj", "build-auth: complete", 'it "works"']
    ]
    assert h.posts() == [] and h.terminal == []


def test_without_a_desktop_the_terminal_gets_a_line(headless: Harness) -> None:
    headless.adapter.notify(note())
    assert headless.desktop_calls() == []
    assert headless.terminal == ['notify [critical] build-auth: complete: it "works"']


def test_webhooks_post_json_with_an_idempotency_key(h: Harness) -> None:
    h.adapter.notify(note(channels=("webhook",), webhook=h.url))
    [(body, headers)] = h.posts()
    assert body == {
        "event": "pipeline:complete",
        "subject": "auth",
        "title": "build-auth: complete",
        "message": 'it "works"',
        "urgency": "critical",
        "project": "demo",
        "time": "2026-01-01T00:00:00Z",
    }
    assert headers["Idempotency-Key"] == "12.3"
    assert headers["Content-Type"] == "application/json"


def test_webhooks_retry_three_times(h: Harness) -> None:
    h.fail_posts(3)
    h.adapter.notify(note(channels=("webhook",), webhook=h.url))
    assert len(h.posts()) == 4
    assert {headers["Idempotency-Key"] for _, headers in h.posts()} == {"12.3"}


def test_webhooks_fail_after_the_retries(h: Harness) -> None:
    h.fail_posts(4)
    with pytest.raises(NotifyFailed) as info:
        h.adapter.notify(note(channels=("webhook",), webhook=h.url))
    assert "status 500" in info.value.message and len(h.posts()) == 4


def test_an_empty_webhook_is_skipped_and_bad_ones_refused(h: Harness) -> None:
    h.adapter.notify(note(channels=("webhook",), webhook=""))
    assert h.posts() == []
    with pytest.raises(InvalidArgument):
        h.adapter.notify(note(channels=("webhook",), webhook="file:///etc/passwd"))
    with pytest.raises(InvalidArgument):
        h.adapter.notify(note(channels=("pager",)))


def test_a_failing_channel_does_not_stop_the_others(h: Harness) -> None:
    h.fail_posts(4)
    with pytest.raises(NotifyFailed):
        h.adapter.notify(note(channels=("webhook", "desktop"), webhook=h.url))
    assert len(h.desktop_calls()) == 1
