"""Workspace files (RUNTIME.md §9.2, §9.3): `FileSpec`s in, files in a workspace out — the
context file's `oj:begin`/`oj:end` block and `.claude/settings.local.json` with the `oj hook`
entries; the merging itself is pure and shared with the fake.

Behaviour choices:

- Marker block: an existing file keeps its text; the block between the `<!-- oj:begin -->`
  and `<!-- oj:end -->` lines is replaced, or appended after a blank line when absent (a begin
  without an end runs to the end of the file). A missing file becomes just the block.
- Hook settings: the existing file's keys are kept, the incoming top-level keys win, `hooks`
  lose every earlier `oj hook …` command (groups left empty are dropped) and gain the
  incoming groups (identical groups once), `permissions.allow` is a union. A file that is not
  a JSON object is moved to `settings.local.json.bak` first.
- Paths are relative and stay inside the workspace (`InvalidArgument`); writes are tmp +
  rename with the spec's mode; `skip_worktree` calls `hide` (the RepoAdapter's `hide_file`).
"""

from __future__ import annotations

import copy
import json
import re
import shlex
from collections.abc import Callable, Sequence
from pathlib import Path, PurePosixPath
from typing import Any

from ojlang.runtime.adapters.errors import InvalidArgument
from ojlang.runtime.adapters.interfaces import FileSpec

BEGIN = "<!-- oj:begin -->"
END = "<!-- oj:end -->"
SETTINGS_PATH = ".claude/settings.local.json"
HOOK_EVENTS = (
    ("SessionStart", None, "prime"),
    ("UserPromptSubmit", None, "activity"),
    ("PostToolUse", "*", "activity"),
    ("Notification", None, "notify"),
    ("Stop", None, "stop"),
)
OJ_HOOK_RE = re.compile(r"(^|[/\s'\"])oj'?\s+hook\s+(prime|activity|notify|stop)\b")
PERMISSION = "Bash(oj:*)"


def merge_marker_block(existing: str | None, block: str) -> str:
    """`existing` with the oj block set to `block` (see the module docstring)."""
    body = f"{BEGIN}\n{block.rstrip()}\n{END}\n" if block.strip() else f"{BEGIN}\n{END}\n"
    if not existing:
        return body
    lines = existing.splitlines(keepends=True)
    stripped = [line.strip() for line in lines]
    if BEGIN not in stripped:
        return existing.rstrip("\n") + "\n\n" + body
    start = stripped.index(BEGIN)
    end = stripped.index(END, start) if END in stripped[start:] else len(lines) - 1
    return "".join(lines[:start]) + body + "".join(lines[end + 1 :])


def hook_settings(oj_executable: str) -> dict[str, Any]:
    """The settings of §9.2 with hook commands calling `oj_executable`."""
    oj = shlex.quote(oj_executable)
    hooks: dict[str, Any] = {}
    for event, matcher, verb in HOOK_EVENTS:
        group: dict[str, Any] = {"hooks": [{"type": "command", "command": f"{oj} hook {verb}"}]}
        if matcher is not None:
            group = {"matcher": matcher, **group}
        hooks[event] = [group]
    return {"hooks": hooks, "permissions": {"allow": [PERMISSION]}}


def is_oj_hook(command: object) -> bool:
    return isinstance(command, str) and OJ_HOOK_RE.search(command) is not None


def _is_oj_entry(hook: object) -> bool:
    return isinstance(hook, dict) and is_oj_hook(hook.get("command"))


def _without_oj(groups: object) -> list[Any]:
    if not isinstance(groups, list):
        return []
    kept: list[Any] = []
    for group in groups:
        if isinstance(group, dict) and isinstance(group.get("hooks"), list):
            inner = [
                h
                for h in group["hooks"]
                if not (isinstance(h, dict) and is_oj_hook(h.get("command")))
            ]
            if not inner:
                continue
            group = {**group, "hooks": inner}
        kept.append(group)
    return kept


def merge_settings(existing: dict[str, Any], incoming: dict[str, Any]) -> dict[str, Any]:
    """`existing` settings merged with `incoming` (see the module docstring)."""
    result = copy.deepcopy(existing)
    for key, value in incoming.items():
        if key not in ("hooks", "permissions"):
            result[key] = copy.deepcopy(value)
    found = result.get("hooks")
    old_hooks: dict[str, Any] = found if isinstance(found, dict) else {}
    hooks: dict[str, Any] = {event: _without_oj(groups) for event, groups in old_hooks.items()}
    for event, groups in (incoming.get("hooks") or {}).items():
        target = hooks.setdefault(event, [])
        for group in groups:
            if group not in target:
                target.append(copy.deepcopy(group))
    result["hooks"] = {event: groups for event, groups in hooks.items() if groups}
    permissions = result.get("permissions")
    permissions = dict(permissions) if isinstance(permissions, dict) else {}
    for key, value in (incoming.get("permissions") or {}).items():
        if isinstance(value, list) and isinstance(permissions.get(key), list):
            permissions[key] = permissions[key] + [v for v in value if v not in permissions[key]]
        else:
            permissions[key] = copy.deepcopy(value)
    if permissions:
        result["permissions"] = permissions
    return result


def load_settings(text: str | None) -> dict[str, Any] | None:
    """The JSON object in `text`; {} for no text; None when it is not a JSON object."""
    if text is None or not text.strip():
        return {}
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def dump_settings(settings: dict[str, Any]) -> str:
    return json.dumps(settings, indent=2, ensure_ascii=False) + "\n"


def check_relpath(path: str) -> PurePosixPath:
    pure = PurePosixPath(path)
    if not path or pure.is_absolute() or ".." in pure.parts or "\\" in path:
        raise InvalidArgument(f"workspace file `{path}` must be a relative path inside it")
    return pure


def render(spec: FileSpec, existing: str | None) -> tuple[str, str | None]:
    """(new content, backup content or None) of one file given what is there now."""
    if spec.marker_block:
        return merge_marker_block(existing, spec.content), None
    if spec.hook_settings:
        incoming = load_settings(spec.content) or {}
        current = load_settings(existing)
        if current is None:
            return dump_settings(merge_settings({}, incoming)), existing
        return dump_settings(merge_settings(current, incoming)), None
    return spec.content, None


def _write(path: Path, content: str, mode: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".oj-tmp")
    tmp.write_text(content)
    tmp.chmod(mode)
    tmp.replace(path)


def write_files(
    root: Path, files: Sequence[FileSpec], hide: Callable[[Path, str], None] | None = None
) -> None:
    """Write `files` under `root`; `hide(root, relpath)` for `skip_worktree` files."""
    for spec in files:
        rel = check_relpath(spec.path)
        path = root / rel
        existing = path.read_text() if path.is_file() else None
        content, backup = render(spec, existing)
        if backup is not None:
            _write(path.with_name(path.name + ".bak"), backup, spec.mode)
        if content != existing:
            _write(path, content, spec.mode)
        if spec.skip_worktree and hide is not None:
            hide(root, str(rel))
