"""Rendering compiled templates in a scope: `Template` + variables in, text (or `RenderError`) out.

Text templates insert `render.value_text` of each value; shell templates escape per the
`render.ShellContext` recorded at the site (§L4.1.4). Jinja prompts render in an immutable
sandbox with strict undefined (§L4.2). Missing values are errors unless `default` supplies one.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # jinja2 is imported on the first Jinja prompt rendered, not at start
    import jinja2
    import jinja2.sandbox

from ojlang.runtime.core import jinja_env, render
from ojlang.runtime.core.graph import Piece, Template

RenderError = render.RenderError
MISSING = render.MISSING


def lookup(scope: Mapping[str, Any], path: tuple[str | int, ...]) -> Any:
    """Follow `path` through nested objects and lists; `MISSING` when any step is absent."""
    value: Any = scope
    for part in path:
        if isinstance(part, str):
            if not isinstance(value, Mapping) or part not in value:
                return MISSING
            value = value[part]
        elif isinstance(value, list | tuple) and -len(value) <= part < len(value):
            value = value[part]
        else:
            return MISSING
    return value


def _piece(piece: Piece, scope: Mapping[str, Any], line_start: bool = False) -> str:
    value = lookup(scope, piece.path)
    for f in piece.filters:
        value = render.apply_filter(f.name, value, f.args)
    if value is MISSING:
        raise RenderError(f"no value for `{'.'.join(str(p) for p in piece.path)}`")
    if not piece.context:
        return render.value_text(value)
    raw = any(f.name == "raw" for f in piece.filters)
    context = render.ShellContext.RAW if raw else render.ShellContext(piece.context)
    escaped = render.shell_escape(
        value,
        context,
        delimiter=piece.delimiter,
        strip_tabs=piece.strip_tabs,
        line_start=line_start,
    )
    return render.backtick_escape(escaped, piece.backticks) if piece.backticks else escaped


def render_template(template: Template, scope: Mapping[str, Any]) -> str:
    out: list[str] = []
    for p in template.pieces:
        if not p.path:
            out.append(p.text)
        elif p.strip_tabs:  # does the value begin a line of the `<<-` body?
            line = "".join(out).rpartition("\n")[2]
            out.append(_piece(p, scope, line_start=not line.strip("\t")))
        else:
            out.append(_piece(p, scope))
    return "".join(out)


def render_opt(template: Template | None, scope: Mapping[str, Any], default: str = "") -> str:
    return default if template is None else render_template(template, scope)


def render_value(value: Any, scope: Mapping[str, Any]) -> Any:
    """A `DefaultValue`-style literal or `Template` → its rendered value."""
    return render_template(value, scope) if isinstance(value, Template) else value


_CACHE: dict[str, jinja2.Template] = {}


def render_jinja(source: str, scope: Mapping[str, Any]) -> str:
    """Render Jinja `source`; a template that does not compile (a syntax error, an unknown
    filter) is a `RenderError` like one that fails while rendering."""
    import jinja2

    try:
        template = _CACHE.get(source)
        if template is None:
            template = _CACHE[source] = jinja_env.sandbox().from_string(source)
        return template.render(dict(scope))
    except jinja2.TemplateError as exc:
        raise RenderError(f"template error: {exc}") from None
