"""The pure parts of `oj lsp`: position encodings, schema lookups and text contexts; and the
promise that `oj check` never loads the server's libraries."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from lsprotocol import types

from ojlang.lsp import keys, locate
from ojlang.lsp.positions import UTF8, UTF16, UTF32, from_position, to_position, units
from ojlang.parser.spans import Span

LINE = 'x = "é🚀{a}"'


def test_positions_count_code_units_of_the_negotiated_encoding() -> None:
    assert [units("é🚀", e) for e in (UTF8, UTF16, UTF32)] == [6, 3, 2]
    col = LINE.index("{") + 1  # a code-point column, as spans count
    assert to_position([LINE], 1, col, UTF16) == types.Position(0, 8)
    assert to_position([LINE], 1, col, UTF8) == types.Position(0, 11)
    assert to_position([LINE], 1, col, UTF32) == types.Position(0, 7)
    for encoding in (UTF8, UTF16, UTF32):
        assert from_position([LINE], to_position([LINE], 1, col, encoding), encoding) == (1, col)
    assert from_position([LINE], types.Position(0, 99)) == (1, len(LINE) + 1)


def test_contains_includes_the_end_of_a_span() -> None:
    from ojlang.lsp.positions import contains

    span = Span("f", 2, 3, 2, 7, 0, 0)
    assert contains(span, 2, 3) and contains(span, 2, 7)
    assert not contains(span, 2, 2) and not contains(span, 3, 1)


def test_schema_lookups_follow_tables_arrays_and_variants() -> None:
    assert keys.description(("pipeline", "ship", "phase", 0, "run"))
    assert keys.description(("pipeline", "ship", "phase", "run")) == keys.description(
        ("pipeline", "ship", "phase", 0, "run")
    )
    assert keys.ref_kinds(("worker", "w", "handler")) == ("pipeline", "task")
    assert keys.ref_kinds(("watcher", "w", "source", "name")) == ("queue",)
    assert keys.ref_kinds(("task", "t", "prompt")) == ()
    assert keys.is_phase_field(("pipeline", "p", "phase", 0, "next"))
    assert keys.values(("semaphore", "s", "on_orphan")) == ["reclaim", "escalate", "wait"]
    assert "lock" in keys.table_keys(("guard", "g", "condition"))
    assert keys.lookup(("nonsense",)) == []


def test_header_parts_and_table_paths_come_from_the_text() -> None:
    hit = locate.header_part("[[pipeline.ship.phase]]", 12)
    assert hit is not None and hit.path == ("pipeline", "ship")
    assert locate.header_part("name = 1", 2) is None
    lines = ["[task.a]", "prompt = 'x'", "", "[lock.b]", "heartbeat = '1s'", ""]
    assert locate.table_path_at(lines, 6) == (("lock", "b"), 4)
    assert locate.keys_in_table(lines, 4, 6) == {"heartbeat"}
    assert locate.word_at("echo {bug.title}", 11) == ("bug.title", 6, 15)


PROBE = """
import sys
from ojlang.cli.main import main
try:
    main(["check", "--format", "json", *sys.argv[1:]])
except SystemExit:
    pass
heavy = ("pygls", "lsprotocol", "jsonschema", "ojlang.lsp", "ojlang.schema")
print("LOADED:" + ",".join(m for m in heavy if m in sys.modules))
"""


def test_oj_check_loads_neither_the_server_nor_the_schema(tmp_path: Path) -> None:
    runbook = tmp_path / "demo.toml"
    runbook.write_text('[task.t]\nprompt = "hi {{ task }}"\n', encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-c", PROBE, str(runbook)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert "LOADED:\n" in proc.stdout, proc.stdout + proc.stderr
