"""Shell scripts in, `bash -n` syntax errors and shellcheck findings out (LANGUAGE.md §4.1.4).

Theory of operation. When every script parses, `oj check` starts bash once, whatever the
number of scripts: one `bash -n` parses them all, each wrapped in its own function body. A
script that passes wrapped also passes alone, unless it closes the wrapper early with a `}`
word of its own; such scripts skip this step. A failing run is halved, down to groups of
`GROUP` scripts, to find the suspects (a wrapper can also fail for a script that is fine
alone, e.g. one ending inside a heredoc), so k errors cost about 2·k·log2(n/GROUP) more
`bash -n` runs. Then one bash runs a small driver over the suspects only: for each, a
subshell runs `set -n` and then `eval`s the script, so bash parses it exactly as `bash -n`
would (same messages) and executes nothing; the first call checks a known error to learn the
line offset `eval` adds. Nothing ever runs a script: every bash parses under `-n`.
shellcheck takes all scripts as files in one run (`--format=json1` counts a tab as one
column). Lines and columns are 1-based, per script.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Sequence
from pathlib import Path

from ojlang import rec

TIMEOUT = 60.0  # seconds for one tool run
GROUP = 8  # failing wrapped groups are halved down to this many scripts


@rec.frozen
class BashError:
    """`bash -n` rejected script `index`: bash's message and the line it names."""

    index: int
    line: int
    message: str


@rec.frozen
class Finding:
    """One shellcheck comment on script `index` (end column exclusive)."""

    index: int
    line: int
    column: int
    end_line: int
    end_column: int
    level: str
    code: int
    message: str


class ToolError(Exception):
    """A tool could not be run at all."""


_CLOSER = re.compile(r"(?:^|[\s;&|()])\}(?=$|[\s;&|()<>])")
_EVAL_LINE = re.compile(r"eval: line (\d+): (.*)$")
_START, _RC = "\x1e", "\x1f"


def bash_syntax_errors(bash: str, scripts: Sequence[str]) -> dict[int, BashError]:
    """The first syntax error of every script that `bash -n` rejects, by index."""
    texts = [s.replace("\x00", " ") for s in scripts]
    exact = [i for i, s in enumerate(texts) if _CLOSER.search(s)]
    skip = set(exact)
    exact += _suspects(bash, texts, [i for i in range(len(texts)) if i not in skip])
    if not exact:
        return {}
    return _driver(bash, {i: texts[i] for i in sorted(exact)})


def _suspects(bash: str, texts: Sequence[str], group: list[int]) -> list[int]:
    """Indexes in `group` that may not parse: halve failing groups down to `GROUP` scripts."""
    if not group or _all_parse(bash, [texts[i] for i in group]):
        return []
    if len(group) <= GROUP:
        return group
    half = len(group) // 2
    return _suspects(bash, texts, group[:half]) + _suspects(bash, texts, group[half:])


def _all_parse(bash: str, texts: Sequence[str]) -> bool:
    script = "".join(f"__oj_{i}() {{\n{text}\n}}\n" for i, text in enumerate(texts))
    result = _run([bash, "--noprofile", "--norc", "-n"], script)
    return result.returncode == 0


def _driver(bash: str, texts: dict[int, str]) -> dict[int, BashError]:
    lines = [
        f'__oj() {{ printf \'{_START}%s\\n\' "$1" >&2; ( eval "set -n"$\'\\n\'"$2" ); '
        f"printf '{_RC}%s\\n' \"$?\" >&2; }}",
        "__oj -1 $'\\n;;'",
    ]
    lines += [f"__oj {i} {_ansi_c(text)}" for i, text in texts.items()]
    result = _run([bash, "--noprofile", "--norc", "-s"], "\n".join(lines) + "\n")
    records = _records(result.stderr)
    calibration = records.pop(-1, None)
    offset = 0
    if calibration is not None and calibration[1] is not None:
        offset = calibration[1][0] - 2  # the probe's error is on its line 2
    out: dict[int, BashError] = {}
    for index, (rc, first) in records.items():
        if rc == 0 or index not in texts:
            continue
        if first is None:
            out[index] = BashError(index, 1, "syntax error")
            continue
        line, message = first
        out[index] = BashError(index, max(1, line - offset), message)
    return out


