"""Explanations of the syntax codes (OJ0xx): data only."""

from __future__ import annotations

from ojlang.validator.explanations import Explanation

_BUILD = """\
[pipeline.build]
phase = [{ name = "test", run = "make test" }]
"""

ENTRIES = (
    Explanation(
        code="OJ001",
        trigger=(
            "The file is not valid TOML 1.0: a key without `=`, an unclosed string, array or "
            "table header, an unknown escape, a malformed number or date. TOML 1.1 features "
            "count as errors too: newlines or a trailing comma inside an inline table, the "
            "`\\e` and `\\xHH` escapes, times without seconds."
        ),
        why=(
            "A file that does not parse cannot be checked or run. No other check runs on it, "
            "none of its definitions load, and references to them from other runbooks fail."
        ),
        bad="""\
[cron.sweep]
interval "10m"
enabled = true
run = "make clean"
""",
        good="""\
[cron.sweep]
interval = "10m"
enabled = true
run = "make clean"
""",
        related=("OJ002", "OJ003"),
    ),
    Explanation(
        code="OJ002",
        trigger=(
            "The same key appears twice in one table, or the same table is opened twice "
            "(`[task.coder]` twice, or a dotted key that redefines a table)."
        ),
        why=(
            "TOML forbids it, and there is no right answer to which value wins. The label "
            "points at the first definition so you can keep the one you meant."
        ),
        bad="""\
[pipeline.fix]
phase = [{ name = "fix", task = "coder" }]

[task.coder]
prompt = "Make `make test` pass."
timeout = "1h"
timeout = "2h"
""",
        good="""\
[pipeline.fix]
phase = [{ name = "fix", task = "coder" }]

[task.coder]
prompt = "Make `make test` pass."
timeout = "2h"
""",
        related=("OJ001", "OJ105"),
    ),
    Explanation(
        code="OJ003",
        trigger=(
            "The bytes of the file are not valid UTF-8, the file starts with a byte order "
            "mark (U+FEFF), or it contains a control character TOML forbids (anything below "
            "U+0020 except tab, line feed and a carriage return before a line feed, and "
            "U+007F). The failing example starts with an invisible byte order mark."
        ),
        why=(
            "Runbooks are UTF-8 without BOM. Editors hide these characters, so the file looks "
            "fine but no TOML parser accepts it."
        ),
        bad="\ufeff" + _BUILD,
        good=_BUILD,
        related=("OJ001",),
    ),
    Explanation(
        code="OJ004",
        trigger=(
            "`oj check` found the file but could not read it: no read permission, a broken "
            "symbolic link, a directory named `*.toml`, or the file vanished while being read. "
            "The text of the file does not matter; the fixed example is the same runbook, "
            "readable."
        ),
        why=(
            "A runbook that cannot be read is silently missing at run time: its commands, "
            "workers and pipelines do not exist, and runbooks that refer to it break."
        ),
        bad=_BUILD,
        good=_BUILD,
        related=("OJ003",),
        checkable=False,
    ),
)
