"""The daemon log (RUNTIME.md §7.4): one line per record with `key=value` fields, the start
marker, and the `ERROR` lines after the last marker that the CLI prints on a failed start."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from ojlang.client import start_errors
from ojlang.runtime.daemon import logs


def test_lines_carry_time_level_component_message_and_fields(tmp_path: Path) -> None:
    handler = logs.setup(tmp_path, "debug", "9.9")
    try:
        log = logging.getLogger("oj.engine")
        log.info("spawned", extra={"fields": {"session": "s-1", "note": "two words"}})
        log.debug("quiet")
    finally:
        logs.teardown(handler)
    lines = logs.log_path(tmp_path).read_text().splitlines()
    assert lines[0] == f"--- oj daemon starting pid={os.getpid()} version=9.9"
    stamp, level, component, *rest = lines[1].split(" ")
    assert stamp.endswith("Z") and "T" in stamp
    assert (level, component) == ("INFO", "engine")
    assert " ".join(rest) == 'spawned session=s-1 note="two words"'
    assert lines[2].endswith("DEBUG engine quiet")


def test_a_traceback_is_indented_under_its_line(tmp_path: Path) -> None:
    handler = logs.setup(tmp_path, "info", "1")
    try:
        try:
            raise ValueError("bad")
        except ValueError:
            logging.getLogger("oj.daemon").exception("incident abcd")
    finally:
        logs.teardown(handler)
    text = logs.log_path(tmp_path).read_text()
    assert "ERROR daemon incident abcd\n    Traceback" in text
    assert "    ValueError: bad" in text


def test_start_errors_are_those_after_the_last_marker(tmp_path: Path) -> None:
    path = logs.log_path(tmp_path)
    path.parent.mkdir(parents=True)
    path.write_text(
        "--- oj daemon starting pid=1 version=1\n"
        "2026-01-01T00:00:00.000Z ERROR daemon old trouble\n"
        "--- oj daemon starting pid=2 version=1\n"
        "2026-01-01T00:00:01.000Z INFO daemon fine\n"
        "2026-01-01T00:00:02.000Z ERROR daemon new trouble\n"
    )
    assert start_errors(tmp_path) == ["2026-01-01T00:00:02.000Z ERROR daemon new trouble"]
    assert logs.tail(tmp_path, 2)[0].endswith("INFO daemon fine")
    assert start_errors(tmp_path / "nowhere") == []
