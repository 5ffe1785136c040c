"""Engine settings (RUNTIME.md §7.6): `.oj/config.toml` `[runtime]` and `[agents]` in, the
core's `graph.Settings` and the engine's own `EngineSettings` out.

Durations are §L4.3 strings (`"2s"`); unknown keys and bad values raise `SettingsError` with
a lowercase message naming the key. Keys the core needs (`max_sessions`, `idle_grace`,
`hook_silence`, `echo_window`, `linger`, `max_phase_visits`, `keep_worktrees`, `stop_gate`,
`auto_trust`) go into `graph.Settings`; the rest (`adapter_threads`, `max_shells`,
`poll_interval`, `activity_coalesce`, `shutdown_grace`, `maintenance_interval`,
`env_passthrough`, `safe`) stay with the engine. The `env` scope is the allow-listed daemon
environment (§8.2), so no secret reaches the op log unless it is passed through. The core
settings also carry the default context template of agent tasks (§9.2).
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import attrs

from ojlang.runtime.core import graph

CONTEXT_TEMPLATE = "templates/context.md.j2"


class SettingsError(Exception):
    """`.oj/config.toml` has a runtime key the engine cannot use."""


@attrs.frozen
class EngineSettings:
    adapter_threads: int = 8
    max_shells: int = 16
    poll_interval_s: float = 2.0
    activity_coalesce_s: float = 15.0
    hook_silence_s: float = 60.0
    shutdown_grace_s: float = 10.0
    maintenance_interval_s: float = 10.0
    probe_confirm_s: float = 0.5
    batch_max: int = 256
    batch_window_s: float = 0.002
    idle_wait_s: float = 0.25
    env_passthrough: tuple[str, ...] = ()
    safe: bool = False


RUNTIME_CORE = {
    "max_sessions": ("max_sessions", "int"),
    "idle_grace": ("idle_grace_us", "us"),
    "hook_silence": ("hook_silence_us", "us"),
    "echo_window": ("echo_window_us", "us"),
    "linger": ("linger_us", "us"),
    "startup_timeout": ("startup_timeout_us", "us"),
    "max_phase_visits": ("max_phase_visits", "int"),
    "keep_worktrees": ("keep_worktrees", "bool"),
}
RUNTIME_ENGINE = {
    "adapter_threads": ("adapter_threads", "int"),
    "max_shells": ("max_shells", "int"),
    "poll_interval": ("poll_interval_s", "s"),
    "activity_coalesce": ("activity_coalesce_s", "s"),
    "hook_silence": ("hook_silence_s", "s"),
    "shutdown_grace": ("shutdown_grace_s", "s"),
    "maintenance_interval": ("maintenance_interval_s", "s"),
}
IGNORED = {"max_active_runs", "log_level"}  # read by the daemon (issue 7)
AGENTS_CORE = {"stop_gate": ("stop_gate", "bool"), "auto_trust": ("auto_trust", "bool")}
AGENTS_ENGINE = {"safe": ("safe", "bool"), "env_passthrough": ("env_passthrough", "list")}


def _value(table: str, key: str, raw: Any, kind: str) -> Any:
    where = f"`{table}.{key}` in `.oj/config.toml`"
    if kind == "int":
        if isinstance(raw, bool) or not isinstance(raw, int) or raw < 1:
            raise SettingsError(f"{where} must be an integer ≥ 1")
        return raw
    if kind == "bool":
        if not isinstance(raw, bool):
            raise SettingsError(f"{where} must be `true` or `false`")
        return raw
    if kind == "list":
        if not isinstance(raw, list) or not all(isinstance(v, str) for v in raw):
            raise SettingsError(f"{where} must be a list of strings")
        return tuple(raw)
    if not isinstance(raw, str):
        raise SettingsError(f'{where} must be a duration string such as `"2s"`')
    from ojlang.parser.durations import parse_duration
    from ojlang.parser.mini import MiniSyntaxError

    try:
        ms = parse_duration(raw, allow_zero=True).ms
    except MiniSyntaxError as exc:
        raise SettingsError(f"{where}: {exc.message}") from None
    return ms * 1000 if kind == "us" else ms / 1000


def _apply(
    table: str,
    section: Mapping[str, Any],
    core: dict[str, Any],
    engine: dict[str, Any],
    maps: tuple[dict[str, tuple[str, str]], dict[str, tuple[str, str]]],
) -> None:
    core_map, engine_map = maps
    for key, raw in section.items():
        if key in IGNORED:
            continue
        known = False
        if key in core_map:
            field, kind = core_map[key]
            core[field] = _value(table, key, raw, kind)
            known = True
        if key in engine_map:
            field, kind = engine_map[key]
            engine[field] = _value(table, key, raw, kind)
            known = True
        if not known:
            names = ", ".join(f"`{k}`" for k in sorted({*core_map, *engine_map}))
            raise SettingsError(
                f"unknown key `{table}.{key}` in `.oj/config.toml` (known: {names})"
            )


def read_config(root: Path) -> dict[str, Any]:
    path = root / ".oj" / "config.toml"
    if not path.is_file():
        return {}
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise SettingsError(f"cannot read `.oj/config.toml`: {exc}") from None


def load_settings(
    root: Path, env: Mapping[str, str] | None = None
) -> tuple[graph.Settings, EngineSettings]:
    """The core and engine settings of the project at `root`."""
    data = read_config(root)
    core: dict[str, Any] = {}
    engine: dict[str, Any] = {}
    for table, maps in (
        ("runtime", (RUNTIME_CORE, RUNTIME_ENGINE)),
        ("agents", (AGENTS_CORE, AGENTS_ENGINE)),
    ):
        section = data.get(table, {})
        if not isinstance(section, dict):
            raise SettingsError(f"`[{table}]` in `.oj/config.toml` must be a table")
        _apply(table, section, core, engine, maps)
    from ojlang.runtime.adapters.environment import sanitized_env

    passthrough = engine.get("env_passthrough", ())
    source = sanitized_env(os.environ if env is None else env, passthrough, term=False)
    context = default_context_template()
    settings = graph.Settings(project_root=str(root), env=source, context_template=context, **core)
    return settings, EngineSettings(**engine)


def default_context_template() -> str | None:
    """The bundled `templates/context.md.j2` (RUNTIME.md §9.2): the standard library's, else
    the one beside the package (also when `OJ_STDLIB_DIR` disables the stdlib runbooks)."""
    from ojlang.project import bundled_stdlib_dir, stdlib_dir

    for base in (stdlib_dir(), bundled_stdlib_dir()):
        path = base / CONTEXT_TEMPLATE
        try:
            return path.read_text(encoding="utf-8")
        except OSError:
            continue
    return None
