"""The Neovim and Helix injection queries, run on the real tree-sitter TOML grammar: shell keys
inject bash, `prompt` injects Jinja, nothing else is injected. Neovim's `lua-match?` and
`offset!` are evaluated here the way Neovim does for these simple patterns."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import tree_sitter_toml
from tree_sitter import Language, Node, Parser, Query, QueryCursor

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = Path(__file__).parent / "grammar_samples"
TOML = Language(tree_sitter_toml.language())
PARSER = Parser(TOML)
# One Query per file for the whole run: tree-sitter 0.26 crashes when a second Query of the
# same language is built after the first one was freed.
QUERIES = {
    editor: Query(TOML, (ROOT / "editors" / editor / "queries/toml/injections.scm").read_text())
    for editor in ("nvim", "helix")
}


def _injections(editor: str, sample: str) -> list[tuple[str, str, str]]:
    """(language, key, injected text) for each injection of `editor`'s query in `sample`."""
    query = QUERIES[editor]
    tree = PARSER.parse((SAMPLES / sample).read_bytes())
    offsets: dict[int, tuple[int, int]] = {}

    def predicate(name: str, args: Any, pattern: int, captures: dict[str, list[Node]]) -> bool:
        text = (captures[args[0][0]][0].text or b"").decode()
        if name in ("lua-match?", "not-lua-match?"):
            return bool(re.match(args[1][0], text)) == (name == "lua-match?")
        if name == "offset!":
            offsets[pattern] = (int(args[2][0]), int(args[4][0]))
            return True
        raise AssertionError(f"unexpected predicate {name}")

    out = []
    for pattern, captures in QueryCursor(query).matches(tree.root_node, predicate=predicate):
        language = query.pattern_settings(pattern)["injection.language"]
        text = (captures["injection.content"][0].text or b"").decode()
        start, end = offsets.get(pattern, (0, 0))
        key = (captures["_key"][0].text or b"").decode() if "_key" in captures else ""
        out.append((language, key, text[start : len(text) + end]))
    return out


def test_neovim_injects_bash_and_jinja_without_the_quotes() -> None:
    shell = _injections("nvim", "shell.toml")
    assert [(lang, key) for lang, key, _ in shell] == [
        ("bash", "run"),
        ("bash", "run"),
        ("bash", "condition"),
    ]
    assert shell[0][2].startswith("make {target") and shell[0][2].endswith("'{{.Names}}'")
    assert shell[1][2] == '\nif [ -n "{goal}" ]; then\n  for f in {files}; do echo "$f"; done\nfi\n'
    assert shell[2][2] == "test -s {workspace}/plans/{name | slug}.md"
    [(lang, key, text)] = _injections("nvim", "prompts.toml")
    assert (lang, key) == ("jinja", "prompt")
    assert text.startswith("\n{# the plan #}") and text.endswith("{% endfor %}\n")


@pytest.mark.parametrize("sample", ["shell.toml", "prompts.toml"])
def test_helix_injects_the_same_strings(sample: str) -> None:
    helix = [(lang, key) for lang, key, _ in _injections("helix", sample) if lang != "comment"]
    nvim = [(lang, key) for lang, key, _ in _injections("nvim", sample)]
    assert helix == nvim


def test_both_files_extend_the_builtin_queries() -> None:
    for editor in ("nvim", "helix"):
        text = (ROOT / "editors" / editor / "queries/toml/injections.scm").read_text()
        assert text.startswith(";; extends\n")
