"""`oj run TARGET [ARGS…]` (RUNTIME.md §10, LANGUAGE.md §4.4): argv in, the façade's
`prepare` and then `run_command`, `run_here` or `dry_run`, and an exit code out.

oj's own options (`--wait`, `--timeout D`, `--dry-run`, `--name N`, `--json`) may come before
the target; after a pipeline or task target they may also appear among its `KEY=VALUE` words
(before `--`). Everything after a command target belongs to the command (§L4.4.2). When the
project's daemon runs, a pipeline or task starts there (`run_daemon`: `--wait` follows it);
otherwise it runs in this process whether or not `--wait` is given.
"""

from __future__ import annotations

import sys
from pathlib import Path

from ojlang.cli.output import usage_error

USAGE = "oj run TARGET [ARGS...] [--wait] [--timeout D] [--dry-run] [--name N]"
VALUED = ("--timeout", "--name")
FLAGS = ("--wait", "--dry-run", "--json")


def _split(argv: list[str]) -> tuple[dict[str, object], str | None, list[str]]:
    """oj options before the target, the target, the words after it."""
    opts: dict[str, object] = {}
    words = list(argv)
    while words and words[0].startswith("--"):
        if not _take(words, 0, opts):
            break
    target = words.pop(0) if words else None
    return opts, target, words


def _take(words: list[str], at: int, opts: dict[str, object]) -> bool:
    """Consume the oj option at `words[at]` into `opts`; False when it is not one."""
    word = words[at]
    key, eq, value = word.partition("=")
    if key in FLAGS and not eq:
        opts[key] = True
        del words[at]
        return True
    if key in VALUED:
        if eq:
            opts[key] = value
            del words[at]
            return True
        if at + 1 >= len(words):
            raise ValueError(f"option `{key}` needs a value")
        opts[key] = words[at + 1]
        del words[at : at + 2]
        return True
    return False


def _options_among(words: list[str], opts: dict[str, object]) -> list[str]:
    out = list(words)
    at = 0
    while at < len(out):
        if out[at] == "--":
            break
        if not _take(out, at, opts):
            at += 1
    return out


def main(argv: list[str]) -> int:
    from ojlang.errors import UsageError
    from ojlang.run_api import RunRefused, prepare

    if argv and argv[0] in ("-h", "--help"):
        sys.stdout.write(f"usage: {USAGE}\n")
        return 0
    try:
        opts, target, words = _split(argv)
    except ValueError as err:
        return usage_error(str(err), f"usage: {USAGE}")
    if target is None:
        return usage_error("`oj run` needs a target", f"usage: {USAGE}")

    def own(words: list[str]) -> tuple[list[str], str | None]:
        rest = _options_among(words, opts)
        name = opts.get("--name")
        return rest, str(name) if name else None

    try:
        name = opts.get("--name")
        prep = prepare(
            target, words, cwd=Path.cwd(), run_name=str(name) if name else None, own_options=own
        )
        timeout_s = _duration(opts.get("--timeout"))
    except ValueError as err:
        return usage_error(str(err), f"usage: {USAGE}")
    except RunRefused as refused:
        sys.stderr.write(refused.text)
        return (
            usage_error(
                f"the runbooks have {refused.errors} error{'s' if refused.errors != 1 else ''}; "
                "`oj run` refuses to run them",
                "fix what is listed above (`oj check` shows it again)",
            )
            and 1
        )
    except UsageError as err:
        return usage_error(err.message, err.help)
    if prep.target.kind == "command":
        from ojlang.run_local import run_command

        try:
            return run_command(prep)
        except UsageError as err:
            return usage_error(err.message, err.help)
    if opts.get("--dry-run"):
        from ojlang.run_local import dry_run

        return dry_run(prep, sys.stdout)
    from ojlang.cli.run_daemon import via_daemon

    wait, as_json = bool(opts.get("--wait")), bool(opts.get("--json"))
    code = via_daemon(prep, wait=wait, timeout_s=timeout_s, as_json=as_json)
    if code is not None:  # a running daemon owns the store: it runs the pipeline
        return code
    from ojlang.run_local import run_here

    return run_here(prep, out=sys.stdout, timeout_s=timeout_s)


def _duration(value: object) -> float | None:
    if value is None:
        return None
    from ojlang.parser.durations import parse_duration
    from ojlang.parser.mini import MiniSyntaxError

    try:
        return parse_duration(str(value)).ms / 1000
    except MiniSyntaxError as err:
        raise ValueError(f"`--timeout`: {err.message}") from None
