"""The VS Code injection grammars, tokenized as VS Code does (vscode-textmate + vscode-oniguruma
over the TOML and shell grammars of tm-grammars, all from npm): snapshots of sample runbooks,
and the facts the snapshots must show. The npm packages are installed from this directory's
lock file on first use (`npm ci`), so a clean machine with node passes."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from syrupy.assertion import SnapshotAssertion

HERE = Path(__file__).parent
ROOT = HERE.parents[1]
SAMPLES = sorted((HERE / "grammar_samples").glob("*.toml"))
PACKAGE = json.loads((ROOT / "editors" / "vscode" / "package.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def tokens() -> dict[str, list[str]]:
    """Each sample's token lines: `LINE:COL "text" | scopes`."""
    node = shutil.which("node")
    assert node, "node is needed to tokenize with vscode-textmate"
    if not (HERE / "node_modules" / "vscode-textmate").is_dir():
        npm = shutil.which("npm")
        assert npm, "npm is needed to install the grammar test dependencies"
        subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund", "--ignore-scripts"],
            cwd=HERE,
            check=True,
            capture_output=True,
            timeout=300,
        )
    proc = subprocess.run(
        [node, str(HERE / "tokenize.mjs"), *map(str, SAMPLES)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    out: dict[str, list[str]] = {}
    current = ""
    for line in proc.stdout.splitlines():
        if line.startswith("== "):
            current = line[3:]
            out[current] = []
        else:
            out[current].append(line)
    return out


def _scopes(lines: list[str], where: str, text: str) -> str:
    """The scopes of the token `text` at `where` (`LINE:COL`)."""
    for line in lines:
        if line.startswith(f"{where} {json.dumps(text)} | "):
            return line.split(" | ", 1)[1]
    raise AssertionError(f"no token {text!r} at {where}")


@pytest.mark.parametrize("sample", [p.name for p in SAMPLES])
def test_tokenization_snapshot(
    tokens: dict[str, list[str]], sample: str, snapshot: SnapshotAssertion
) -> None:
    assert "\n".join(tokens[sample]) + "\n" == snapshot


def test_shell_keys_embed_bash_and_mark_interpolations(tokens: dict[str, list[str]]) -> None:
    shell = tokens["shell.toml"]
    assert "variable.other.ojlang" in _scopes(shell, "7:14", "target")
    assert "support.function.filter.ojlang" in _scopes(shell, "7:23", "default")
    assert "keyword.control.if.shell" in _scopes(shell, "13:1", "if")
    inside_quotes = _scopes(shell, "13:11", "goal")
    assert (
        "string.quoted.double.shell" in inside_quotes and "variable.other.ojlang" in inside_quotes
    )
    # `${HOME}` and `{{.Names}}` are literal (LANGUAGE.md §4.1.1), and the TOML string ends
    # where it ends even after shell quotes.
    assert "ojlang" not in _scopes(shell, "7:49", "HOME").replace("block.ojlang.shell", "")
    assert "meta.interpolation" not in _scopes(shell, "7:56", "{{.Names}}")
    assert _scopes(shell, "7:67", '"') == "punctuation.definition.string.end.toml"
    assert _scopes(shell, "8:1", "cwd") == "variable.other.key.toml"
    assert "meta.interpolation.ojlang" in _scopes(shell, "8:8", "{")  # text templates too


def test_prompts_are_jinja_and_single_braces_stay_text(tokens: dict[str, list[str]]) -> None:
    prompts = tokens["prompts.toml"]
    assert "comment.block.jinja" in _scopes(prompts, "4:1", "{#")
    assert "variable.other.jinja" in _scopes(prompts, "5:41", "goal")
    assert "keyword.control.jinja" in _scopes(prompts, "6:4", "for")
    plain = _scopes(prompts, "5:48", " in {workspace}.")
    assert plain == "meta.embedded.block.ojlang.jinja"
    literal = _scopes(prompts, "10:44", "{ not an interpolation }")
    assert "meta.interpolation" not in literal


def test_problem_matcher_matches_oj_check_concise_output(tmp_path: Path) -> None:
    [matcher] = PACKAGE["contributes"]["problemMatchers"]
    pattern = matcher["pattern"]
    regexp = re.compile(pattern["regexp"].replace("(?<", "(?P<"))
    (tmp_path / "runbooks").mkdir()
    (tmp_path / "runbooks" / "ship.toml").write_text(
        '[task.coder]\nprompt = "x"\ntimout = "5m"\n[cron.c]\ninterval = "5s"\n',
        encoding="utf-8",
    )
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "ojlang.cli.main",
            "check",
            "--format",
            "concise",
            "--no-shellcheck",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={**os.environ, "OJ_STDLIB_DIR": ""},
    )
    lines = [line for line in proc.stdout.splitlines() if "[OJ" in line]
    assert len(lines) >= 3, proc.stdout + proc.stderr
    found = []
    for line in lines:
        match = regexp.match(line)
        assert match is not None, line
        found.append(
            tuple(match.group(pattern[k]) for k in ("file", "line", "column", "severity", "code"))
        )
    assert ("runbooks/ship.toml", "3", "1", "error", "OJ102") in found
    assert {severity for *_, severity, _code in found} <= {"error", "warning", "info"}
