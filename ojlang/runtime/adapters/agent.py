"""Agent adapter (RUNTIME.md §9.1, §9.2, §9.5): an agent command, prompt and screen text in;
its profile, argv, workspace files, recognised screens and answer keys out.

Behaviour choices:

- Profiles by program name: `claude` (hooks; not interactive with `-p`/`--print`),
  `oj-fake-agent` (`fake`, same as claude), anything else `generic` (no hooks).
- `build_argv` splits the command with `shlex` and appends the prompt as one argument; a prompt
  above 100 KiB goes to `.oj/run/prompts/<task run>.md` and the argument becomes
  "Read and follow the task in PATH".
- `files`: the context file as a marker block (hidden from git) and, for hook profiles,
  `.claude/settings.local.json` with the `oj hook` entries on top of the primary checkout's
  untracked copy (settings sync).
- `read_screen` looks at the last 25 lines only (an old error scrolled away does not count).
  `error` uses the core's words (`auth`, `credits`, `rate_limit`, `network`); a request
  timeout or a malformed API response is `network` with `detail` `timeout` / `malformed`.
  Prompts: `trust`, `bypass`, `login`, `plan`, `permission`, `question`.
- `keys_for`: `approve` and `trust` press `Enter` (the first option is the yes), `deny`
  presses `Escape`.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Sequence
from pathlib import Path

from ojlang.runtime.adapters.errors import InvalidArgument
from ojlang.runtime.adapters.interfaces import (
    AgentProfile,
    FileSpec,
    RepoAdapter,
    Screen,
    TaskSpec,
)
from ojlang.runtime.adapters.workspace_files import (
    SETTINGS_PATH,
    dump_settings,
    hook_settings,
    load_settings,
    merge_settings,
    write_files,
)

PROMPT_LIMIT = 100 * 1024
SCREEN_LINES = 25
HOOK_PROGRAMS = {"claude": "claude", "oj-fake-agent": "fake"}
KEYS = {"approve": ["Enter"], "trust": ["Enter"], "deny": ["Escape"]}

PROMPTS = (
    ("trust", re.compile(r"Do you trust the files in this folder", re.I)),
    ("bypass", re.compile(r"Bypass Permissions mode", re.I)),
    ("login", re.compile(r"Select login method", re.I)),
    ("plan", re.compile(r"Would you like to proceed\?|Ready to code\?", re.I)),
    ("permission", re.compile(r"Do you want to (proceed|make this edit|create|allow)", re.I)),
    ("question", re.compile(r"Enter to select", re.I)),
)
ERRORS = (
    ("credits", None, re.compile(r"Credit balance is too low", re.I)),
    ("auth", None, re.compile(r"API Error: 401|authentication_error|Invalid API key", re.I)),
    ("rate_limit", None, re.compile(r"API Error: 429|rate_limit_error|usage limit reached", re.I)),
    ("network", "timeout", re.compile(r"Request timed out|ETIMEDOUT", re.I)),
    ("network", "malformed", re.compile(r"API Error: .*(JSON|Unexpected token)", re.I)),
    ("network", None, re.compile(r"Connection error|Unable to connect to API|ECONNREFUSED", re.I)),
)
RETRY_RE = re.compile(
    r"(?:retrying in|retry after|retry-after:?)\s*(\d+(?:\.\d+)?)\s*"
    r"(s|sec|seconds?|m|min|minutes?)?",
    re.I,
)
READY_RE = re.compile(r"^\s*(?:│\s*)?[>❯](?:\s|$)|\? for shortcuts")


def profile_of(argv: Sequence[str]) -> AgentProfile:
    program = Path(argv[0]).name if argv else ""
    kind = HOOK_PROGRAMS.get(program)
    if kind == "claude":
        return AgentProfile("claude", True, not any(a in ("-p", "--print") for a in argv))
    if kind == "fake":
        return AgentProfile("fake", True, True)
    return AgentProfile("generic", False, True)


def _retry_after(text: str) -> float | None:
    found = RETRY_RE.search(text)
    if found is None:
        return None
    value = float(found[1])
    return value * 60 if (found[2] or "s").lower().startswith("m") else value


def read_screen(text: str) -> Screen:
    """The recognised state of the tail of a pane."""
    lines = [line for line in text.splitlines() if line.strip()][-SCREEN_LINES:]
    tail = "\n".join(lines)
    prompt = next((name for name, rx in PROMPTS if rx.search(tail)), None)
    error = detail = None
    for kind, specific, rx in ERRORS:
        if rx.search(tail):
            error, detail = kind, specific
            break
    retry = _retry_after(tail) if error == "rate_limit" else None
    ready = bool(lines) and READY_RE.search(lines[-1]) is not None and prompt is None
    return Screen(ready, prompt, error, retry, detail)


def keys_for(answer: str) -> list[str]:
    if answer not in KEYS:
        raise InvalidArgument(f"unknown answer `{answer}`: use approve, deny or trust")
    return list(KEYS[answer])


def settings_for(spec: TaskSpec) -> dict[str, object]:
    """The primary checkout's untracked settings (if any) with the oj hooks merged in."""
    base: dict[str, object] = {}
    if spec.primary_root is not None:
        primary = spec.primary_root / SETTINGS_PATH
        loaded = load_settings(primary.read_text()) if primary.is_file() else {}
        base = loaded or {}
    return merge_settings(base, hook_settings(spec.oj_executable))


def files_for(spec: TaskSpec, context: str) -> list[FileSpec]:
    out = [FileSpec(spec.context_file, context, marker_block=True, skip_worktree=True)]
    if spec.profile.hooks:
        settings = dump_settings(settings_for(spec))
        out.append(FileSpec(SETTINGS_PATH, settings, hook_settings=True, skip_worktree=True))
    return out


class ClaudeAgentAdapter:
    """AgentAdapter for claude-like agents (see the module docstring); files go to disk."""

    def __init__(self, state_dir: Path, *, repo: RepoAdapter | None = None) -> None:
        self.prompts_dir = state_dir / "run" / "prompts"
        self.repo = repo

    def profile(self, argv: Sequence[str]) -> AgentProfile:
        return profile_of(argv)

    def build_argv(self, command: str, prompt: str, *, task_run: str = "") -> list[str]:
        try:
            argv = shlex.split(command)
        except ValueError as exc:
            raise InvalidArgument(f"cannot split agent command: {exc}") from exc
        if not argv:
            raise InvalidArgument("empty agent command")
        if not prompt:
            return argv
        if len(prompt.encode("utf-8")) <= PROMPT_LIMIT:
            return [*argv, prompt]
        name = re.sub(r"[^A-Za-z0-9._-]", "-", task_run or "prompt")
        path = self.prompts_dir / f"{name}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(prompt)
        return [*argv, f"Read and follow the task in {path}"]

    def files(self, spec: TaskSpec, context: str) -> list[FileSpec]:
        return files_for(spec, context)

    def write_files(self, root: Path, files: Sequence[FileSpec]) -> None:
        write_files(root, files, self.repo.hide_file if self.repo is not None else None)

    def read_screen(self, text: str) -> Screen:
        return read_screen(text)

    def keys_for(self, answer: str) -> list[str]:
        return keys_for(answer)
