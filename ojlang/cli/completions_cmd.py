"""`oj completions bash|zsh|fish` (RUNTIME.md §10): a shell name in, its completion script on
stdout out (no daemon). The script calls `oj` back with `_OJ_COMPLETE` set; typer answers those
calls with the commands, options and arguments of the app.

Install with, e.g., `oj completions bash > ~/.local/share/bash-completion/completions/oj`.
"""

from __future__ import annotations

import sys

SHELLS = ("bash", "zsh", "fish")


def script(shell: str) -> str:
    from typer._completion_shared import get_completion_script

    return get_completion_script(prog_name="oj", complete_var="_OJ_COMPLETE", shell=shell) + "\n"


def completions_main(shell: str) -> int:
    if shell not in SHELLS:
        sys.stderr.write(f"error: unknown shell `{shell}`\n  help: use one of bash, zsh, fish\n")
        return 2
    sys.stdout.write(script(shell))
    return 0
