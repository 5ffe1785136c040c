"""The `full` renderer reproduces LANGUAGE.md §9.2 byte for byte from hand-built diagnostics."""

from __future__ import annotations

import random

from ojlang.parser.spans import Span
from ojlang.validator.diagnostic import Diagnostic, diag
from ojlang.validator.render import render


def span_at(file: str, source: str, line: int, col: int, end_col: int) -> Span:
    """A one-line span with byte offsets computed from `source`."""
    lines = source.split("\n")
    start = sum(len(x.encode()) + 1 for x in lines[: line - 1])
    text = lines[line - 1]
    return Span(
        file,
        line,
        col,
        line,
        end_col,
        start + len(text[: col - 1].encode()),
        start + len(text[: end_col - 1].encode()),
    )


RELEASE = """\
[pipeline.release]
inputs = ["version", "notes"]

[[pipeline.release.phase]]
name = "tag"
run = "git tag v{version} && git push origin v{version}"
next = "publsh"

[[pipeline.release.phase]]
name = "publish"
task = "announce"
on_fail = "retry_later"

[task.announce]
prompt = "Announce {{ version }} in {{ channel }}."
"""

RELEASE_OUT = """\
warning[OJ303]: input `notes` is never used
 --> runbooks/release.toml:2:22
  |
2 | inputs = ["version", "notes"]
  |                      ^^^^^^^ not read by any field of pipeline `release`
  |
  = help: remove it, or use it as `{notes}`

error[OJ203]: undefined phase `publsh`
 --> runbooks/release.toml:7:8
  |
7 | next = "publsh"
  |        ^^^^^^^^ no phase with this name in pipeline `release`
  |
  = help: a phase with a similar name exists: `publish`

error[OJ203]: undefined phase `retry_later` in `on_fail`
  --> runbooks/release.toml:12:11
   |
12 | on_fail = "retry_later"
   |           ^^^^^^^^^^^^^ neither a phase nor a recovery
   |
   = note: `on_fail` takes a phase name, `escalate`, `fail`, `retry[:N[:DURATION]]` or `strategy:NAME`
   = help: a value with a similar name exists: `retry`

error[OJ301]: undefined variable `channel`
  --> runbooks/release.toml:15:40
   |
15 | prompt = "Announce {{ version }} in {{ channel }}."
   |                                        ^^^^^^^ not defined in pipeline `release`
   |
   = note: task `announce` is used by phase `publish` of pipeline `release`
   = note: in scope: `version`, `notes`, `config`, `env`, `project`, `runbook`, `name`, `id`, `pipeline`, `workspace`, `branch`, `phase`, `attempt`, `task`, `session`
   = help: declare it in `inputs`, `defaults` or `outputs` of pipeline `release`

Found 3 errors and 1 warning in 1 runbook.
For more information, try `oj explain OJ303`.
"""  # noqa: E501

DEPLOY = """\
[command.deploy]
args = "<stage> [--tag <version>] [targets...] <region>"
aliases = { t = "tag", f = "force" }
defaults = { tag = "latest" }
run = "deploy --stage {stage} --tag {tag | uppercase} {targets} > {region | raw}.log"

[cron.poll]
interval = "5 minuts"
enabled = true
run = "if [ -f .oj/stop ]; then exit 0; fi; fi"
"""

DEPLOY_OUT = """\
error[OJ404]: required positional `<region>` follows variadic `[targets...]`
 --> runbooks/deploy.toml:2:48
  |
2 | args = "<stage> [--tag <version>] [targets...] <region>"
  |                                                ^^^^^^^^ required after variadic
  |
  = help: move `<region>` before `[targets...]`

error[OJ405]: alias `f` points to `--force`, which the argument spec does not define
 --> runbooks/deploy.toml:3:28
  |
3 | aliases = { t = "tag", f = "force" }
  |                            ^^^^^^^ not in `args`
  |
  = help: add `[--force]` to `args`, or remove the alias

error[OJ306]: unknown filter `uppercase`
 --> runbooks/deploy.toml:5:44
  |
5 | run = "deploy --stage {stage} --tag {tag | uppercase} {targets} > {region | raw}.log"
  |                                            ^^^^^^^^^ not a filter
  |
  = help: a filter with a similar name exists: `upper`

warning[OJ701]: `{region | raw}` is inserted into shell without escaping
 --> runbooks/deploy.toml:5:67
  |
5 | run = "deploy --stage {stage} --tag {tag | uppercase} {targets} > {region | raw}.log"
  |                                                                   ^^^^^^^^^^^^^^ not escaped
  |
  = help: remove `| raw` unless the value is trusted shell code

error[OJ401]: invalid duration `5 minuts`: unknown unit `minuts`
 --> runbooks/deploy.toml:8:15
  |
8 | interval = "5 minuts"
  |               ^^^^^^ unknown unit
  |
  = help: a unit with a similar name exists: `minutes`

error[OJ601]: shell syntax error near unexpected token `fi`
  --> runbooks/deploy.toml:10:8
   |
10 | run = "if [ -f .oj/stop ]; then exit 0; fi; fi"
   |        ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ rejected by `bash -n`

Found 5 errors and 1 warning in 1 runbook.
For more information, try `oj explain OJ404`.
"""


