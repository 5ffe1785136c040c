"""Runbook files -> runbook ASTs with their syntax, schema and mini-language diagnostics.

One file is read, decoded (OJ003/OJ004), parsed as TOML (OJ001/OJ002) and built into a
`Runbook` (OJ1xx, OJ4xx). A file with a TOML error gets no further checks; a file whose stem
is not a valid runbook name is skipped with OJ107. Nothing here raises on bad input.
"""

from __future__ import annotations

import re
from pathlib import Path

from ojlang import rec
from ojlang.parser.ast import Runbook
from ojlang.parser.spans import Span
from ojlang.project import Origin, RunbookFile
from ojlang.validator.diagnostic import Diagnostic, diag

RUNBOOK_NAME_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_-]{0,63}\Z")


@rec.frozen
class Loaded:
    """One runbook file after loading: its text (if readable) and AST (if it parsed)."""

    file: RunbookFile
    source: str | None
    runbook: Runbook | None
    diagnostics: tuple[Diagnostic, ...]

    @property
    def name(self) -> str:
        return self.file.stem


def _file_span(display: str) -> Span:
    return Span(display, 1, 1, 1, 1, 0, 0)


def load_text(data: bytes, file: RunbookFile) -> Loaded:
    """Parse and build one runbook from its raw bytes."""
    from ojlang.parser.builder import Builder
    from ojlang.parser.errors import TomlError
    from ojlang.parser.toml import parse_toml

    name = file.stem
    text = data.decode("utf-8", errors="replace")
    if not RUNBOOK_NAME_RE.match(name):
        fixed = re.sub(r"[^A-Za-z0-9_-]", "_", name)[:64] or "runbook"
        if not re.match(r"[A-Za-z_]", fixed):
            fixed = "_" + fixed[:63]
        d = diag(
            "OJ107",
            f"runbook file name `{name}` is not a valid name",
            _file_span(file.display),
            "file skipped",
            help=f"rename it `{fixed}.toml`",
            runbook=name,
        )
        return Loaded(file, text, None, (d,))
    try:
        document = parse_toml(data, file.display)
    except TomlError as err:
        return Loaded(file, text, None, (rec.evolve(err.diagnostic, runbook=name),))
    builder = Builder(document, name)
    runbook = builder.build()
    return Loaded(file, document.source, runbook, tuple(builder.diagnostics))


def load_file(file: RunbookFile) -> Loaded:
    try:
        data = file.path.read_bytes()
    except OSError as err:
        reason = (err.strerror or str(err)).lower()
        d = diag(
            "OJ004",
            f"cannot read `{file.display}`: {reason}",
            _file_span(file.display),
            "unreadable",
            help="check that the file exists and that you may read it",
            runbook=file.stem,
        )
        return Loaded(file, None, None, (d,))
    return load_text(data, file)


def path_file(path: Path, display: str, origin: Origin = Origin.PROJECT) -> RunbookFile:
    return RunbookFile(path, display, origin)