def _records(stderr: str) -> dict[int, tuple[int, tuple[int, str] | None]]:
    """Per script index: bash's exit status and its first `eval: line N: message`."""
    records: dict[int, tuple[int, tuple[int, str] | None]] = {}
    index: int | None = None
    first: tuple[int, str] | None = None
    for raw in stderr.split("\n"):
        if raw.startswith(_START):
            index, first = _int(raw[1:]), None
            continue
        if raw.startswith(_RC):
            if index is not None:
                records[index] = (_int(raw[1:]), first)
            index = None
            continue
        m = _EVAL_LINE.search(raw)
        if index is not None and first is None and m and not m.group(2).startswith("`"):
            first = (int(m.group(1)), m.group(2))
    return records


def _int(text: str) -> int:
    try:
        return int(text.strip())
    except ValueError:
        return -2


def _ansi_c(text: str) -> str:
    """`text` as a bash `$'…'` word."""
    out = ["$'"]
    for ch in text:
        if ch == "\\" or ch == "'":
            out.append("\\" + ch)
        elif ch < " " or ch == "\x7f":
            out.append(f"\\x{ord(ch):02x}")
        else:
            out.append(ch)
    out.append("'")
    return "".join(out)


def which(name: str) -> str | None:
    """The first executable `name` on `PATH`, as `shutil.which` finds it (importing shutil
    also loads zlib, bz2 and lzma, which `oj check` has no other use for)."""
    path = os.environ.get("PATH")
    if path is None:
        try:
            path = os.confstr("CS_PATH")
        except (AttributeError, ValueError):
            path = os.defpath
    if not path:
        return None
    if os.path.dirname(name):
        return name if _executable(name) else None
    seen: set[str] = set()
    for directory in path.split(os.pathsep):
        if directory in seen:
            continue
        seen.add(directory)
        candidate = os.path.join(directory, name)
        if _executable(candidate):
            return candidate
    return None


def _executable(path: str) -> bool:
    return os.path.exists(path) and os.access(path, os.F_OK | os.X_OK) and not os.path.isdir(path)


def _run(argv: list[str], stdin: str, cwd: str | None = None) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(
            argv,
            input=stdin,
            capture_output=True,
            text=True,
            encoding="utf-8",
            errors="replace",
            timeout=TIMEOUT,
            cwd=cwd,
            check=False,
        )
    except (OSError, subprocess.SubprocessError) as err:
        raise ToolError(f"cannot run `{argv[0]}`: {err}") from err


def shellcheck_findings(shellcheck: str, scripts: Sequence[str]) -> list[Finding]:
    """Every shellcheck comment on `scripts` (`--shell=bash`, json1), in one run."""
    if not scripts:
        return []
    import json
    import tempfile

    with tempfile.TemporaryDirectory(prefix="oj-shellcheck-") as tmp:
        names = []
        for i, text in enumerate(scripts):
            name = f"{i}.sh"
            Path(tmp, name).write_text(text.replace("\x00", " "), encoding="utf-8")
            names.append(name)
        result = _run([shellcheck, "--format=json1", "--shell=bash", *names], "", cwd=tmp)
    try:
        data = json.loads(result.stdout or "{}")
    except ValueError as err:
        raise ToolError(f"`{shellcheck}` printed something that is not JSON") from err
    comments = data.get("comments", []) if isinstance(data, dict) else []
    found = []
    for item in comments:
        try:
            index = int(Path(str(item["file"])).stem)
            found.append(
                Finding(
                    index,
                    int(item["line"]),
                    int(item["column"]),
                    int(item.get("endLine", item["line"])),
                    int(item.get("endColumn", item["column"])),
                    str(item.get("level", "warning")),
                    int(item["code"]),
                    str(item.get("message", "")),
                )
            )
        except (KeyError, TypeError, ValueError):
            continue
    return [f for f in found if 0 <= f.index < len(scripts)]
