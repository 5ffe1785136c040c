"""`oj completions bash|zsh|fish` prints a script that calls `oj` back with `_OJ_COMPLETE`."""

from __future__ import annotations

import pytest

from ojlang.cli.main import main


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_each_shell_gets_a_script(shell: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["completions", shell])
    assert done.value.code == 0
    out = capsys.readouterr().out
    assert "_OJ_COMPLETE" in out and out.endswith("\n")


def test_an_unknown_shell_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["completions", "tcsh"])
    assert done.value.code == 2
    assert "unknown shell `tcsh`" in capsys.readouterr().err
