"""Fake agent scenarios (RUNTIME.md §9.6): TOML text in, a checked `Scenario` out, or every
problem with its line and column.

Keys: `name`; `[config]` `startup_ms` (200), `idle_notify_ms` (5000), `typing_ms` (5);
`[[responses]]` with `pattern = { type = any|contains|exact|regex|glob, text }`, `delay_ms`,
`times` (uses of the rule; unlimited by default), `text`, `steps` (inline tables with exactly
one of `shell`, `sleep_ms`, `say`) and `failure = { type, … }` (§9.6 table). Unknown keys,
wrong types, bad regular expressions and unknown failure parameters are errors.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Callable
from typing import Any

import attrs

from ojlang.parser.errors import TomlError
from ojlang.parser.spans import Span
from ojlang.parser.toml import parse_toml
from ojlang.parser.tomltree import TArray, TFloat, TInteger, TString, TTable, Value, type_name

PATTERN_TYPES = ("any", "contains", "exact", "regex", "glob")
FAILURES: dict[str, dict[str, str]] = {  # type → parameter → kind
    "network_unreachable": {},
    "auth_error": {"message": "str"},
    "rate_limit": {"retry_after": "number"},
    "connection_timeout": {"after_ms": "int"},
    "malformed_json": {"raw": "str"},
    "out_of_credits": {},
    "hang": {},
    "crash": {"exit_code": "int"},
}


@attrs.frozen
class Problem:
    line: int
    col: int
    message: str

    def render(self, path: str) -> str:
        return f"{path}:{self.line}:{self.col}: error: {self.message}"


class ScenarioError(Exception):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(problems[0].message if problems else "invalid scenario")
        self.problems = problems


@attrs.frozen
class Pattern:
    type: str = "any"
    text: str = ""

    def matches(self, message: str) -> bool:
        if self.type == "any":
            return True
        if self.type == "contains":
            return self.text.lower() in message.lower()
        if self.type == "exact":
            return message.strip() == self.text
        if self.type == "regex":
            return re.search(self.text, message) is not None
        return fnmatch.fnmatchcase(message, self.text)


@attrs.frozen
class Step:
    shell: str | None = None
    sleep_ms: int | None = None
    say: str | None = None


@attrs.frozen
class Failure:
    type: str
    message: str = "invalid x-api-key"
    retry_after: float = 60.0
    after_ms: int = 30_000
    raw: str = '{"type": "message", "content": ['
    exit_code: int = 1


@attrs.frozen
class Response:
    pattern: Pattern
    delay_ms: int = 0
    times: int | None = None
    text: str = ""
    steps: tuple[Step, ...] = ()
    failure: Failure | None = None


@attrs.frozen
class Config:
    startup_ms: int = 200
    idle_notify_ms: int = 5000
    typing_ms: int = 5


@attrs.frozen
class Scenario:
    name: str = ""
    config: Config = Config()
    responses: tuple[Response, ...] = ()


class _Reader:
    """Walks the positioned TOML tree, collecting problems instead of stopping at the first."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def problem(self, span: Span, message: str) -> None:
        self.problems.append(Problem(span.line, span.col, message))

    def keys(self, table: TTable, allowed: tuple[str, ...], where: str) -> None:
        for name, entry in table.entries.items():
            if name not in allowed:
                expected = ", ".join(f"`{a}`" for a in allowed)
                self.problem(
                    entry.key.span, f"unknown key `{name}` in {where}; expected {expected}"
                )

    def _typed(
        self, table: TTable, key: str, check: Callable[[Value], bool], what: str
    ) -> Value | None:
        node = table.get(key)
        if node is None:
            return None
        if not check(node):
            self.problem(node.span, f"`{key}` must be {what}, found {type_name(node)}")
            return None
        return node

    def string(self, table: TTable, key: str) -> str | None:
        node = self._typed(table, key, lambda n: isinstance(n, TString), "a string")
        return node.value if isinstance(node, TString) else None

    def integer(self, table: TTable, key: str, minimum: int = 0) -> int | None:
        node = self._typed(table, key, lambda n: isinstance(n, TInteger), "an integer")
        if not isinstance(node, TInteger):
            return None
        if node.value < minimum:
            self.problem(node.span, f"`{key}` must be at least {minimum}, found {node.value}")
            return None
        return node.value

    def number(self, table: TTable, key: str) -> float | None:
        node = self._typed(table, key, lambda n: isinstance(n, TInteger | TFloat), "a number")
        if not isinstance(node, TInteger | TFloat):
            return None
        if node.value < 0:
            self.problem(node.span, f"`{key}` must not be negative")
            return None
        return float(node.value)

    def table(self, parent: TTable, key: str) -> TTable | None:
        node = self._typed(parent, key, lambda n: isinstance(n, TTable), "a table")
        return node if isinstance(node, TTable) else None

    # -- sections ---------------------------------------------------------------------------

    def config(self, root: TTable) -> Config:
        table = self.table(root, "config")
        if table is None:
            return Config()
        self.keys(table, ("startup_ms", "idle_notify_ms", "typing_ms"), "`[config]`")
        defaults = Config()
        values = {
            key: self.integer(table, key)
            for key in ("startup_ms", "idle_notify_ms", "typing_ms")
            if table.get(key) is not None
        }
        return attrs.evolve(defaults, **{k: v for k, v in values.items() if v is not None})

    def pattern(self, table: TTable, rule: TTable) -> Pattern:
        self.keys(table, ("type", "text"), "`pattern`")
        kind = self.string(table, "type")
        if kind is None:
            if table.get("type") is None:
                self.problem(table.span, "`pattern` needs a `type`: " + ", ".join(PATTERN_TYPES))
            return Pattern()
        if kind not in PATTERN_TYPES:
            node = table.get("type")
            assert node is not None
            self.problem(
                node.span, f"unknown pattern type `{kind}`; use {', '.join(PATTERN_TYPES)}"
            )
            return Pattern()
        text = self.string(table, "text")
        if kind != "any" and text is None:
            if table.get("text") is None:
                self.problem(table.span, f"a `{kind}` pattern needs `text`")
            return Pattern()
        if kind == "regex" and text is not None:
            try:
                re.compile(text)
            except re.error as exc:
                node = table.get("text")
                assert node is not None
                self.problem(node.span, f"invalid regular expression: {exc}")
        return Pattern(kind, text or "")

    def steps(self, rule: TTable) -> tuple[Step, ...]:
        node = rule.get("steps")
        if node is None:
            return ()
        if not isinstance(node, TArray):
            self.problem(node.span, f"`steps` must be an array, found {type_name(node)}")
            return ()
        out: list[Step] = []
        for item in node.items:
            if not isinstance(item, TTable):
                self.problem(item.span, f"a step must be a table, found {type_name(item)}")
                continue
            self.keys(item, ("shell", "sleep_ms", "say"), "a step")
            if len(item.entries) != 1:
                self.problem(item.span, "a step needs exactly one of `shell`, `sleep_ms`, `say`")
                continue
            out.append(
                Step(
                    self.string(item, "shell"),
                    self.integer(item, "sleep_ms"),
                    self.string(item, "say"),
                )
            )
        return tuple(out)

    def failure(self, rule: TTable) -> Failure | None:
        table = self.table(rule, "failure")
        if table is None:
            return None
        kind = self.string(table, "type")
        if kind not in FAILURES:
            node = table.get("type") or table
            names = ", ".join(FAILURES)
            shown = f"unknown failure type `{kind}`" if kind else "`failure` needs a `type`"
            self.problem(node.span, f"{shown}; use {names}")
            return None
        params = FAILURES[kind]
        self.keys(table, ("type", *params), f"a `{kind}` failure")
        values: dict[str, Any] = {"type": kind}
        for name, what in params.items():
            value: object = (
                self.string(table, name)
                if what == "str"
                else self.integer(table, name)
                if what == "int"
                else self.number(table, name)
            )
            if value is not None:
                values[name] = value
        return attrs.evolve(Failure(kind), **values)

    def response(self, rule: TTable) -> Response:
        allowed = ("pattern", "delay_ms", "times", "text", "steps", "failure")
        self.keys(rule, allowed, "`[[responses]]`")
        table = self.table(rule, "pattern")
        if table is None and rule.get("pattern") is None:
            self.problem(rule.span, "a response needs a `pattern`")
        pattern = self.pattern(table, rule) if table is not None else Pattern()
        return Response(
            pattern,
            self.integer(rule, "delay_ms") or 0,
            self.integer(rule, "times", 1),
            self.string(rule, "text") or "",
            self.steps(rule),
            self.failure(rule),
        )

    def scenario(self, root: TTable) -> Scenario:
        self.keys(root, ("name", "config", "responses"), "the scenario")
        responses: list[Response] = []
        node = root.get("responses")
        if node is not None and not isinstance(node, TArray):
            self.problem(
                node.span, f"`responses` must be an array of tables, found {type_name(node)}"
            )
        elif node is not None:
            for item in node.items:
                if isinstance(item, TTable):
                    responses.append(self.response(item))
                else:
                    self.problem(item.span, f"a response must be a table, found {type_name(item)}")
        return Scenario(self.string(root, "name") or "", self.config(root), tuple(responses))


def load_scenario(text: str | bytes, path: str) -> Scenario:
    """The scenario in `text`, or `ScenarioError` with every problem found."""
    try:
        document = parse_toml(text, path)
    except TomlError as exc:
        span = exc.diagnostic.span
        raise ScenarioError([Problem(span.line, span.col, exc.diagnostic.message)]) from exc
    reader = _Reader()
    scenario = reader.scenario(document.root)
    if reader.problems:
        raise ScenarioError(sorted(reader.problems, key=lambda p: (p.line, p.col)))
    return scenario
