"""Scenario loading and `oj-fake-agent --check` (RUNTIME.md §9.6)."""

from __future__ import annotations

from pathlib import Path

import pytest
from syrupy.assertion import SnapshotAssertion

from ojlang.fake_agent.cli import main
from ojlang.fake_agent.scenario import (
    Config,
    Failure,
    Pattern,
    Response,
    ScenarioError,
    Step,
    load_scenario,
)

EXAMPLE = """\
name = "plan-then-done"
[config]
startup_ms = 0            # before SessionStart

[[responses]]
pattern = { type = "contains", text = "plan" }
delay_ms = 300
times = 1
text = "Writing the plan…"
steps = [
  { shell = "mkdir -p plans && echo '# plan' > plans/$OJ_NAME.md" },
  { sleep_ms = 5 },
  { say = "done" },
]

[[responses]]
pattern = { type = "any" }
failure = { type = "rate_limit", retry_after = 2 }
"""

BROKEN = """\
name = 3
colour = "red"
[config]
startup_ms = -1

[[responses]]
pattern = { type = "fuzzy", text = "x" }
steps = [{ shell = "a", say = "b" }, "oops"]

[[responses]]
pattern = { type = "regex", text = "(" }
times = 0
failure = { type = "crash", exit_code = "one", signal = 9 }

[[responses]]
text = "no pattern"
failure = { type = "explode" }
"""


def test_the_spec_example_loads() -> None:
    scenario = load_scenario(EXAMPLE, "s.toml")
    assert scenario.name == "plan-then-done"
    assert scenario.config == Config(startup_ms=0, idle_notify_ms=5000, typing_ms=5)
    first, second = scenario.responses
    assert first == Response(
        Pattern("contains", "plan"),
        300,
        1,
        "Writing the plan…",
        (
            Step(shell="mkdir -p plans && echo '# plan' > plans/$OJ_NAME.md"),
            Step(sleep_ms=5),
            Step(say="done"),
        ),
    )
    assert second.failure == Failure("rate_limit", retry_after=2.0)
    assert second.times is None and second.pattern == Pattern()


@pytest.mark.parametrize(
    "pattern, message, expected",
    [
        (Pattern("any"), "whatever", True),
        (Pattern("contains", "Plan"), "make a plan now", True),
        (Pattern("contains", "plan"), "build it", False),
        (Pattern("exact", "go"), "  go ", True),
        (Pattern("exact", "go"), "go on", False),
        (Pattern("regex", r"^fix #\d+"), "fix #12 please", True),
        (Pattern("regex", r"^fix #\d+"), "please fix #12", False),
        (Pattern("glob", "Are you still*"), "Are you still working?", True),
        (Pattern("glob", "Are you still*"), "Hello", False),
    ],
)
def test_patterns_match_messages(pattern: Pattern, message: str, expected: bool) -> None:
    assert pattern.matches(message) is expected


def test_every_problem_is_reported_with_its_position() -> None:
    with pytest.raises(ScenarioError) as info:
        load_scenario(BROKEN, "bad.toml")
    found = [(p.line, p.col, p.message) for p in info.value.problems]
    assert found == [
        (1, 8, "`name` must be a string, found integer"),
        (2, 1, "unknown key `colour` in the scenario; expected `name`, `config`, `responses`"),
        (4, 14, "`startup_ms` must be at least 0, found -1"),
        (7, 20, "unknown pattern type `fuzzy`; use any, contains, exact, regex, glob"),
        (8, 10, "a step needs exactly one of `shell`, `sleep_ms`, `say`"),
        (8, 38, "a step must be a table, found string"),
        (11, 36, "invalid regular expression: missing ), unterminated subpattern at position 0"),
        (12, 9, "`times` must be at least 1, found 0"),
        (13, 41, "`exit_code` must be an integer, found string"),
        (13, 48, "unknown key `signal` in a `crash` failure; expected `type`, `exit_code`"),
        (15, 1, "a response needs a `pattern`"),
        (
            17,
            20,
            "unknown failure type `explode`; use "
            + ", ".join(
                [
                    "network_unreachable",
                    "auth_error",
                    "rate_limit",
                    "connection_timeout",
                    "malformed_json",
                    "out_of_credits",
                    "hang",
                    "crash",
                ]
            ),
        ),
    ]


def test_check_prints_positioned_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], snapshot: SnapshotAssertion
) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(BROKEN)
    assert main(["--check", str(bad)]) == 1
    assert capsys.readouterr().out.replace(str(tmp_path), "TMP") == snapshot


def test_check_reports_toml_syntax_errors_and_success(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "syntax.toml"
    broken.write_text('name = "x"\n[[responses]\n')
    assert main(["--check", str(broken)]) == 1
    assert capsys.readouterr().out.startswith(f"{broken}:2:")
    good = tmp_path / "good.toml"
    good.write_text(EXAMPLE)
    assert main(["--check", str(good)]) == 0
    assert capsys.readouterr().out == f"{good}: ok (2 responses)\n"
    assert main(["--check", str(tmp_path / "missing.toml")]) == 2
    assert "cannot read the scenario" in capsys.readouterr().out


def test_a_session_needs_a_valid_scenario(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OJ_FAKE_SCENARIO", raising=False)
    assert main(["hello"]) == 2
    assert "no scenario" in capsys.readouterr().err
    bad = tmp_path / "bad.toml"
    bad.write_text("times = 1\n")
    assert main(["--scenario", str(bad), "hello"]) == 2
    assert "unknown key `times`" in capsys.readouterr().err