def release_diagnostics() -> list[Diagnostic]:
    f = "runbooks/release.toml"

    def at(line: int, col: int, end: int) -> Span:
        return span_at(f, RELEASE, line, col, end)

    return [
        diag(
            "OJ303",
            "input `notes` is never used",
            at(2, 22, 29),
            "not read by any field of pipeline `release`",
            help="remove it, or use it as `{notes}`",
        ),
        diag(
            "OJ203",
            "undefined phase `publsh`",
            at(7, 8, 16),
            "no phase with this name in pipeline `release`",
            help="a phase with a similar name exists: `publish`",
        ),
        diag(
            "OJ203",
            "undefined phase `retry_later` in `on_fail`",
            at(12, 11, 24),
            "neither a phase nor a recovery",
            notes=(
                "`on_fail` takes a phase name, `escalate`, `fail`, `retry[:N[:DURATION]]` or "
                "`strategy:NAME`",
            ),
            help="a value with a similar name exists: `retry`",
        ),
        diag(
            "OJ301",
            "undefined variable `channel`",
            at(15, 40, 47),
            "not defined in pipeline `release`",
            notes=(
                "task `announce` is used by phase `publish` of pipeline `release`",
                "in scope: `version`, `notes`, `config`, `env`, `project`, `runbook`, `name`, "
                "`id`, `pipeline`, `workspace`, `branch`, `phase`, `attempt`, `task`, `session`",
            ),
            help="declare it in `inputs`, `defaults` or `outputs` of pipeline `release`",
        ),
    ]


def deploy_diagnostics() -> list[Diagnostic]:
    f = "runbooks/deploy.toml"

    def at(line: int, col: int, end: int) -> Span:
        return span_at(f, DEPLOY, line, col, end)

    return [
        diag(
            "OJ404",
            "required positional `<region>` follows variadic `[targets...]`",
            at(2, 48, 56),
            "required after variadic",
            help="move `<region>` before `[targets...]`",
        ),
        diag(
            "OJ405",
            "alias `f` points to `--force`, which the argument spec does not define",
            at(3, 28, 35),
            "not in `args`",
            help="add `[--force]` to `args`, or remove the alias",
        ),
        diag(
            "OJ306",
            "unknown filter `uppercase`",
            at(5, 44, 53),
            "not a filter",
            help="a filter with a similar name exists: `upper`",
        ),
        diag(
            "OJ701",
            "`{region | raw}` is inserted into shell without escaping",
            at(5, 67, 81),
            "not escaped",
            help="remove `| raw` unless the value is trusted shell code",
        ),
        diag(
            "OJ401",
            "invalid duration `5 minuts`: unknown unit `minuts`",
            at(8, 15, 21),
            "unknown unit",
            help="a unit with a similar name exists: `minutes`",
        ),
        diag(
            "OJ601",
            "shell syntax error near unexpected token `fi`",
            at(10, 8, 47),
            "rejected by `bash -n`",
        ),
    ]


def test_release_example_byte_for_byte() -> None:
    out = render(
        release_diagnostics(),
        "full",
        sources={"runbooks/release.toml": RELEASE},
        runbooks=1,
    )
    assert out.stdout == RELEASE_OUT
    assert out.stderr == ""


def test_deploy_example_byte_for_byte() -> None:
    out = render(deploy_diagnostics(), "full", sources={"runbooks/deploy.toml": DEPLOY}, runbooks=1)
    assert out.stdout == DEPLOY_OUT
    assert out.stderr == ""


def test_input_order_does_not_matter() -> None:
    diags = deploy_diagnostics()
    random.Random(7).shuffle(diags)
    out = render(diags, "full", sources={"runbooks/deploy.toml": DEPLOY}, runbooks=1)
    assert out.stdout == DEPLOY_OUT


def test_spans_match_the_quoted_text() -> None:
    """The hand-built spans cover exactly the text the spec underlines."""
    release = release_diagnostics()
    raw = RELEASE.encode()
    texts = [raw[d.span.byte_start : d.span.byte_end].decode() for d in release]
    assert texts == ['"notes"', '"publsh"', '"retry_later"', "channel"]
    deploy = deploy_diagnostics()
    raw = DEPLOY.encode()
    texts = [raw[d.span.byte_start : d.span.byte_end].decode() for d in deploy]
    assert texts[3] == "{region | raw}"
    assert texts[5] == "if [ -f .oj/stop ]; then exit 0; fi; fi"
