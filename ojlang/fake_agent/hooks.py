"""Claude hooks as the fake agent runs them (RUNTIME.md §9.6): an event and its payload in,
the hook commands of `.claude/settings.json` and `.claude/settings.local.json` run with the
JSON payload on stdin, their outputs out.

As claude does: each command runs through `sh -c` in the agent's cwd with
`CLAUDE_PROJECT_DIR` set and a 60 s limit; `matcher` filters tool events by tool name (empty
or `*` = all); a Stop hook blocks with `{"decision": "block", "reason": …}` on stdout or
with exit status 2 and the reason on stderr.
"""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import attrs

SETTINGS_FILES = (".claude/settings.json", ".claude/settings.local.json")
TOOL_EVENTS = ("PreToolUse", "PostToolUse")
TIMEOUT_S = 60.0


@attrs.frozen
class HookOutput:
    command: str
    code: int
    stdout: str
    stderr: str


def load_hooks(cwd: Path) -> dict[str, list[Any]]:
    """Hook groups per event, settings files in claude's order; unreadable files are skipped."""
    hooks: dict[str, list[Any]] = {}
    for name in SETTINGS_FILES:
        try:
            settings = json.loads((cwd / name).read_text())
        except (OSError, ValueError):
            continue
        found = settings.get("hooks") if isinstance(settings, dict) else None
        for event, groups in (found or {}).items():
            if isinstance(groups, list):
                hooks.setdefault(event, []).extend(groups)
    return hooks


def commands_for(groups: list[Any], tool: str | None) -> list[str]:
    out: list[str] = []
    for group in groups:
        if not isinstance(group, dict):
            continue
        matcher = group.get("matcher") or "*"
        if tool is not None and matcher != "*" and not re.fullmatch(str(matcher), tool):
            continue
        for hook in group.get("hooks") or []:
            if isinstance(hook, dict) and hook.get("type") == "command" and hook.get("command"):
                out.append(str(hook["command"]))
    return out


def block_reason(outputs: list[HookOutput]) -> str | None:
    """The reason of the first Stop hook that blocks, else None."""
    for out in outputs:
        if out.code == 2:
            return out.stderr.strip() or "blocked by a Stop hook"
        try:
            decision = json.loads(out.stdout) if out.stdout.strip() else None
        except ValueError:
            continue
        if isinstance(decision, dict) and decision.get("decision") == "block":
            return str(decision.get("reason") or "blocked by a Stop hook")
    return None


class HookRunner:
    def __init__(
        self, cwd: Path, env: Mapping[str, str], session_id: str, transcript_path: Path
    ) -> None:
        self.cwd = cwd
        self.env = {**env, "CLAUDE_PROJECT_DIR": str(cwd)}
        self.session_id = session_id
        self.transcript_path = transcript_path

    def fire(
        self, event: str, payload: Mapping[str, Any], tool: str | None = None
    ) -> list[HookOutput]:
        groups = load_hooks(self.cwd).get(event, [])
        commands = commands_for(groups, tool if event in TOOL_EVENTS else None)
        data = {
            "session_id": self.session_id,
            "transcript_path": str(self.transcript_path),
            "cwd": str(self.cwd),
            "hook_event_name": event,
            **payload,
        }
        text = json.dumps(data)
        outputs = []
        for command in commands:
            try:
                done = subprocess.run(
                    ["sh", "-c", command],
                    input=text,
                    cwd=self.cwd,
                    env=self.env,
                    capture_output=True,
                    text=True,
                    timeout=TIMEOUT_S,
                    check=False,
                )
            except subprocess.TimeoutExpired:
                outputs.append(HookOutput(command, 124, "", "hook timed out"))
                continue
            outputs.append(HookOutput(command, done.returncode, done.stdout, done.stderr))
        return outputs
