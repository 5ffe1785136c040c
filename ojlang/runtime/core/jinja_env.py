"""The Jinja sandbox of prompts (LANGUAGE.md §4.2, RUNTIME.md §9.2): nothing in, the one
immutable sandboxed environment out, made on first use so that neither a daemon start nor a
check without prompts imports jinja2. The runtime renders prompts with it and the checker parses
them with it, so both know the same filters: jinja2's own, `slug`, `json`, and the path filters
`basename`/`dirname` of §4.1.2 (§4.2 shows `{{ f | basename }}`)."""

from __future__ import annotations

import functools
import json
from typing import TYPE_CHECKING, Any

from ojlang.runtime.core import render

if TYPE_CHECKING:
    import jinja2.sandbox


def _filter(name: str) -> Any:
    return lambda value: render.apply_filter(name, value)


@functools.cache
def sandbox() -> jinja2.sandbox.ImmutableSandboxedEnvironment:
    import jinja2
    import jinja2.sandbox

    env = jinja2.sandbox.ImmutableSandboxedEnvironment(
        undefined=jinja2.StrictUndefined, autoescape=False, keep_trailing_newline=True
    )
    env.filters["slug"] = lambda value: str(render.apply_filter("slug", value))
    env.filters["json"] = lambda value: json.dumps(value, separators=(",", ":"), sort_keys=True)
    env.filters["basename"] = _filter("basename")
    env.filters["dirname"] = _filter("dirname")
    return env
