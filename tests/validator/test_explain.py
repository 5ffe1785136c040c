"""`oj explain`: every code is explained, lookups by code or slug, unknown codes, the list."""

from __future__ import annotations

import tomllib

import pytest
from syrupy.assertion import SnapshotAssertion

from ojlang.validator.catalogue import CATALOGUE
from ojlang.validator.explain import (
    UnknownCodeError,
    explain,
    explain_list,
    lookup,
    unknown_code_help,
)
from ojlang.validator.explanations import EXPLANATIONS

TOP_LEVEL = {
    *("command", "worker", "cron", "queue", "pipeline", "task", "guard", "strategy", "lock"),
    *("semaphore", "watcher", "scanner", "action", "events", "notify", "config", "functions"),
    "meta",
}
NOT_TOML = {"OJ001", "OJ002", "OJ003"}
SAME_TEXT = {"OJ004", "OJ107", "OJ901"}  # the fix is about the file, not its text


def test_every_code_has_an_explanation() -> None:
    assert list(EXPLANATIONS) == list(CATALOGUE)


@pytest.mark.parametrize("code", list(CATALOGUE))
def test_explanation_is_complete(code: str) -> None:
    entry = EXPLANATIONS[code]
    assert entry.code == code
    for text in (entry.trigger, entry.why, entry.bad, entry.good):
        assert text.strip()
    assert entry.bad.endswith("\n") and entry.good.endswith("\n")
    assert all(r in CATALOGUE and r != code for r in entry.related)
    assert entry.path.startswith("runbooks/") and entry.path.endswith(".toml")
    assert entry.fixed_path.startswith("runbooks/") and entry.fixed_path.endswith(".toml")
    if code in SAME_TEXT:
        assert entry.bad == entry.good
    else:
        assert entry.bad != entry.good


@pytest.mark.parametrize("code", list(CATALOGUE))
def test_examples_are_toml(code: str) -> None:
    entry = EXPLANATIONS[code]
    good = tomllib.loads(entry.good)
    assert set(good) <= TOP_LEVEL
    if code in NOT_TOML:
        with pytest.raises(tomllib.TOMLDecodeError):
            tomllib.loads(entry.bad)
    else:
        tomllib.loads(entry.bad)
    for path, text in entry.files:
        assert text.strip()
        if path.endswith(".toml"):
            assert set(tomllib.loads(text)) <= TOP_LEVEL


def test_only_unreadable_file_is_not_checkable() -> None:
    assert [code for code, e in EXPLANATIONS.items() if not e.checkable] == ["OJ004"]


@pytest.mark.parametrize("text", ["OJ301", "oj301", "301", " OJ301 ", "undefined-variable"])
def test_lookup_by_code_or_slug(text: str) -> None:
    info = lookup(text)
    assert info is not None and info.code == "OJ301"
    assert explain(text) == explain("OJ301")


@pytest.mark.parametrize("code", ["OJ301", "OJ003", "OJ205", "OJ107", "OJ503"])
def test_explain_text(code: str, snapshot: SnapshotAssertion) -> None:
    assert explain(code) == snapshot


@pytest.mark.parametrize("code", list(CATALOGUE))
def test_explain_has_every_part(code: str) -> None:
    text = explain(code)
    info = CATALOGUE[code]
    assert text.startswith(f"# {code} {info.slug}\n\nSeverity: {info.severity.value}\n")
    for heading in ("What triggers it", "Why it matters", "Failing example", "Fixed example"):
        assert f"\n## {heading}\n" in text
    assert "\ufeff" not in text


def test_unknown_code_is_an_error_with_help() -> None:
    with pytest.raises(UnknownCodeError) as caught:
        explain("OJ3011")
    assert caught.value.message == "unknown code or slug `OJ3011`"
    assert caught.value.help == "a code with a similar name exists: `OJ301` (undefined-variable)"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("undefined-varible", "a code with a similar name exists: `OJ301` (undefined-variable)"),
        ("Unused-Input", None),
        ("OJ-303", "a code with a similar name exists: `OJ303` (unused-input)"),
        ("oj9066", "a code with a similar name exists: `OJ906` (custom-event-hook)"),
        ("nothing-like-it", "run `oj explain --list` to see every code"),
    ],
)
def test_unknown_code_help(text: str, expected: str | None) -> None:
    if expected is None:
        assert lookup(text) is not None
    else:
        assert lookup(text) is None
        assert unknown_code_help(text) == expected


def test_explain_list(snapshot: SnapshotAssertion) -> None:
    text = explain_list()
    lines = text.splitlines()
    assert len(lines) == len(CATALOGUE) + 1
    slug_at = lines[0].index("SLUG")
    severity_at = lines[0].index("SEVERITY")
    trigger_at = lines[0].index("TRIGGER")
    for line, info in zip(lines[1:], CATALOGUE.values(), strict=True):
        assert line.startswith(info.code)
        assert line[slug_at:].startswith(info.slug)
        assert line[severity_at:].startswith(info.severity.value)
        assert line[trigger_at:] == info.trigger
    assert text == snapshot
