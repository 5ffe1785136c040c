"""Runbooks in, security warnings out: OJ701–OJ704 on shell interpolations, OJ705 hard-coded
secrets in `env`, `[config]`, `args` and `webhook`, OJ706 a plain-`http` webhook (LANGUAGE.md §7.7).

The shell codes read the lexer's answer for each interpolation (`ojlang.parser.shell_context`):
one diagnostic per interpolation, the first that applies of `| raw` (OJ701), quoted heredoc body
(OJ702), double evaluation (OJ703), program name (OJ704); nothing in comments.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ojlang import rec
from ojlang.parser import ast
from ojlang.parser.fields import MapField, Tmpl
from ojlang.parser.interpolation import Interp, scan_template
from ojlang.parser.shell_context import InterpContext
from ojlang.parser.tomltree import TArray, TString, TTable, Value
from ojlang.runtime.core.shellcontext import ShellContext
from ojlang.validator.checks import CheckContext
from ojlang.validator.checks.shell import ShellField, shell_fields
from ojlang.validator.diagnostic import Applicability, Diagnostic, Edit, Fix, Label, diag
from ojlang.validator.model import ProjectModel


def check(model: ProjectModel, ctx: CheckContext) -> Iterator[Diagnostic]:
    for runbook in model.iter_reported():
        found: list[Diagnostic] = []
        for f in shell_fields(runbook):
            found.extend(_interpolations(f))
        found.extend(_secrets(runbook))
        found.extend(_webhook(runbook))
        for d in found:
            yield rec.evolve(d, runbook=runbook.name)


# -- OJ701–OJ704 --------------------------------------------------------------------------------


def _interpolations(f: ShellField) -> Iterator[Diagnostic]:
    if not f.tmpl.template.interps:
        return
    contexts = {c.start: c for c in f.scan.interps}
    for interp in f.tmpl.template.interps:
        where = contexts.get(interp.start)
        if where is not None:
            yield from _interpolation(f, interp, where)


def _interpolation(f: ShellField, interp: Interp, where: InterpContext) -> Iterator[Diagnostic]:
    shown = f.text[interp.start : interp.end]
    if any(flt.name == "raw" for flt in interp.filters):
        yield diag(
            "OJ701",
            f"`{shown}` is inserted into shell without escaping",
            f.span(interp.start, interp.end),
            "not escaped",
            help="remove `| raw` unless the value is trusted shell code",
        )
        return
    if where.context is ShellContext.COMMENT:
        return
    if where.context is ShellContext.QUOTED_HEREDOC:
        delimiter = where.delimiter or "EOF"
        labels: tuple[Label, ...] = ()
        if where.heredoc is not None:
            a, b = where.heredoc
            labels = (Label(f.span(a, b), "quoted delimiter"),)
        yield diag(
            "OJ702",
            f"`{shown}` is inserted verbatim in a quoted heredoc",
            f.span(interp.start, interp.end),
            "not escaped",
            labels=labels,
            help=f"use `<<{delimiter}` or pass it through the environment",
        )
        return
    if where.evaluator is not None:
        yield diag(
            "OJ703",
            f"`{shown}` is escaped once but evaluated twice by `{where.evaluator}`",
            f.span(interp.start, interp.end),
            "evaluated again",
            help=_double_help(where.evaluator, shown),
        )
        return
    if where.command_word:
        yield diag(
            "OJ704",
            f"`{shown}` runs a program chosen by a variable",
            f.span(interp.start, interp.end),
            "program name",
            help="run a fixed program and pass the value to it as an argument",
        )


def _double_help(evaluator: str, shown: str) -> str:
    if evaluator.endswith(" -c"):
        shell = evaluator[:-3]
        return f"pass it as an argument: `{shell} -c '… \"$1\" …' _ {shown}`"
    if evaluator == "eval":
        return "avoid `eval`: run the command directly, or pass the value through the environment"
    if evaluator == "ssh":
        return (
            "the remote shell parses the command again: send the value on stdin, or check "
            "that it is a plain word first"
        )
    return f"pass it as an argument: `{evaluator} -s -- {shown} <<'EOF'` and use `\"$1\"`"


# -- OJ705 --------------------------------------------------------------------------------------

_TOKENS: tuple[tuple[re.Pattern[str], str, str], ...] = (
    (re.compile(r"\b(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{30,}"), "token", "GitHub token"),
    (re.compile(r"\bgithub_pat_[A-Za-z0-9_]{30,}"), "token", "GitHub token"),
    (re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"), "access key", "AWS access key ID"),
    (re.compile(r"\bxox[abposr]-[A-Za-z0-9-]{10,}"), "token", "Slack token"),
    (
        re.compile(r"hooks\.slack\.com/services/T[A-Za-z0-9]+/B[A-Za-z0-9]+/[A-Za-z0-9]{16,}"),
        "token",
        "Slack webhook secret",
    ),
    (re.compile(r"\bglpat-[A-Za-z0-9_-]{20,}"), "token", "GitLab token"),
    (re.compile(r"\bsk-(?:ant-|proj-)?[A-Za-z0-9_-]{32,}"), "API key", "API key"),
    (re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----"), "private key", "private key"),
)
_URL_PASSWORD = re.compile(r"://[^/\s:@{}]+:([^/\s@{}]+)@")
_URL_TOKEN = re.compile(
    r"[?&](?:token|access_token|api_key|apikey|key|secret|password|sig)=([^&\s#{}]{16,})", re.I
)
_HEX = re.compile(r"[0-9a-fA-F]{20,}")
_B64 = re.compile(r"[A-Za-z0-9+/_.-]{20,}={0,2}")
_KEY_WORDS = frozenset(
    {"token", "secret", "password", "passwd", "pwd", "key", "apikey", "credential", "pat", "auth"}
)
_KEY_PARTS = ("token", "secret", "password", "passwd", "apikey", "credential")
_SPLIT = re.compile(r"[^A-Za-z0-9]+|(?<=[a-z0-9])(?=[A-Z])")


def secretish_key(key: str) -> bool:
    """True when a key is named like a credential (`token`, `api_key`, `dbPassword`, …)."""
    words = {w.lower() for w in _SPLIT.split(key) if w}
    lower = key.lower()
    return bool(words & _KEY_WORDS) or any(part in lower for part in _KEY_PARTS)


def find_secret(key: str, text: str) -> tuple[int, int, str, str] | None:
    """The credential-like part of `text` (interpolations ignored): offsets, noun, label."""
    masked = _masked(text)
    for pattern, noun, label in _TOKENS:
        m = pattern.search(masked)
        if m:
            return m.start(), m.end(), noun, label
    for pattern, noun, label in (
        (_URL_PASSWORD, "password", "password in the URL"),
        (_URL_TOKEN, "token", "token in the URL"),
    ):
        m = pattern.search(masked)
        if m:
            return m.start(1), m.end(1), noun, label
    if not secretish_key(key):
        return None
    stripped = masked.strip()
    start = masked.find(stripped) if stripped else 0
    if _random_looking(stripped):
        return start, start + len(stripped), "secret", "long random value"
    return None


def _random_looking(value: str) -> bool:
    if _HEX.fullmatch(value):
        return any(c.isdigit() for c in value) and any(c.isalpha() for c in value)
    if not _B64.fullmatch(value):
        return False
    has_digit = any(c.isdigit() for c in value)
    mixed_case = any(c.islower() for c in value) and any(c.isupper() for c in value)
    return has_digit and mixed_case


def _masked(text: str) -> str:
    """`text` with each interpolation blanked (same length)."""
    if "{" not in text:
        return text
    out = list(text)
    for interp in scan_template(text).interps:
        out[interp.start : interp.end] = " " * (interp.end - interp.start)
    return "".join(out)


def _secrets(runbook: ast.Runbook) -> Iterator[Diagnostic]:
    for task in runbook.of("task").values():
        if isinstance(task, ast.Task) and task.env is not None:
            for key, node in _map_strings(task.env):
                yield from _secret(f"env.{key}", key, node, f"use `{{env.{key}}}`")
    if runbook.config is not None:
        for path, key, node in _table_strings(runbook.config, "config"):
            env = _env_name(key)
            help = f"read it from the environment where it is used, e.g. `{{env.{env}}}`"
            yield from _secret(path, key, node, help)
    for args in _args(runbook):
        for key, node in _map_strings(args):
            yield from _secret(f"args.{key}", key, node, f"use `{{env.{_env_name(key)}}}`")
    if runbook.notify is not None and runbook.notify.webhook is not None:
        node = runbook.notify.webhook.node
        yield from _secret("notify.webhook", "webhook", node, "use `{env.NOTIFY_WEBHOOK}`")


def _secret(name: str, key: str, node: TString, help: str) -> Iterator[Diagnostic]:
    found = find_secret(key, node.value)
    if found is None:
        return
    a, b, noun, label = found
    yield diag(
        "OJ705",
        f"`{name}` looks like a hard-coded {noun}",
        node.source_map.span(a, b),
        label,
        help=help,
    )


def _env_name(key: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "_", key).strip("_").upper() or "SECRET"


def _args(runbook: ast.Runbook) -> Iterator[MapField]:
    for action in runbook.of("action").values():
        if isinstance(action, ast.Action) and action.args is not None:
            yield action.args
    for watcher in runbook.of("watcher").values():
        if isinstance(watcher, ast.Watcher) and isinstance(watcher.response, tuple):
            for response in watcher.response:
                if response.args is not None:
                    yield response.args


def _map_strings(field: MapField) -> Iterator[tuple[str, TString]]:
    for entry in field.entries:
        value = entry.value
        if isinstance(value, Tmpl):
            yield entry.key.name, value.node
        elif isinstance(value, TString):
            yield entry.key.name, value
        elif isinstance(value, TTable | TArray):
            for _, key, node in _value_strings(value, entry.key.name, entry.key.name):
                yield key, node


def _table_strings(table: TTable, prefix: str) -> Iterator[tuple[str, str, TString]]:
    for name, entry in table.entries.items():
        yield from _value_strings(entry.value, f"{prefix}.{name}", name)


def _value_strings(value: Value, path: str, key: str) -> Iterator[tuple[str, str, TString]]:
    if isinstance(value, TString):
        yield path, key, value
    elif isinstance(value, TTable):
        yield from _table_strings(value, path)
    elif isinstance(value, TArray):
        for i, item in enumerate(value.items):
            yield from _value_strings(item, f"{path}[{i}]", key)


# -- OJ706 --------------------------------------------------------------------------------------

_HTTP = re.compile(r"\s*(http)://([^/?#\s]*)", re.I)


def _webhook(runbook: ast.Runbook) -> Iterator[Diagnostic]:
    if runbook.notify is None or runbook.notify.webhook is None:
        return
    node = runbook.notify.webhook.node
    m = _HTTP.match(node.value)
    if m is None or m.group(1).lower() != "http":
        return
    host = m.group(2).rsplit("@", 1)[-1]
    if "{" in host or not host or is_loopback(host):
        return
    span = node.source_map.span(m.start(1), m.end(1))
    yield diag(
        "OJ706",
        "webhook uses plain `http`",
        span,
        "not encrypted",
        help="use `https`",
        fix=Fix(Applicability.UNSAFE, "use `https`", (Edit(span, "https"),)),
    )


def is_loopback(host: str) -> bool:
    """`localhost`, `*.localhost`, `127.x.x.x`, `[::1]`, with or without a port."""
    if host.startswith("["):
        name = host[1:].split("]", 1)[0]
    else:
        name = host.rsplit(":", 1)[0] if host.count(":") == 1 else host
    name = name.lower().rstrip(".")
    if name == "localhost" or name.endswith(".localhost"):
        return True
    import ipaddress

    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False
