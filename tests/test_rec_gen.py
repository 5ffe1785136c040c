"""The precompiled record templates (`ojlang.rec_templates`) are complete and current."""

from __future__ import annotations

from typing import Any

from ojlang import rec, rec_gen, rec_templates


def test_every_shape_of_the_package_is_precompiled() -> None:
    missing = [shape for shape in rec_gen.shapes() if shape not in rec_templates.TEMPLATES]
    assert not missing, "ojlang/rec_templates.py is stale: run `make grammars`"


def test_each_precompiled_template_is_the_code_of_its_source() -> None:
    for shape, function in rec_templates.TEMPLATES.items():
        namespace: dict[str, Any] = {}
        exec(compile(rec.template_source(shape), "<record>", "exec"), namespace)
        made = namespace["__init__"].__code__
        assert function.__code__.co_code == made.co_code, shape
        assert function.__code__.co_varnames == made.co_varnames, shape
        assert function.__code__.co_names == made.co_names, shape


def test_a_shape_outside_the_package_is_compiled() -> None:
    @rec.frozen
    class Odd:
        a: int
        b: list[int] = rec.field(factory=list)
        c: str = "c"
        d: int = rec.field(default=0, kw_only=True)
        e: int = rec.field(default=1, kw_only=True)
        f: int = rec.field(default=2, kw_only=True)

    assert rec.shape_of(Odd) not in rec_templates.TEMPLATES
    assert Odd(1, d=4) == Odd(1, [], "c", d=4, e=1, f=2)
    assert Odd(1).b == []
