"""Typed records of watchers and scanners, and the event scopes of patterns (§3.11, §3.12, §4.7)."""

from __future__ import annotations

import pytest
from scope_kit import model_of

from ojlang.parser import ast
from ojlang.parser.patterns import parse_pattern
from ojlang.validator.records import event_scopes, record_type
from ojlang.validator.scopes import ScopeModel


def record_of(kind: str, source: str) -> tuple[list[str] | None, bool]:
    text = f"""
[queue.typed]
fields = {{ title = "string" }}
[queue.untyped]
[{kind}.m]
{"check_interval" if kind == "watcher" else "interval"} = "1m"
{source}
"""
    sm = ScopeModel(model_of(r=text))
    monitor = sm.model.runbooks["r"].of(kind)["m"]
    assert isinstance(monitor, (ast.Watcher, ast.Scanner))
    record, dynamic = record_type(sm, "r", monitor)
    return (list(record.fields) if record.fields is not None else None), dynamic


@pytest.mark.parametrize(
    "kind, source, fields",
    [
        ("watcher", "", ["id", "session", "pipeline", "task", "phase", "idle", "text"]),
        (
            "watcher",
            'source = { type = "events", pattern = "build:*" }',
            ["id", "count", "events", "last", "text"],
        ),
        (
            "watcher",
            'source = { type = "pipelines" }',
            ["id", "name", "pipeline", "runbook", "phase", "state", "attempt", "age", "error"],
        ),
        (
            "watcher",
            'source = { type = "queue", name = "typed" }',
            ["id", "priority", "created_at", "attempts", "title", "state", "age"],
        ),
        ("scanner", "", ["id", "kind", "age", "state", "name", "holder"]),
        (
            "scanner",
            'source = { type = "worktrees" }',
            ["id", "kind", "age", "state", "path", "branch", "dirty"],
        ),
    ],
)
def test_typed_sources_give_checkable_records(kind: str, source: str, fields: list[str]) -> None:
    assert record_of(kind, source) == (fields, False)


@pytest.mark.parametrize(
    "kind, source",
    [
        ("watcher", 'source = "cat records.json"'),
        ("watcher", 'source = { type = "command", command = "ls" }'),
        ("watcher", 'source = { type = "queue", name = "untyped" }'),
        ("scanner", 'source = "ls .oj"'),
    ],
)
def test_shell_sources_and_untyped_queues_give_dynamic_records(kind: str, source: str) -> None:
    assert record_of(kind, source) == (None, True)


@pytest.mark.parametrize(
    "text, scopes",
    [
        ("pipeline:complete", ["pipeline"]),
        ("queue:**", ["queue"]),
        ("build:done", []),
        ("*:failed", None),
        ("{kind}:failed", None),
    ],
)
def test_event_scopes_of_patterns(text: str, scopes: list[str] | None) -> None:
    assert event_scopes(parse_pattern(text), text) == scopes


def test_event_scopes_of_hook_aliases_come_from_the_event_text() -> None:
    assert event_scopes(None, "pipeline:complete") == ["pipeline"]
    assert event_scopes(None, "fix:complete") == []
