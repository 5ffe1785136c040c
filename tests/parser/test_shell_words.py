"""Words of a simple command: where the program name is, and which words a shell reads again."""

from __future__ import annotations

import pytest

from ojlang.parser.shell_words import (
    SimpleCommand,
    Word,
    evaluator,
    program_index,
    stdin_evaluator,
)


def words(line: str) -> list[Word]:
    """Blank-separated words; `@` marks a word holding an interpolation."""
    out = []
    pos = 0
    for raw in line.split():
        start = line.index(raw, pos)
        pos = start + len(raw)
        out.append(Word(start, pos, raw, "@" not in raw))
    return out


def test_value_removes_quotes_and_backslashes() -> None:
    assert Word(0, 0, "\"ba\"'sh'\\-x", True).value == "bash-x"


@pytest.mark.parametrize(
    "line, index",
    [
        ("", 0),
        ("make test", 0),
        ("sudo make", 1),
        ("sudo -u bob -E make", 4),
        ("env A=1 B=2 -i make", 4),
        ("timeout 5m make", 2),
        ("timeout -k 5 10 make", 4),
        ("nice -n 5 exec nohup make", 5),
        ("/usr/bin/sudo make", 1),
        ("xargs -I {} -P 4 rm", 5),
        ("@tool sudo", 0),
        ("sudo", 1),
    ],
)
def test_program_index(line: str, index: int) -> None:
    assert program_index(words(line)) == index


def test_command_v_runs_nothing() -> None:
    assert program_index(words("command -v make")) is None
    assert SimpleCommand(tuple(words("command -v make"))).program is None
    assert SimpleCommand(tuple(words("command make"))).program == 1
    assert SimpleCommand(tuple(words("sudo"))).program is None


@pytest.mark.parametrize(
    "line, index, expected",
    [
        ("eval a b", 2, "eval"),
        ("eval", 0, None),
        ("bash -c script", 2, "bash -c"),
        ("bash -c script arg", 3, None),
        ("/bin/sh -ec script", 2, "sh -c"),
        ("bash -o pipefail -c script", 4, "bash -c"),
        ("bash -o pipefail -c script", 2, None),
        ("bash --norc script", 2, None),
        ("bash -e file", 2, None),
        ("ssh host cmd", 2, "ssh"),
        ("ssh host", 1, None),
        ("ssh -i key -l me host a b", 6, "ssh"),
        ("ssh -i key host", 3, None),
        ("sudo -u root bash -c x", 5, "bash -c"),
        ("echo eval x", 2, None),
        ("@bash -c x", 2, None),
    ],
)
def test_evaluator(line: str, index: int, expected: str | None) -> None:
    assert evaluator(words(line), index) == expected


@pytest.mark.parametrize(
    "line, expected",
    [
        ("bash", "bash"),
        ("sh -s", "sh"),
        ("bash -s -- a b", "bash"),
        ("bash -x", "bash"),
        ("bash script.sh", None),
        ("bash -c x", None),
        ("ssh host", "ssh"),
        ("ssh -p 22 host", "ssh"),
        ("ssh host cat", None),
        ("cat", None),
        ("", None),
    ],
)
def test_stdin_evaluator(line: str, expected: str | None) -> None:
    assert stdin_evaluator(words(line)) == expected
