"""Shell fields in, OJ601 (`bash -n`), OJ602 (shellcheck) and OJ603 (`oj emit` reserved) out.

Every shell template of the reported runbooks (LANGUAGE.md §5.1) is lexed once
(`ojlang.parser.shell_context`); its interpolations become placeholders of the same length
(`x…x`, `0…0` in arithmetic; malformed `{…}` too, which OJ313 explains) so the tools' lines and
columns are decoded positions, mapped into the file through the string's source map (§2.3).
bash runs once per check when every field parses, and shellcheck once, whatever the number
of fields (`ojlang.validator.shellrun`). Without `bash` on PATH the check is a usage error
(§4.1.4).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator

from ojlang import rec
from ojlang.errors import UsageError
from ojlang.parser import ast
from ojlang.parser.fields import Kind, MapField, Tmpl, field_spec
from ojlang.parser.interpolation import Malformed
from ojlang.parser.patterns import RESERVED_SCOPES
from ojlang.parser.shell_context import ShellScan, scan_shell
from ojlang.parser.shell_words import Word
from ojlang.parser.spans import Span, decoded_line_offset
from ojlang.validator.checks import CheckContext
from ojlang.validator.diagnostic import Diagnostic, Severity, diag
from ojlang.validator.model import ProjectModel
from ojlang.validator.shellrun import (
    BashError,
    Finding,
    ToolError,
    bash_syntax_errors,
    shellcheck_findings,
    which,
)

# shellcheck findings that only say a placeholder is one constant word (`[ x…x = y ]`,
# `case x…x`, `for i in x…x`, where a list value gives many words): dropped when a
# placeholder stands on their lines.
PLACEHOLDER_CODES = frozenset({2043, 2050, 2078, 2157, 2193, 2194, 2195})
_LEVELS = {"error": Severity.ERROR, "warning": Severity.WARNING}
_SKIP_ATTRS = frozenset({"table", "key", "span"})
# Field kinds that never hold a shell template.
_NO_TEMPLATES = frozenset(
    {
        Kind.STRING,
        Kind.NAME,
        Kind.VARIABLE,
        Kind.INT,
        Kind.BOOL,
        Kind.DURATION,
        Kind.TEXT,
        Kind.JINJA,
        Kind.EXPR,
        Kind.PATTERN,
        Kind.REF,
        Kind.CHAIN,
        Kind.WORD,
        Kind.ON_FAIL,
        Kind.ORDER,
        Kind.ARGS,
        Kind.ENUM,
        Kind.ANY,
    }
)


@rec.frozen
class ShellField:
    """One shell template of a runbook; `scan` lexes it on first use (shared by the families)."""

    runbook: str
    tmpl: Tmpl

    @property
    def text(self) -> str:
        return str(self.tmpl.node.value)

    @property
    def scan(self) -> ShellScan:
        ranges = tuple((i.start, i.end) for i in self.tmpl.template.interps)
        return _scan(self.text, ranges)

    def span(self, a: int, b: int) -> Span:
        return self.tmpl.node.source_map.span(a, b)


def shell_fields(runbook: ast.Runbook) -> Iterator[ShellField]:
    """Every shell template of `runbook`."""
    for tmpl in _templates(runbook):
        yield ShellField(runbook.name, tmpl)


@functools.lru_cache(maxsize=4096)
def _scan(text: str, ranges: tuple[tuple[int, int], ...]) -> ShellScan:
    return scan_shell(text, ranges)


def _templates(runbook: ast.Runbook) -> Iterator[Tmpl]:
    for kind in runbook.definitions.values():
        for node in kind.values():
            yield from _walk(node)
    for hook in runbook.events:
        yield from _walk(hook.run)
    for function in runbook.functions.values():
        yield from _walk(function.run)


def _walk(value: object) -> Iterator[Tmpl]:
    if isinstance(value, Tmpl):
        if value.shell:
            yield value
    elif isinstance(value, tuple | list):
        for item in value:
            yield from _walk(item)
    elif isinstance(value, MapField):
        for entry in value.entries:
            yield from _walk(entry.value)
    elif isinstance(value, ast.TypedTable):
        for item in value.values.values():
            yield from _walk(item)
    elif isinstance(value, ast.Node):
        for name in _node_fields(type(value)):
            yield from _walk(getattr(value, name))


_FIELDS: dict[type, tuple[str, ...]] = {}


def _node_fields(cls: type) -> tuple[str, ...]:
    """The attributes of an AST node class that may hold a shell template."""
    names = _FIELDS.get(cls)
    if names is None:
        names = tuple(
            field.name
            for field in rec.fields(cls)
            if field.name not in _SKIP_ATTRS
            and getattr(field_spec(field), "kind", None) not in _NO_TEMPLATES
        )
        _FIELDS[cls] = names
    return names


def check(model: ProjectModel, ctx: CheckContext) -> Iterator[Diagnostic]:
    fields = [f for runbook in model.iter_reported() for f in shell_fields(runbook)]
    if not fields:
        return
    bash = which("bash")
    if bash is None:
        raise UsageError(
            "`oj check` needs `bash` to check shell fields, and it is not on `PATH`",
            help="install bash (e.g. `apt-get install bash`) or add it to `PATH`",
        )
    for f in fields:
        yield from _emits(f)
    texts = [_placeholders(f) for f in fields]
    try:
        errors = bash_syntax_errors(bash, texts)
    except ToolError as err:
        raise UsageError(err.args[0], help="check that `bash` runs") from err
    for index, error in errors.items():
        yield _syntax(fields[index], error)
    shellcheck = which("shellcheck") if ctx.shellcheck else None
    if shellcheck is None:
        return
    todo = [i for i in range(len(fields)) if i not in errors]
    try:
        findings = shellcheck_findings(shellcheck, [texts[i] for i in todo])
    except ToolError:
        return  # shellcheck is optional: a broken one reports nothing
    for finding in findings:
        f = fields[todo[finding.index]]
        d = _shellcheck(f, finding)
        if d is not None:
            yield d


def _placeholders(f: ShellField) -> str:
    text = f.scan.placeholders() if f.tmpl.template.interps else f.text
    for piece in f.tmpl.template.pieces:
        if isinstance(piece, Malformed):
            size = piece.end - piece.start
            text = text[: piece.start] + "x" * size + text[piece.end :]
    return text


# -- OJ601 --------------------------------------------------------------------------------------


def line_range(text: str, line: int) -> tuple[int, int]:
    """Decoded offsets of line `line` (1-based) without its newline; a line past the end or
    a blank one falls back to the last non-blank line before it."""
    lines = text.split("\n")
    index = min(max(line, 1), len(lines)) - 1
    while index > 0 and not lines[index].strip():
        index -= 1
    start = decoded_line_offset(text, index + 1)
    return start, start + len(lines[index])


def _syntax(f: ShellField, error: BashError) -> Diagnostic:
    a, b = line_range(f.text, error.line)
    message = _backticks(error.message)
    if not message.startswith("syntax error"):
        message = f"syntax error: {message}"
    d = diag("OJ601", f"shell {message}", f.span(a, b), "rejected by `bash -n`")
    return rec.evolve(d, runbook=f.runbook)


_BASH_QUOTE = re.compile(r"`([^`']*)'")


def _backticks(text: str) -> str:
    """bash quotes as `x'; the diagnostics quote as `x`."""
    return _BASH_QUOTE.sub(lambda m: f"`{m.group(1)}`", text)


# -- OJ602 --------------------------------------------------------------------------------------


def _shellcheck(f: ShellField, finding: Finding) -> Diagnostic | None:
    text = f.text
    a = _offset(text, finding.line, finding.column)
    b = _offset(text, finding.end_line, finding.end_column)
    if b <= a:
        b = min(a + 1, len(text))
    if finding.code in PLACEHOLDER_CODES:
        # These point at the operator or word beside the placeholder: any on the lines counts.
        first = decoded_line_offset(text, finding.line)
        last = text.find("\n", b)
        last = len(text) if last < 0 else last
        if any(first <= i.start < last for i in f.scan.interps):
            return None
    severity = _LEVELS.get(finding.level, Severity.INFO)
    d = diag(
        "OJ602",
        f"SC{finding.code}: {_sentence(finding.message)}",
        f.span(a, b),
        "reported by shellcheck",
        help=f"fix it, or add `# shellcheck disable=SC{finding.code}` before the command",
        severity=severity,
    )
    return rec.evolve(d, runbook=f.runbook)


