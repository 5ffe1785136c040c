"""When `oj check` colours its output: TTY detection, `NO_COLOR`, `FORCE_COLOR`, `TERM`."""

from __future__ import annotations

import io

import pytest

from ojlang.validator.render.color import Painter, should_color


class FakeStream:
    def __init__(self, tty: bool) -> None:
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty


class ClosedStream:
    def isatty(self) -> bool:
        raise ValueError("I/O operation on closed file")


@pytest.mark.parametrize(
    ("tty", "env", "expected"),
    [
        (True, {}, True),
        (False, {}, False),
        (True, {"NO_COLOR": "1"}, False),
        (True, {"NO_COLOR": ""}, True),
        (False, {"FORCE_COLOR": "1"}, True),
        (False, {"FORCE_COLOR": "true"}, True),
        (False, {"FORCE_COLOR": ""}, False),
        (False, {"FORCE_COLOR": "0"}, False),
        (True, {"FORCE_COLOR": "0"}, True),
        (True, {"NO_COLOR": "1", "FORCE_COLOR": "1"}, False),
        (False, {"NO_COLOR": "1", "FORCE_COLOR": "1"}, False),
        (False, {"NO_COLOR": "", "FORCE_COLOR": "1"}, True),
        (True, {"TERM": "dumb"}, False),
        (False, {"TERM": "dumb", "FORCE_COLOR": "1"}, True),
        (True, {"TERM": "xterm-256color"}, True),
    ],
)
def test_should_color(tty: bool, env: dict[str, str], expected: bool) -> None:
    assert should_color(FakeStream(tty), env) is expected


def test_real_streams_that_are_not_terminals() -> None:
    assert should_color(io.StringIO(), {}) is False
    assert should_color(ClosedStream(), {}) is False
    assert should_color(ClosedStream(), {"FORCE_COLOR": "1"}) is True


def test_painter() -> None:
    assert Painter(False).paint("error", "error") == "error"
    assert Painter(True).paint("error", "error") == "\x1b[1;31merror\x1b[0m"
    assert Painter(True).paint("warning", "warning") == "\x1b[1;33mwarning\x1b[0m"
    assert Painter(True).paint("", "error") == ""
    assert Painter(True).paint("x", None) == "x"


def test_the_check_path_does_not_import_rich() -> None:
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from ojlang.validator.render import render\n"
        "for fmt in ('full', 'concise', 'json', 'json-lines', 'github', 'sarif'):\n"
        "    render([], fmt, sources={}, runbooks=1, color=True)\n"
        "print('rich' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
