"""The jinja2-free subset (`jinja_lite`) gives exactly what jinja2 gives, or declines."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ojlang.validator import jinja_lite
from ojlang.validator.jinja_source import _analyse, env

ROOT = Path(__file__).resolve().parents[2]

CORPUS = [
    "",
    "plain text, no tags",
    "Fix {{ number }} of {{ config.repo }}.\n",
    "{{ config.areas | join(\", \") }} and {{ a|default('x')|upper }}",
    "{% for s in sections.split(',') %}- {{ s }}\n{% endfor %}",
    "{% for a, b in pairs %}{{ a }}={{ b }} {{ loop.index }}{% endfor %}{{ a }}",
    "{% if size > 3 %}big{% elif size == 2 %}two{% else %}{{ other }}{% endif %}",
    "{% if not (a and b) or c not in [1, 2.5, 'x'] %}{{ item['k'][0].name }}{% endif %}",
    "{{ x.items() }}{{ f(a, b,) }}{{ y[z] }}{{ true }}{{ none }}",
    "{% for f in files %}{% for g in f.parts %}{{ g }}{{ f }}{% endfor %}{% endfor %}",
    "{% for x in x %}{{ x }}{% endfor %}",
    "line one\n{{\n  multi\n  . line\n}}\n{% if\nq %}\n{% endif %}",
    "{{ a }} }} %} text { single } {x}",
    # outside the subset: jinja2 decides
    "{# comment #}{{ a }}",
    "{{- a -}}",
    "{% raw %}{{ a }}{% endraw %}",
    "{% set x = 1 %}{{ x }}",
    "{{ a if b else c }}",
    "{{ a | frob }}",
    "{{ a is defined }}",
    "{{ a + 1 }}",
    "{% include 'x.md' %}",
    "{% if a %}",
    "{{ a ",
    "{{ }}",
    "{% endfor %}",
    "{{ 'a' 'b' }}",
    "{{ 1.5.2 }}",
    "{{ 007 }}",
    "{{ a.0 }}",
    "{{ é }}",
    "x\r\n{{ a }}",
    "{{ 1[1[0 and a]] }}",  # jinja2 folds `0 and a` to 0: `a` is not read
    "{{ 's'.a and x }}",  # jinja2 evaluates `'s'.a` while compiling
    "{{ not a[1|upper].a }}",  # jinja2 folds the key to `'1'`: the chain is `a['1'].a`
]


def _jinja_tokens(text: str) -> list[tuple[int, str, str]] | None:
    import jinja2

    try:
        return list(env().lex(text))
    except jinja2.TemplateSyntaxError:
        return None


def _same(text: str) -> bool:
    """Checks `text`; True when the subset took it."""
    tokens = jinja_lite.lex(text)
    if tokens is not None:
        assert tokens == _jinja_tokens(text), text
    found = jinja_lite.analyse(text)
    if found is None:
        return False
    reference = _analyse(text)
    assert reference.error is None and not reference.unknown and not reference.loads, text
    assert found == (reference.roots, reference.chains), text
    return True


@pytest.mark.parametrize("text", CORPUS)
def test_corpus(text: str) -> None:
    _same(text)


def test_the_subset_takes_the_plain_templates_and_declines_the_rest() -> None:
    taken = [text for text in CORPUS if jinja_lite.analyse(text) is not None]
    assert taken == CORPUS[: CORPUS.index("{# comment #}{{ a }}")]


def _prompts() -> list[str]:
    found = []
    for folder in ("bench/fixtures/runbooks", "stdlib_runbooks", "examples"):
        for path in sorted((ROOT / folder).rglob("*.toml")):
            try:
                data = tomllib.loads(path.read_text(encoding="utf-8"))
            except (tomllib.TOMLDecodeError, UnicodeDecodeError):
                continue
            for task in data.get("task", {}).values():
                if isinstance(task, dict) and isinstance(task.get("prompt"), str):
                    found.append(task["prompt"])
    return found


def test_every_bundled_prompt_is_in_the_subset() -> None:
    prompts = _prompts()
    assert len(prompts) >= 10
    for prompt in prompts:
        assert _same(prompt), prompt


def test_filter_and_global_names_are_jinjas() -> None:
    assert tuple(env().filters) == jinja_lite.FILTER_NAMES
    extra = {"loop", "self", "super", "caller", "varargs", "kwargs"}
    assert frozenset(env().globals) | extra == jinja_lite.JINJA_NAMES


NAMES = st.sampled_from(["a", "b", "cfg", "item", "loop", "x1", "range", "not", "true"])
LITERALS = st.sampled_from(["1", "0", "2.5", "'s'", '"t"', "none", "[1, 'a']", "[]"])
SPACE = st.sampled_from(["", " ", "  ", "\n", " \t"])


@st.composite
def expressions(draw: st.DrawFn, depth: int = 0) -> str:
    sp = draw(SPACE)
    if depth > 2:
        return draw(st.one_of(NAMES, LITERALS))
    kind = draw(st.integers(0, 9))
    sub = expressions(depth + 1)
    if kind == 0:
        return draw(LITERALS)
    if kind == 1:
        return f"{draw(sub)}{sp}.{draw(NAMES)}"
    if kind == 2:
        return f"{draw(sub)}[{sp}{draw(sub)}]"
    if kind == 3:
        return f"{draw(sub)}({draw(sub)}, {draw(sub)})"
    if kind == 4:
        name = draw(st.sampled_from(["join", "upper", "default", "frob", "slug"]))
        return f"{draw(sub)}{sp}|{sp}{name}" + draw(st.sampled_from(["", "('x')", "(1,)"]))
    if kind == 5:
        op = draw(st.sampled_from(["==", "!=", "<", ">=", "in", "not in", "and", "or", "is"]))
        return f"{draw(sub)} {op} {draw(sub)}"
    if kind == 6:
        return f"not {draw(sub)}"
    if kind == 7:
        return f"({sp}{draw(sub)}{sp})"
    return draw(NAMES)


@st.composite
def templates(draw: st.DrawFn, depth: int = 0) -> str:
    parts = []
    for _ in range(draw(st.integers(0, 4))):
        kind = draw(st.integers(0, 6 if depth < 2 else 2))
        sp = draw(SPACE)
        if kind == 0:
            parts.append(draw(st.text(alphabet="ab {}%#-\n'", max_size=8)))
        elif kind in (1, 2):
            parts.append("{{" + sp + draw(expressions()) + sp + "}}")
        elif kind in (3, 4):
            inner = draw(templates(depth + 1))
            middle = draw(st.sampled_from(["", "{% else %}", "{% elif c %}x"]))
            parts.append(f"{{% if {draw(expressions())} %}}{inner}{middle}{{% endif %}}")
        else:
            target = draw(st.sampled_from(["x", "a", "k, v", "loop"]))
            inner = draw(templates(depth + 1))
            parts.append(f"{{%{sp}for {target} in {draw(expressions())} %}}{inner}{{% endfor %}}")
    return "".join(parts)


@settings(max_examples=300, deadline=None)
@given(templates())
def test_random_templates(text: str) -> None:
    _same(text)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="{}%#-+ ab.|()[],'\"\n=<>!0123", max_size=30))
def test_random_characters(text: str) -> None:
    _same(text)
