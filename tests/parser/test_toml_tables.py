"""Which keys go where (`toml_tables`): table origins and TOML 1.0's rules for redefinition,
decided as `tomllib` decides them."""

from __future__ import annotations

import tomllib

import pytest

from ojlang.parser.errors import TomlError
from ojlang.parser.toml import parse_toml
from ojlang.parser.tomltree import ArrayOrigin, TableOrigin, TArray, TTable, plain

ACCEPTED = {
    "implicit-then-header": "[a.b.c]\nx = 1\n[a]\ny = 2\n",
    "implicit-reached-by-dotted-key": "[a.b.c]\nx = 1\n[a]\nb.d = 2\n",
    "sub-header-of-dotted-table": "[a]\nb.c = 1\n[a.b.d]\ne = 2\n",
    "array-of-tables-sub-tables": "[[a]]\n[a.b]\nx = 1\n[[a]]\n[a.b]\nx = 2\n",
    "dotted-keys-in-one-section": "[t]\nx.a = 1\nx.b = 2\ny = 3\n",
    "inline-dotted-keys": "d = { a.b = 1, a.c = 2 }\n",
    "array-of-tables-under-implicit": "[[a.b]]\nx = 1\n[a]\ny = 2\n",
    "keys-that-look-like-values": "true = 1\n1.2 = 3\n2024-01-01 = 4\ninf = 5\n",
}

REJECTED = {
    "dotted-table-reopened-by-header": "[a.b.c]\nx = 1\n[a]\nb.d = 2\n[a.b]\n",
    "header-twice-under-array-element": "[[a]]\n[a.b]\n[a.b]\n",
    "dotted-key-into-array-of-tables": "[[a.b]]\n[a]\nb.x = 1\n",
    "header-redefines-array-element-key": "[[a]]\nb = 1\n[a.b]\n",
}


@pytest.mark.parametrize("name", list(ACCEPTED))
def test_accepted_like_tomllib(name: str) -> None:
    text = ACCEPTED[name]
    assert plain(parse_toml(text, "x.toml").root) == tomllib.loads(text)


@pytest.mark.parametrize("name", list(REJECTED))
def test_rejected_like_tomllib(name: str) -> None:
    text = REJECTED[name]
    with pytest.raises(tomllib.TOMLDecodeError):
        tomllib.loads(text)
    with pytest.raises(TomlError) as caught:
        parse_toml(text, "x.toml")
    assert caught.value.diagnostic.code == "OJ002"
    assert caught.value.diagnostic.labels[0].message == "first defined here"


def test_origins() -> None:
    doc = parse_toml(
        "a.b = 1\nc = { d = 2 }\n[e.f]\n[[g]]\n[[g]]\n",
        "x.toml",
    )
    root = doc.root
    assert root.origin is TableOrigin.ROOT

    def table(name: str) -> TTable:
        node = root.get(name)
        assert isinstance(node, TTable)
        return node

    assert table("a").origin is TableOrigin.DOTTED
    assert table("c").origin is TableOrigin.INLINE
    assert table("e").origin is TableOrigin.IMPLICIT
    f = table("e").get("f")
    assert isinstance(f, TTable) and f.origin is TableOrigin.HEADER
    g = root.get("g")
    assert isinstance(g, TArray) and g.origin is ArrayOrigin.TABLES
    assert [t.origin for t in g.items if isinstance(t, TTable)] == [TableOrigin.ARRAY_ELEMENT] * 2
    assert list(root.entries) == ["a", "c", "e", "g"]
