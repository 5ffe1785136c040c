"""The façade: what the CLI and the LSP call. Paths and options in, reports out.

`check(paths, cwd=…, options=…)` finds the project (LANGUAGE.md §1.1), decides which runbooks
to report (§8: the project's own, all with `options.all`, or the named files/directories),
loads them and returns a `CheckReport`. Bad requests raise `UsageError`.
"""

from __future__ import annotations

import contextlib
import gc
import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from ojlang.errors import UsageError
from ojlang.loader import Loaded, load_file
from ojlang.project import Origin, RunbookFile, discover, display_path, find_root, toml_files
from ojlang.validator.checker import CheckOptions, CheckReport, check_loaded

CONFIG_KEYS = {
    "select": "select",
    "ignore": "ignore",
    "error-on-warning": "error_on_warning",
    "shellcheck": "shellcheck",
}


def project_config(root: Path) -> dict[str, Any]:
    """The `[check]` table of `<root>/.oj/config.toml`, validated (empty when absent)."""
    path = root / ".oj" / "config.toml"
    if not path.is_file():
        return {}
    import tomllib  # only for projects with a config file

    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as err:
        raise UsageError(
            f"cannot read `{display_path(path, root)}`: {err}",
            help="fix the file or remove it; `oj check --help` lists the keys of `[check]`",
        ) from None
    section = data.get("check", {})
    if not isinstance(section, dict):
        raise UsageError(f"`[check]` in `{display_path(path, root)}` must be a table")
    out: dict[str, Any] = {}
    for key, value in section.items():
        if key not in CONFIG_KEYS:
            known = ", ".join(f"`{k}`" for k in CONFIG_KEYS)
            raise UsageError(
                f"unknown key `{key}` in `[check]` of `{display_path(path, root)}`",
                help=f"known keys: {known}",
            )
        if key in ("select", "ignore"):
            value = [value] if isinstance(value, str) else value
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise UsageError(f"`{key}` in `[check]` must be a string or a list of strings")
            value = tuple(value)
        elif not isinstance(value, bool):
            raise UsageError(f"`{key}` in `[check]` must be `true` or `false`")
        out[CONFIG_KEYS[key]] = value
    return out


def merge_options(config: dict[str, Any], flags: dict[str, Any]) -> CheckOptions:
    """Options from the project config, overridden by the flags that were given (not None)."""
    values: dict[str, Any] = dict(config)
    values.update({k: v for k, v in flags.items() if v is not None and v != ()})
    return CheckOptions(**values)


def _explicit(paths: Sequence[str], cwd: Path, root: Path) -> list[RunbookFile]:
    """The named files, and the `*.toml` files of named directories, as the user named them.

    Paths are made absolute but symlinks are not followed: diagnostics name the file the
    user named, and a broken link or a link loop is an unreadable file (OJ004), not a crash.
    """
    files: list[RunbookFile] = []
    for raw in paths:
        path = Path(os.path.abspath(cwd / raw))
        if path.is_dir():
            found = toml_files(path)
        elif path.is_file() or path.is_symlink():
            found = [path]
        else:
            raise UsageError(
                f"no such file or directory: `{raw}`",
                help="name runbook files or directories that hold them",
            )
        for item in found:
            files.append(RunbookFile(item, display_path(item, root), Origin.PROJECT))
    return files


def _unshadowed(files: Sequence[RunbookFile]) -> list[RunbookFile]:
    seen: set[str] = set()
    out = []
    for f in files:
        if f.stem in seen:
            continue
        seen.add(f.stem)
        out.append(f)
    return out


def check(
    paths: Sequence[str] = (),
    *,
    cwd: Path | None = None,
    options: CheckOptions | None = None,
    flags: dict[str, Any] | None = None,
) -> CheckReport:
    """Check runbooks as `oj check` does; `flags` override `.oj/config.toml` `[check]`."""
    cwd = (cwd or Path.cwd()).resolve()
    root = find_root(cwd)
    if options is None:
        options = merge_options(project_config(root), flags or {})
    found = discover(root)
    everything = _unshadowed(found)
    if paths:
        named = _explicit(paths, cwd, root)
        explicit = _unshadowed(named)
        names = {f.stem for f in explicit}
        context = explicit + [f for f in everything if f.stem not in names]
        reported = names
        found = named + found
    else:
        context = everything
        reported = {f.stem for f in everything if options.all or not f.origin.is_library}
    with _without_cycle_collection():
        loaded: list[Loaded] = [load_file(f) for f in context]
        return check_loaded(loaded, reported, options, root, _shadowed(found, context))


@contextlib.contextmanager
def _without_cycle_collection() -> Iterator[None]:
    """Suspend Python's cyclic garbage collector while checking.

    A check builds many long-lived objects (trees, spans, source maps) and almost no garbage
    cycles; full collections over that growing heap made checking superlinear in the size of
    the runbooks (`bench/check_scaling.py`). Memory of any cycles is reclaimed afterwards.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _shadowed(found: Sequence[RunbookFile], kept: Sequence[RunbookFile]) -> list[RunbookFile]:
    """Files of `found` left out because an earlier file has their name (§1.1), once each."""
    seen = {f.path for f in kept}
    out = []
    for f in found:
        if f.path not in seen:
            seen.add(f.path)
            out.append(f)
    return out


__all__ = ["CheckOptions", "CheckReport", "UsageError", "check", "merge_options"]
