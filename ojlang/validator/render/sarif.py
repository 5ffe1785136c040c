"""The `sarif` format: diagnostics in, one SARIF 2.1.0 log (JSON text) out (LANGUAGE.md §8).

One run; `tool.driver` is `oj` with its version and the whole catalogue as rules (id = code,
name = slug, shortDescription = trigger, default level = catalogue severity). Results carry
`ruleId`, `ruleIndex`, `level` (error, warning, note), `message.text`, a physical location
relative to `%SRCROOT%` (the project root) with a region in code-point columns (end column
exclusive, as SARIF wants), secondary labels as `relatedLocations`, and fixes when present.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

from ojlang.parser.spans import Span
from ojlang.validator.catalogue import CATALOGUE
from ojlang.validator.diagnostic import Diagnostic, Fix, Label, Severity

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"

_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def tool_version() -> str:
    """`ojlang.__version__` if present, else the installed package's version."""
    import ojlang

    version = getattr(ojlang, "__version__", None)
    if isinstance(version, str):
        return version
    from importlib import metadata

    try:
        return metadata.version("ojlang")
    except metadata.PackageNotFoundError:
        return "0.0.0+unknown"


def _rules() -> list[dict[str, Any]]:
    return [
        {
            "id": info.code,
            "name": info.slug,
            "shortDescription": {"text": info.trigger},
            "defaultConfiguration": {"level": _LEVEL[info.severity]},
        }
        for info in CATALOGUE.values()
    ]


def _region(span: Span) -> dict[str, int]:
    return {
        "startLine": span.line,
        "startColumn": span.col,
        "endLine": span.end_line,
        "endColumn": span.end_col,
    }


def _artifact(path: str) -> dict[str, str]:
    return {"uri": quote(path, safe="/"), "uriBaseId": "%SRCROOT%"}


def _location(span: Span) -> dict[str, Any]:
    return {"physicalLocation": {"artifactLocation": _artifact(span.file), "region": _region(span)}}


def _fix(fix: Fix) -> dict[str, Any]:
    by_file: dict[str, list[dict[str, Any]]] = {}
    for edit in fix.edits:
        by_file.setdefault(edit.span.file, []).append(
            {"deletedRegion": _region(edit.span), "insertedContent": {"text": edit.replacement}}
        )
    return {
        "description": {"text": fix.message},
        "artifactChanges": [
            {"artifactLocation": _artifact(path), "replacements": replacements}
            for path, replacements in by_file.items()
        ],
    }


def _related(index: int, label: Label) -> dict[str, Any]:
    related: dict[str, Any] = {"id": index, **_location(label.span)}
    if label.message:
        related["message"] = {"text": label.message}
    return related


def _result(d: Diagnostic, index: dict[str, int]) -> dict[str, Any]:
    result: dict[str, Any] = {"ruleId": d.code}
    if d.code in index:
        result["ruleIndex"] = index[d.code]
    result["level"] = _LEVEL[d.severity]
    result["message"] = {"text": d.message}
    result["locations"] = [_location(d.span)]
    if d.labels:
        result["relatedLocations"] = [
            _related(i, label) for i, label in enumerate(d.labels, start=1)
        ]
    if d.fix is not None and d.fix.edits:
        result["fixes"] = [_fix(d.fix)]
    return result


def sarif_log(diagnostics: Sequence[Diagnostic]) -> dict[str, Any]:
    """The SARIF log as a JSON-ready dict."""
    index = {code: i for i, code in enumerate(CATALOGUE)}
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": {"name": "oj", "version": tool_version(), "rules": _rules()}},
                "columnKind": "unicodeCodePoints",
                "results": [_result(d, index) for d in diagnostics],
            }
        ],
    }


def render_sarif(diagnostics: Sequence[Diagnostic]) -> str:
    return json.dumps(sarif_log(diagnostics), indent=2, ensure_ascii=False) + "\n"
