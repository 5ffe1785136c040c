"""The `oj` entry point: argv in, an exit code out; no Python traceback ever reaches a user.

Commands of `FAST` (RUNTIME.md §10: `check`, `hook`, `done`, `checkpoint`, `confirm`, `run`,
`status`) are dispatched here before typer is imported, to keep their cold start small;
everything else goes to the typer app of `ojlang.cli.app`. Any unexpected exception becomes
exit 3 with the path of a log that holds the traceback.
"""

from __future__ import annotations

import sys
from typing import Any

# Commands dispatched before typer is imported: name -> module with `main(argv) -> int`, or
# `module:function` for a module serving several commands.
FAST = {
    "check": "ojlang.cli.check_args",
    "run": "ojlang.cli.run_cmd",
    "done": "ojlang.cli.signal_cmd:done_main",
    "checkpoint": "ojlang.cli.signal_cmd:checkpoint_main",
    "hook": "ojlang.cli.signal_cmd:hook_main",
    "confirm": "ojlang.cli.signal_cmd:confirm_main",
    "status": "ojlang.cli.status_cmd",
}


def _typer_app() -> Any:
    from ojlang.cli.app import app

    return app


def _fast(argv: list[str]) -> int | None:
    """Run a fast-path command without importing typer; None when argv is not one."""
    import importlib
    import os

    args = list(argv)
    while len(args) >= 2 and args[0] == "-C":
        os.chdir(args[1])
        args = args[2:]
    if not args or args[0] not in FAST:
        return None
    module_name, _, function = FAST[args[0]].partition(":")
    module = importlib.import_module(module_name)
    code: int = getattr(module, function or "main")(args[1:])
    return code


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point."""
    argv = sys.argv[1:] if argv is None else argv
    try:
        code = _fast(argv)
        if code is not None:
            raise SystemExit(code)
        _typer_app()(args=argv, prog_name="oj", standalone_mode=True)
    except SystemExit:
        raise
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        raise SystemExit(130) from None
    except Exception as err:
        from ojlang.cli.crash import report_crash

        raise SystemExit(report_crash(err)) from None


if __name__ == "__main__":
    main()
