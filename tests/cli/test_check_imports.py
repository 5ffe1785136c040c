"""`oj check` stays light: it never loads the runtime's heavy or I/O modules (STYLE.md 9)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

# lark too: the grammars run from tables generated ahead of time (`ojlang.parser.lalr_gen`).
FORBIDDEN = ("libtmux", "git", "sqlite3", "pydantic", "rich", "lark", "ojlang.runtime.engine")

PROBE = """
import sys
from ojlang.cli.main import main
try:
    main(["check", "--format", "json", *sys.argv[1:]])
except SystemExit:
    pass
print("LOADED:" + ",".join(m for m in {forbidden!r} if m in sys.modules))
"""


def test_oj_check_imports_none_of_the_runtime_modules(tmp_path: Path) -> None:
    runbook = tmp_path / "demo.toml"
    runbook.write_text(
        '[pipeline.p]\n[[pipeline.p.phase]]\nname = "a"\nrun = "echo {name}"\ntimeout = "5m"\n',
        encoding="utf-8",
    )
    broken = tmp_path / "broken.toml"
    broken.write_text("[task.x\n", encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-c", PROBE.format(forbidden=FORBIDDEN), str(runbook), str(broken)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    lines = [line for line in proc.stdout.splitlines() if line.startswith("LOADED:")]
    assert lines, proc.stdout + proc.stderr
    assert lines[-1] == "LOADED:", f"oj check imported {lines[-1][7:]}"
