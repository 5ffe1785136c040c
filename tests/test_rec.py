"""Record classes (`ojlang.rec`) behave as the attrs classes they replace."""

from __future__ import annotations

import copy
import pickle
from typing import Any

import attrs
import pytest

from ojlang import rec


@rec.frozen
class Point:
    x: int
    y: int = 0
    tags: tuple[str, ...] = ()


@rec.frozen(kw_only=True)
class Base:
    span: int
    table: Any = rec.field(eq=False, repr=False)


@rec.frozen(kw_only=True)
class Child(Base):
    name: str | None = rec.field(default=None, metadata={"doc": "a name"})
    items: list[int] = rec.field(factory=list)


@rec.define
class Counter:
    total: int = 0
    seen: set[str] = rec.field(factory=set)
    derived: int = rec.field(init=False)

    def __attrs_post_init__(self) -> None:
        self.derived = self.total * 2


@rec.frozen(eq=False)
class Opaque:
    value: int


@attrs.frozen
class Reference:
    x: int
    y: int = 0
    tags: tuple[str, ...] = ()


def test_construction_defaults_and_repr_match_attrs() -> None:
    assert repr(Point(1)) == repr(Reference(1)).replace("Reference", "Point")
    assert repr(Point(1, 2, ("a",))) == "Point(x=1, y=2, tags=('a',))"
    assert Point(x=3).y == 0
    with pytest.raises(TypeError):
        Point()  # type: ignore[call-arg]


def test_frozen_records_refuse_changes() -> None:
    p = Point(1)
    with pytest.raises(rec.FrozenInstanceError):
        p.x = 2  # type: ignore[misc]
    with pytest.raises(AttributeError):
        del p.x  # type: ignore[misc]
    assert not hasattr(p, "__dict__")


def test_equality_and_hash_by_value_and_class() -> None:
    assert Point(1, 2) == Point(1, 2)
    assert Point(1, 2) != Point(2, 1)
    assert hash(Point(1, 2)) == hash(Point(1, 2))
    assert Point(1) != Reference(1)
    assert len({Point(1), Point(1), Point(2)}) == 2


def test_fields_excluded_from_eq_and_repr() -> None:
    a = Child(span=1, table="one")
    b = Child(span=1, table="two")
    assert a == b
    assert hash(Base(span=1, table="one")) == hash(Base(span=1, table="two"))
    assert "table" not in repr(a)
    assert repr(a) == "Child(span=1, name=None, items=[])"


def test_inheritance_keyword_only_and_factories() -> None:
    c = Child(span=1, table=None, name="n")
    assert [f.name for f in rec.fields(Child)] == ["span", "table", "name", "items"]
    assert c.items == [] and c.items is not Child(span=1, table=None).items
    with pytest.raises(TypeError):
        Child(1, None)  # type: ignore[misc]
    assert rec.fields(Child)[2].metadata["doc"] == "a name"


def test_mutable_records_and_post_init() -> None:
    c = Counter(3)
    assert c.derived == 6
    c.total = 4
    c.seen.add("x")
    assert (c.total, c.seen, c.derived) == (4, {"x"}, 6)
    assert Counter(3) == Counter(3) != Counter(4)
    with pytest.raises(TypeError):
        hash(c)


def test_identity_comparison_when_eq_is_off() -> None:
    assert Opaque(1) != Opaque(1)
    assert len({Opaque(1), Opaque(1)}) == 2


def test_evolve_copy_and_pickle() -> None:
    c = Child(span=1, table=None, name="n", items=[1])
    assert rec.evolve(c, name="m") == Child(span=1, table=None, name="m", items=[1])
    assert copy.copy(c) == c and copy.deepcopy(c) == c
    assert pickle.loads(pickle.dumps(Point(1, 2))) == Point(1, 2)


def test_attrs_introspection_works_on_records() -> None:
    assert attrs.has(Child)
    assert [f.name for f in attrs.fields(Child)] == ["span", "table", "name", "items"]
    assert attrs.evolve(Point(1, 2), y=5) == Point(1, 5)  # type: ignore[misc]


def test_match_args() -> None:
    match Point(1, 2):
        case Point(x, y):
            assert (x, y) == (1, 2)
        case _:
            pytest.fail("no match")
