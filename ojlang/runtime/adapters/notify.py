"""Notification adapter (RUNTIME.md §8.5): a `Notification` in, a desktop notification and/or a
webhook POST out; failures as `NotifyFailed` / `NotifyUnavailable`.

Behaviour choices:

- `desktop`: `notify-send -u URGENCY -a oj TITLE MESSAGE` when `notify-send` is on `PATH` and a
  display or session bus is present (`DISPLAY`, `WAYLAND_DISPLAY` or
  `DBUS_SESSION_BUS_ADDRESS`); on macOS `osascript -e 'display notification …'` with `\\` and
  `"` escaped (`critical` or `sound` adds `sound name "default"`); otherwise the terminal
  fallback: the `terminal` callback gets one line (the daemon logs it and shows it to
  `oj status --watch` clients) and a BEL is written to the controlling terminal when there is
  one. Without a fallback and without a desktop notifier the channel raises
  `NotifyUnavailable`.
- `webhook`: a POST of the JSON of §L3.15 (`event`, `subject`, `title`, `message`, `urgency`,
  `project`, `time`) with `Idempotency-Key: <effect_id>`, a 5 s timeout and 3 retries after
  1, 4 and 16 s (`sleep` is injectable); an empty URL disables the channel; only `http` and
  `https` URLs are accepted. Every other status than 2xx is a failure.
- Urgency words `info` and `warning` map to `low` and `normal`. Commands get an argv list,
  never a command line. Channels are tried in order; the first failure is raised after all
  channels were tried.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from typing import Any

from ojlang.runtime.adapters.errors import (
    AdapterError,
    InvalidArgument,
    NotifyFailed,
    NotifyUnavailable,
)
from ojlang.runtime.adapters.interfaces import Notification

RETRY_DELAYS_S = (1.0, 4.0, 16.0)
TIMEOUT_S = 5.0
URGENCY = {"info": "low", "warning": "normal", "low": "low", "normal": "normal"}
URGENCY["critical"] = "critical"
DISPLAY_VARS = ("DISPLAY", "WAYLAND_DISPLAY", "DBUS_SESSION_BUS_ADDRESS")


def urgency(word: str) -> str:
    return URGENCY.get(word, "normal")


def applescript_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def osascript_source(n: Notification) -> str:
    script = f"display notification {applescript_string(n.message)}"
    script += f" with title {applescript_string(n.title)}"
    if n.sound or urgency(n.urgency) == "critical":
        script += ' sound name "default"'
    return script


def webhook_body(n: Notification) -> dict[str, Any]:
    when = dt.datetime.fromtimestamp(n.time_us / 1_000_000, dt.UTC) if n.time_us else None
    return {
        "event": n.event,
        "subject": n.subject,
        "title": n.title,
        "message": n.message,
        "urgency": urgency(n.urgency),
        "project": n.project,
        "time": when.isoformat().replace("+00:00", "Z") if when else None,
    }


def terminal_line(n: Notification) -> str:
    return f"notify [{urgency(n.urgency)}] {n.title}: {n.message}"


def _bell() -> None:
    try:
        with open("/dev/tty", "w") as tty:
            tty.write("\a")
    except OSError:
        pass


class DesktopNotifyAdapter:
    """NotifyAdapter over notify-send / osascript / the terminal, and urllib for webhooks."""

    def __init__(
        self,
        *,
        env: Mapping[str, str] | None = None,
        platform: str = sys.platform,
        terminal: Callable[[str], None] | None = None,
        bell: Callable[[], None] = _bell,
        sleep: Callable[[float], None] = time.sleep,
        timeout_s: float = TIMEOUT_S,
    ) -> None:
        self.env = dict(os.environ if env is None else env)
        self.platform = platform
        self.terminal = terminal
        self.bell = bell
        self.sleep = sleep
        self.timeout_s = timeout_s

    def notify(self, n: Notification) -> None:
        first: AdapterError | None = None
        for channel in n.channels:
            try:
                if channel == "desktop":
                    self._desktop(n)
                elif channel == "webhook":
                    if n.webhook:
                        self._webhook(n)
                else:
                    raise InvalidArgument(f"unknown notification channel `{channel}`")
            except AdapterError as exc:
                first = first or exc
        if first is not None:
            raise first

    # -- desktop ----------------------------------------------------------------------------

    def _which(self, program: str) -> str | None:
        return shutil.which(program, path=self.env.get("PATH", ""))

    def desktop_argv(self, n: Notification) -> list[str] | None:
        """The command that shows `n` on this machine, or None for the terminal fallback."""
        if self.platform == "darwin":
            osascript = self._which("osascript")
            return [osascript, "-e", osascript_source(n)] if osascript else None
        notify_send = self._which("notify-send")
        if notify_send and any(self.env.get(name) for name in DISPLAY_VARS):
            return [notify_send, "-u", urgency(n.urgency), "-a", "oj", n.title, n.message]
        return None

    def _desktop(self, n: Notification) -> None:
        argv = self.desktop_argv(n)
        if argv is None:
            if self.terminal is None:
                raise NotifyUnavailable("no desktop notifier and no terminal to fall back to")
            self.bell()
            self.terminal(terminal_line(n))
            return
        code, stderr = self._execute(argv)
        if code != 0:
            message = stderr.strip() or f"exit {code}"
            raise NotifyFailed(f"`{os.path.basename(argv[0])}` failed: {message}")

    def _execute(self, argv: list[str]) -> tuple[int, str]:
        """Run a notifier command: (exit status, stderr). The fake records instead."""
        try:
            proc = subprocess.run(
                argv, env=self.env, capture_output=True, text=True, timeout=10, check=False
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            return 1, str(exc)
        return proc.returncode, proc.stderr

    # -- webhook ----------------------------------------------------------------------------

    def _webhook(self, n: Notification) -> None:
        if not n.webhook.startswith(("http://", "https://")):
            raise InvalidArgument(f"webhook `{n.webhook}` is not an http(s) URL")
        body = json.dumps(webhook_body(n)).encode()
        headers = {"Content-Type": "application/json", "User-Agent": "oj"}
        if n.effect_id:
            headers["Idempotency-Key"] = n.effect_id
        error: str | None = ""
        for attempt in range(len(RETRY_DELAYS_S) + 1):
            if attempt:
                self.sleep(RETRY_DELAYS_S[attempt - 1])
            error = self._post(n.webhook, body, headers)
            if error is None:
                return
        raise NotifyFailed(f"webhook failed after {len(RETRY_DELAYS_S) + 1} tries: {error}")

    def _post(self, url: str, body: bytes, headers: dict[str, str]) -> str | None:
        """One POST: None on a 2xx answer, else what went wrong. The fake records instead."""
        import urllib.error  # here, not at the top: urllib.request costs a daemon start ssl,
        import urllib.request  # http and email, and most projects have no webhook

        request = urllib.request.Request(url, body, headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout_s) as response:
                status = int(response.status)
        except urllib.error.HTTPError as exc:
            return f"status {exc.code}"
        except (urllib.error.URLError, OSError) as exc:
            return str(getattr(exc, "reason", exc))
        return None if 200 <= status < 300 else f"status {status}"
