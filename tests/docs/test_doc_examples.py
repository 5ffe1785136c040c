"""Docs examples are tests (STYLE.md 13): every TOML runbook shown in README.md and docs/ is
checked. A block fenced as ```toml passes `oj check` with no error or warning; a block fenced
as ```toml expect=OJ203,OJ301 reports exactly those codes (and nothing else)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ojlang.api import check
from ojlang.validator.diagnostic import Severity

ROOT = Path(__file__).resolve().parents[2]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
FENCE = re.compile(r"^```toml([^\n]*)\n(.*?)^```", re.M | re.S)
NAME = re.compile(r"^#\s*(?:runbooks/)?([A-Za-z_][A-Za-z0-9_-]*)\.toml", re.M)


def blocks() -> list[tuple[str, str, tuple[str, ...]]]:
    found = []
    for doc in DOCS:
        if not doc.is_file():
            continue
        for index, match in enumerate(FENCE.finditer(doc.read_text(encoding="utf-8")), 1):
            info, body = match.group(1).strip(), match.group(2)
            expect: tuple[str, ...] = ()
            if info.startswith("expect="):
                expect = tuple(sorted(info[len("expect=") :].split(",")))
            found.append((f"{doc.relative_to(ROOT)}#{index}", body, expect))
    return found


BLOCKS = blocks()


def test_docs_have_examples() -> None:
    assert len(BLOCKS) >= 1


@pytest.mark.parametrize(("where", "body", "expect"), BLOCKS, ids=[b[0] for b in BLOCKS])
def test_doc_example(where: str, body: str, expect: tuple[str, ...], tmp_path: Path) -> None:
    named = NAME.search(body)
    name = named.group(1) if named else "example"
    (tmp_path / "runbooks").mkdir()
    (tmp_path / "runbooks" / f"{name}.toml").write_text(body, encoding="utf-8")
    report = check([], cwd=tmp_path, flags={"shellcheck": False})
    if expect:
        assert tuple(sorted({d.code for d in report.diagnostics})) == expect, where
    else:
        problems = [
            f"{d.code} {d.span.line}:{d.span.col} {d.message}"
            for d in report.diagnostics
            if d.severity is not Severity.INFO
        ]
        assert problems == [], where
