"""Project discovery (LANGUAGE.md §1.1): a working directory -> project root and runbook files.

The project root is the nearest directory, from the working directory up, holding `.oj/` or
`runbooks/` (else the working directory). Runbooks come from four directories in order;
an earlier runbook shadows a later one of the same name. Only `*.toml` files directly inside a
directory count, names starting with `.` are skipped, files are read in byte order of name.
"""

from __future__ import annotations

import enum
import os
from pathlib import Path

from ojlang import rec
from ojlang.roots import find_root as find_root  # re-exported: the rule lives there


class Origin(enum.Enum):
    PROJECT = "project"  # <root>/runbooks
    HIDDEN = "hidden"  # <root>/.oj/runbooks
    USER = "user"  # $XDG_CONFIG_HOME/oj/runbooks
    STDLIB = "stdlib"  # bundled stdlib_runbooks

    @property
    def is_library(self) -> bool:
        return self in (Origin.USER, Origin.STDLIB)

    @property
    def label(self) -> str:
        return {
            Origin.PROJECT: "the project",
            Origin.HIDDEN: "the project's `.oj/runbooks`",
            Origin.USER: "the user library",
            Origin.STDLIB: "the standard library",
        }[self]


@rec.frozen
class RunbookFile:
    path: Path  # absolute
    display: str  # relative to the project root, `/`-separated (or absolute outside it)
    origin: Origin

    @property
    def stem(self) -> str:
        return self.path.stem


def stdlib_dir() -> Path:
    """The bundled standard library: `stdlib_runbooks/` beside the package.

    `OJ_STDLIB_DIR` names another directory instead (tests use an empty one so that a case
    is checked alone; an empty value means no standard library at all).
    """
    override = os.environ.get("OJ_STDLIB_DIR")
    if override is not None:
        return Path(override) if override else Path("/nonexistent-oj-stdlib")
    return bundled_stdlib_dir()


def bundled_stdlib_dir() -> Path:
    """`stdlib_runbooks/` shipped with the package, whatever `OJ_STDLIB_DIR` says."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "stdlib_runbooks", here.parent / "stdlib_runbooks"):
        if candidate.is_dir():
            return candidate
    return here.parent / "stdlib_runbooks"


def user_dir(env: dict[str, str] | None = None) -> Path:
    env = dict(os.environ) if env is None else env
    base = env.get("XDG_CONFIG_HOME") or str(Path(env.get("HOME", "~")).expanduser() / ".config")
    return Path(base) / "oj" / "runbooks"


def search_dirs(root: Path, env: dict[str, str] | None = None) -> list[tuple[Path, Origin]]:
    return [
        (root / "runbooks", Origin.PROJECT),
        (root / ".oj" / "runbooks", Origin.HIDDEN),
        (user_dir(env), Origin.USER),
        (stdlib_dir(), Origin.STDLIB),
    ]


def display_path(path: Path, root: Path) -> str:
    """`path` relative to `root`, `/`-separated; symlinks are not followed (the name shown is
    the one the user wrote), absolute when it lies outside the root."""
    absolute = Path(os.path.abspath(path))
    try:
        return absolute.relative_to(root).as_posix()
    except ValueError:
        return absolute.as_posix()


def toml_files(directory: Path) -> list[Path]:
    """`*.toml` files directly in `directory`, dot-files skipped, in byte order of name."""
    try:
        names = os.listdir(directory)
    except OSError:
        return []
    chosen = [n for n in names if n.endswith(".toml") and not n.startswith(".")]
    chosen.sort(key=lambda n: n.encode("utf-8", "surrogateescape"))
    return [
        directory / n for n in chosen if (directory / n).is_file() or (directory / n).is_symlink()
    ]


def discover(root: Path, env: dict[str, str] | None = None) -> list[RunbookFile]:
    """Every runbook file of the four directories, in discovery order (shadowed ones too)."""
    found: list[RunbookFile] = []
    seen_dirs: set[Path] = set()
    for directory, origin in search_dirs(root, env):
        resolved = Path(os.path.realpath(directory))
        if resolved in seen_dirs:
            continue
        seen_dirs.add(resolved)
        for path in toml_files(directory):
            found.append(RunbookFile(Path(os.path.abspath(path)), display_path(path, root), origin))
    return found
