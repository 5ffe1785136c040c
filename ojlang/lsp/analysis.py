"""An open document (path and unsaved text) in, the `oj check` report and project model out.

This is `ojlang.api.check(paths=[document])` with one difference: documents open in the
editor are loaded from their buffers (`load_text`), not from disk. The project root, the
`[check]` settings of `.oj/config.toml`, discovery and shadowing are those of `oj check`, so
the editor shows exactly what `oj check FILE` would print once the buffers are saved.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import attrs

from ojlang import rec
from ojlang.errors import UsageError
from ojlang.loader import Loaded, load_file, load_text
from ojlang.parser import ast
from ojlang.project import Origin, RunbookFile, discover, display_path, find_root
from ojlang.validator.checker import CheckReport, check_loaded
from ojlang.validator.model import ProjectModel


@attrs.frozen(eq=False)
class Analysis:
    """One check of one document, with everything the requests about it need."""

    root: Path
    file: RunbookFile
    text: str
    loaded: tuple[Loaded, ...]
    report: CheckReport
    model: ProjectModel

    @property
    def runbook(self) -> ast.Runbook | None:
        """The document's runbook (None when it does not parse)."""
        return self.loaded[0].runbook

    def path_of(self, display: str) -> Path:
        """The absolute path of a span's file."""
        path = Path(display)
        return path if path.is_absolute() else self.root / path

    def runbook_path(self, name: str) -> Path | None:
        for item in self.loaded:
            if item.name == name:
                return item.file.path
        return None

    def source_of(self, path: Path) -> str | None:
        """The text the check saw for `path` (the buffer for the document)."""
        if path == self.file.path:
            return self.text
        for item in self.loaded:
            if item.file.path == path:
                return item.source
        try:
            return path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return None


def _config(root: Path) -> dict[str, object]:
    from ojlang.api import project_config

    try:
        return project_config(root)
    except UsageError:
        return {}  # `oj check` reports a bad config; the editor still checks with defaults


def _unshadowed(files: Sequence[RunbookFile]) -> list[RunbookFile]:
    seen: set[str] = set()
    out = []
    for f in files:
        if f.stem not in seen:
            seen.add(f.stem)
            out.append(f)
    return out


def analyse(
    path: Path,
    text: str,
    *,
    buffers: Mapping[Path, str] | None = None,
    shellcheck: bool = True,
) -> Analysis:
    """Check the document at `path` whose current text is `text`; `buffers` are the other
    open documents. `shellcheck` off skips OJ602 (it is slow; the server runs it on save)."""
    from ojlang.api import merge_options

    path = Path(path).absolute()
    root = find_root(path.parent)
    options = merge_options(_config(root), {})
    if not shellcheck:
        options = rec.evolve(options, shellcheck=False)
    found = discover(root)
    origin = next((f.origin for f in found if f.path == path), Origin.PROJECT)
    file = RunbookFile(path, display_path(path, root), origin)
    others = [f for f in _unshadowed(found) if f.stem != file.stem]
    buffers = dict(buffers or {})
    buffers[path] = text
    loaded = tuple(
        load_text(buffers[f.path].encode("utf-8"), f) if f.path in buffers else load_file(f)
        for f in [file, *others]
    )
    kept = {f.path for f in [file, *others]}
    shadowed: list[RunbookFile] = []
    for f in found:
        if f.path not in kept:
            kept.add(f.path)
            shadowed.append(f)
    report = check_loaded(loaded, {file.stem}, options, root, shadowed)
    model = ProjectModel(list(loaded), {file.stem}, shadowed)
    return Analysis(root, file, text, loaded, report, model)
