"""`oj done`, `oj checkpoint`, `oj hook`, `oj confirm`: who is signalling, what happens when no
engine listens, and that these commands stay light (RUNTIME.md §1, §9.3–9.4)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

FORBIDDEN = ("libtmux", "git", "sqlite3", "pydantic", "rich", "typer", "ojlang.runtime.engine")
PROBE = """
import sys
from ojlang.cli.main import main
try:
    main(sys.argv[1:])
except SystemExit as exit:
    print("EXIT:" + str(exit.code))
print("LOADED:" + ",".join(m for m in {forbidden!r} if m in sys.modules))
"""


def oj(cwd: Path, env: dict[str, str], *args: str, stdin: str = "") -> tuple[int, str, str]:
    full = {k: v for k, v in os.environ.items() if not k.startswith(("OJ_", "OTTER_"))}
    proc = subprocess.run(
        [sys.executable, "-c", PROBE.format(forbidden=FORBIDDEN), *args],
        cwd=cwd,
        env={**full, **env},
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
    )
    lines = proc.stdout.splitlines()
    code = int(next(line[5:] for line in lines if line.startswith("EXIT:")))
    loaded = next(line[7:] for line in lines if line.startswith("LOADED:"))
    assert loaded == "", f"imported {loaded}"
    out = "\n".join(line for line in lines if not line.startswith(("EXIT:", "LOADED:")))
    return code, out, proc.stderr


def test_outside_a_task_done_is_a_usage_error(tmp_path: Path) -> None:
    code, _, err = oj(tmp_path, {}, "done")
    assert code == 2 and "not inside an oj task" in err
    assert oj(tmp_path, {}, "hook", "activity", stdin="{}")[0] == 0


@pytest.mark.parametrize("args", [["done", "--set", "x=1"], ["checkpoint", "half way"]])
def test_an_unreachable_engine_spools_the_signal(tmp_path: Path, args: list[str]) -> None:
    state = tmp_path / ".oj"
    (state / "run").mkdir(parents=True)
    env = {"OJ_RUN": "r", "OJ_TASK_ID": "r.p.1", "OJ_GEN": "2", "OJ_STATE_DIR": str(state)}
    code, _, err = oj(tmp_path, env, *args)
    assert code == 0 and "spooled" in err
    [spooled] = list((state / "run" / "spool").glob("*.json"))
    record = json.loads(spooled.read_text())
    assert record["method"] == args[0]
    assert record["params"]["task_run"] == "r.p.1" and record["params"]["generation"] == 2


def test_hooks_always_exit_zero_and_spool(tmp_path: Path) -> None:
    state = tmp_path / ".oj"
    (state / "run").mkdir(parents=True)
    env = {"OJ_RUN": "r", "OJ_TASK_ID": "r.p.1", "OJ_GEN": "1", "OJ_STATE_DIR": str(state)}
    code, out, _ = oj(tmp_path, env, "hook", "stop", stdin='{"stop_hook_active": false}')
    assert (code, out) == (0, "")
    [spooled] = list((state / "run" / "spool").glob("*.json"))
    assert json.loads(spooled.read_text())["params"]["kind"] == "stop"


def test_bad_done_arguments(tmp_path: Path) -> None:
    env = {"OJ_RUN": "r", "OJ_TASK_ID": "r.p.1"}
    code, _, err = oj(tmp_path, env, "done", "--set", "novalue")
    assert code == 2 and "`--set` needs KEY=VALUE" in err
    code, _, err = oj(tmp_path, env, "done", "surplus")
    assert code == 2 and "unexpected argument `surplus`" in err


def test_confirm_without_safe_mode_does_nothing(tmp_path: Path) -> None:
    assert oj(tmp_path, {}, "confirm", "delete the database?")[0] == 0