def _offset(text: str, line: int, column: int) -> int:
    start = decoded_line_offset(text, max(line, 1))
    end = text.find("\n", start)
    end = len(text) if end < 0 else end
    return min(start + max(column, 1) - 1, end)


_SC_QUOTE = re.compile(r"(?<![A-Za-z0-9])'([^'\n]+?)'(?![A-Za-z0-9])")


def _sentence(message: str) -> str:
    """shellcheck's sentence in diagnostic style: lowercase start, no final period, backticks."""
    text = _SC_QUOTE.sub(lambda m: f"`{m.group(1)}`", message.strip())
    if text.endswith(".") and not text.endswith(".."):
        text = text[:-1]
    if text[:1].isupper() and not text[1:2].isupper():
        text = text[0].lower() + text[1:]
    return text


# -- OJ603 --------------------------------------------------------------------------------------

_EMIT_OPTIONS = frozenset({"--subject", "--data", "--json", "-s", "-d"})


def _emits(f: ShellField) -> Iterator[Diagnostic]:
    if "emit" not in f.text:
        return
    for command in f.scan.commands:
        p = command.program
        words = command.words
        if p is None or p + 1 >= len(words) or not words[p].literal:
            continue
        if words[p].value.rsplit("/", 1)[-1] != "oj" or words[p + 1].value != "emit":
            continue
        name = _emit_name(words[p + 2 :])
        if name is None:
            continue
        colon = name.text.find(":")
        if colon <= 0 or any(name.start <= i.start < name.start + colon for i in f.scan.interps):
            continue
        scope = Word(name.start, name.start + colon, name.text[:colon], True).value
        if scope not in RESERVED_SCOPES:
            continue
        rest = name.text[colon + 1 :]
        shown = Word(name.start, name.end, name.text, name.literal).value
        d = diag(
            "OJ603",
            f"`oj emit {shown}` will be refused: `{scope}` is reserved",
            f.span(name.start, name.end),
            "reserved event scope",
            help=f"use a custom scope, e.g. `build:{Word(0, 0, rest, True).value or 'done'}`",
        )
        yield rec.evolve(d, runbook=f.runbook)


def _emit_name(words: tuple[Word, ...]) -> Word | None:
    i = 0
    while i < len(words):
        value = words[i].value
        if value in _EMIT_OPTIONS:
            i += 2
            continue
        if value.startswith("-"):
            i += 1
            continue
        return words[i]
    return None
