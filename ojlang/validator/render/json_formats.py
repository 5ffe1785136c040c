"""The `json` and `json-lines` formats: diagnostics in, JSON records out (LANGUAGE.md §8).

A record: `code`, `slug`, `severity`, `message`, `path`, `runbook`, `span` {`line`, `col`,
`end_line`, `end_col`, `byte_start`, `byte_end`}, `labels` [{`path`, `span`, `message`,
`primary`}] (the primary label first), `notes`, `help`, `fix` (null or {`applicability`,
`message`, `edits` [{`path`, `span`, `replacement`}]}). `path` in labels and edits is an
addition to §8: a label may point into another file. `runbook` is the diagnostic's runbook,
else the stem of a `.toml` path, else null. `json` is one indented array; `json-lines` is one
compact record per line. Non-ASCII text is written as is (UTF-8).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import PurePosixPath
from typing import Any

from ojlang.parser.spans import Span
from ojlang.validator.catalogue import CATALOGUE
from ojlang.validator.diagnostic import Diagnostic, Fix


def span_record(span: Span) -> dict[str, int]:
    return {
        "line": span.line,
        "col": span.col,
        "end_line": span.end_line,
        "end_col": span.end_col,
        "byte_start": span.byte_start,
        "byte_end": span.byte_end,
    }


def runbook_of(d: Diagnostic) -> str | None:
    if d.runbook is not None:
        return d.runbook
    path = PurePosixPath(d.path)
    return path.stem if path.suffix == ".toml" else None


def fix_record(fix: Fix | None) -> dict[str, Any] | None:
    if fix is None:
        return None
    return {
        "applicability": fix.applicability.value,
        "message": fix.message,
        "edits": [
            {"path": e.span.file, "span": span_record(e.span), "replacement": e.replacement}
            for e in fix.edits
        ],
    }


def record(d: Diagnostic) -> dict[str, Any]:
    """The JSON record of one diagnostic."""
    info = CATALOGUE.get(d.code)
    return {
        "code": d.code,
        "slug": info.slug if info else None,
        "severity": d.severity.value,
        "message": d.message,
        "path": d.path,
        "runbook": runbook_of(d),
        "span": span_record(d.span),
        "labels": [
            {
                "path": label.span.file,
                "span": span_record(label.span),
                "message": label.message,
                "primary": label.primary,
            }
            for label in d.all_labels()
        ],
        "notes": list(d.notes),
        "help": d.help,
        "fix": fix_record(d.fix),
    }


def render_json(diagnostics: Sequence[Diagnostic]) -> str:
    records = [record(d) for d in diagnostics]
    return json.dumps(records, indent=2, ensure_ascii=False) + "\n"


def render_json_lines(diagnostics: Sequence[Diagnostic]) -> str:
    return "".join(
        json.dumps(record(d), ensure_ascii=False, separators=(",", ":")) + "\n" for d in diagnostics
    )
