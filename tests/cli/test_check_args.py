"""`oj check` argv: the quick parser gives exactly argparse's values, or leaves it to argparse."""

from __future__ import annotations

import contextlib
import io
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from ojlang.cli.check_args import parser, quick_parse


def _argparse(argv: list[str]) -> dict[str, Any] | None:
    try:
        with contextlib.redirect_stderr(io.StringIO()), contextlib.redirect_stdout(io.StringIO()):
            return vars(parser().parse_args(argv))
    except SystemExit:
        return None


def test_common_spellings_parse_quickly() -> None:
    argv = ["--no-shellcheck", "--select", "OJ3", "--select=OJ4", "--format", "json"]
    argv += ["a.toml", "dir", "--output-file", "out.txt", "--fix"]
    found = quick_parse(argv)
    assert found is not None
    assert found == _argparse(argv)
    assert found["output_file"] == Path("out.txt")


def test_everything_else_is_left_to_argparse() -> None:
    for argv in (["--help"], ["--no-shell"], ["a", "--fix", "b"], ["--format"], ["-"]):
        assert quick_parse(argv) is None


WORDS = st.sampled_from(
    [
        "a.toml",
        "dir",
        "-",
        "--",
        "-x",
        "--fix",
        "--all",
        "--unsafe-fixes",
        "--no-shellcheck",
        "--error-on-warning",
        "--format",
        "--format=json",
        "--select",
        "--ignore=OJ1",
        "--output-file",
        "--sel",
        "OJ3",
        "--fix=1",
        "-h",
        "--help",
        "json",
        "",
    ]
)


@settings(max_examples=400, deadline=None)
@given(st.lists(WORDS, max_size=7))
def test_quick_parse_agrees_with_argparse(argv: list[str]) -> None:
    found = quick_parse(argv)
    if found is not None:
        assert found == _argparse(argv)
