"""`oj-fake-agent` command line (RUNTIME.md §9.6): argv in, a fake claude session or a scenario
check out.

`oj-fake-agent [--scenario FILE] [claude flags…] [PROMPT]` runs a session; the scenario comes
from `--scenario` or `$OJ_FAKE_SCENARIO`; unknown flags (`--model x`, …) are accepted and
ignored, and the last positional argument is the prompt. `oj-fake-agent --check FILE` prints
`FILE:LINE:COL: error: MESSAGE` per problem and exits 1, or says `ok` and exits 0. Usage
errors and unreadable or invalid scenarios exit 2.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from ojlang.fake_agent.agent import FakeAgent, capture_path
from ojlang.fake_agent.scenario import Scenario, ScenarioError, load_scenario


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="oj-fake-agent", description="a scripted stand-in for claude, driven by a scenario"
    )
    parser.add_argument("--scenario", metavar="FILE", help="scenario TOML (or $OJ_FAKE_SCENARIO)")
    parser.add_argument("--check", metavar="FILE", help="validate a scenario and exit")
    parser.add_argument("prompt", nargs="*", help="the first message (the last one given)")
    return parser


def _load(path: str) -> tuple[Scenario | None, list[str]]:
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        return None, [f"{path}: error: cannot read the scenario: {exc.strerror}"]
    try:
        return load_scenario(data, path), []
    except ScenarioError as exc:
        return None, [problem.render(path) for problem in exc.problems]


def check(path: str) -> int:
    scenario, problems = _load(path)
    if scenario is None:
        for line in problems:
            print(line)
        return 2 if problems and ": error: cannot read" in problems[0] else 1
    print(f"{path}: ok ({len(scenario.responses)} responses)")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args, _ignored = _parser().parse_known_args(argv)
    if args.check:
        return check(args.check)
    path = args.scenario or os.environ.get("OJ_FAKE_SCENARIO")
    if not path:
        print(
            "oj-fake-agent: no scenario: pass --scenario FILE or set OJ_FAKE_SCENARIO",
            file=sys.stderr,
        )
        return 2
    scenario, problems = _load(path)
    if scenario is None:
        for line in problems:
            print(line, file=sys.stderr)
        return 2
    cwd = Path.cwd()
    env = dict(os.environ)
    agent = FakeAgent(scenario, cwd, env, sys.stdout, sys.stdin, capture_path(env, cwd))
    try:
        return agent.run(args.prompt[-1] if args.prompt else "")
    except KeyboardInterrupt:
        return 130
