"""The generated parser modules are up to date with `grammars/*.lark` (`make grammars`)."""

from __future__ import annotations

import importlib

import pytest

from ojlang.parser.lalr_gen import GRAMMARS, grammar_digest, tables


@pytest.mark.parametrize("name", GRAMMARS)
def test_generated_tables_match_their_grammar(name: str) -> None:
    module = importlib.import_module(f"ojlang.parser.generated.{name}")
    assert grammar_digest(name) == module.GRAMMAR_SHA256, (
        f"ojlang/parser/generated/{name}.py is stale: run `make grammars`"
    )


@pytest.mark.parametrize("name", ["duration", "interpolation", "toml"])
def test_generation_reproduces_the_committed_tables(name: str) -> None:
    module = importlib.import_module(f"ojlang.parser.generated.{name}")
    for key, value in tables(name).items():
        assert getattr(module, key) == value, key


def test_no_grammar_is_left_out() -> None:
    from importlib import resources

    files = resources.files("ojlang.parser") / "grammars"
    names = sorted(
        p.name.removesuffix(".lark") for p in files.iterdir() if p.name.endswith(".lark")
    )
    assert names == sorted(GRAMMARS)
