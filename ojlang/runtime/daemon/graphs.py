"""The daemon's runbook graph (RUNTIME.md §7.1 `cache/`, §7.4 SIGHUP): the project's runbooks
in, the checked and compiled `Graph` the engine runs out.

Every task also gets its implicit one-phase pipeline (keyed like the task), so `oj run TASK`
and `oj pipeline start RUNBOOK.TASK` start it. A good graph is cached as
`.oj/cache/graph-<hash>.json` and named by `.oj/cache/current` with a fingerprint of its
sources (every file under the runbook directories and `.oj/config.toml`: path, size, mtime;
the core settings, which hold the allow-listed environment; the oj version); a start whose
fingerprint matches loads the cached graph without checking and compiling again. When the
runbooks have errors (or cannot be compiled), the daemon keeps running the last good graph and
reports the errors, so a typo never stops agents from signalling. Without any good graph yet
it runs an empty one.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

import attrs

from ojlang.runtime.core import graph as g

log = logging.getLogger("oj.daemon")


@attrs.frozen
class Loaded:
    graph: g.Graph
    errors: int = 0
    messages: tuple[str, ...] = ()
    fresh: bool = True  # compiled from the files now (False: the cached last good graph)


def with_task_pipelines(graph: g.Graph) -> g.Graph:
    """Add the implicit one-phase pipeline of every task not shadowed by a pipeline."""
    extra = {}
    for key, task in graph.tasks.items():
        if key in graph.pipelines:
            continue
        phase = g.Phase(name=task.name, action="task", task=key)
        extra[key] = g.Pipeline(name=task.name, runbook=task.runbook, phases=(phase,))
    if not extra:
        return graph
    return attrs.evolve(graph, pipelines={**graph.pipelines, **extra})


def _cache(state_dir: Path) -> Path:
    return state_dir / "cache"


def fingerprint(root: Path, settings: g.Settings) -> str:
    """A digest of everything the compiled graph depends on (see the module docstring)."""
    import hashlib

    from ojlang.project import search_dirs
    from ojlang.runtime.core.codec import to_json
    from ojlang.runtime.daemon.protocol import VERSION

    digest = hashlib.blake2b(digest_size=16)
    digest.update(f"{VERSION}\n{to_json(settings)}\n".encode())
    roots = [d for d, _ in search_dirs(root)] + [root / ".oj" / "config.toml"]
    for top in roots:
        digest.update(f"{top}\n".encode())
        if top.is_file():
            st = top.stat()
            digest.update(f"{st.st_size} {st.st_mtime_ns}\n".encode())
            continue
        for directory, dirs, files in sorted(os.walk(top)):
            dirs.sort()
            for name in sorted(files):
                path = os.path.join(directory, name)
                try:
                    st = os.stat(path)
                except OSError:
                    continue
                digest.update(f"{path} {st.st_size} {st.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def cached(state_dir: Path, stamp: str) -> g.Graph | None:
    """The cached graph when its fingerprint is `stamp`."""
    try:
        current = (_cache(state_dir) / "current").read_text(encoding="utf-8").split()
    except OSError:
        return None
    if len(current) != 2 or current[1] != stamp:
        return None
    return last_good(state_dir)


def save(state_dir: Path, graph: g.Graph, stamp: str = "") -> None:
    from ojlang.runtime.core.codec import to_json

    directory = _cache(state_dir)
    directory.mkdir(parents=True, exist_ok=True)
    digest = graph.content_hash()
    path = directory / f"graph-{digest}.json"
    if not path.exists():
        tmp = path.with_suffix(".tmp")
        tmp.write_text(to_json(graph), encoding="utf-8")
        os.replace(tmp, path)
    current = directory / "current"
    tmp = directory / "current.tmp"
    tmp.write_text(f"{digest} {stamp}".strip(), encoding="utf-8")
    os.replace(tmp, current)
    for old in directory.glob("graph-*.json"):
        if old != path:
            old.unlink(missing_ok=True)


def last_good(state_dir: Path) -> g.Graph | None:
    from ojlang.runtime.core.codec import graph_from_json

    directory = _cache(state_dir)
    try:
        digest = (directory / "current").read_text(encoding="utf-8").split()[0]
        return graph_from_json((directory / f"graph-{digest}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError, TypeError, KeyError, IndexError):
        return None


def load(root: Path, state_dir: Path, settings: g.Settings) -> Loaded:
    """Check and compile the project's runbooks; fall back to the last good graph."""
    from ojlang.errors import UsageError
    from ojlang.run_api import RunRefused, check_or_refuse, compile_graph

    stamp = fingerprint(root, settings)
    hit = cached(state_dir, stamp)
    if hit is not None:
        return Loaded(hit)
    try:
        check_or_refuse(root)
        graph, _ = compile_graph(root, settings)
    except RunRefused as refused:
        lines = tuple(line for line in refused.text.splitlines() if line.strip())
        return _fallback(state_dir, refused.errors, lines)
    except UsageError as err:
        return _fallback(state_dir, 1, (err.message,))
    graph = with_task_pipelines(graph)
    try:
        save(state_dir, graph, stamp)
    except OSError as exc:
        log.warning("cannot cache the graph: %s", exc)
    return Loaded(graph)


def _fallback(state_dir: Path, errors: int, lines: tuple[str, ...]) -> Loaded:
    good = last_good(state_dir)
    return Loaded(good if good is not None else g.Graph(), errors, lines, fresh=False)
