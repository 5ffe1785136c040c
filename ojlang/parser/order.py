"""A queue `order` (LANGUAGE.md §4.9) in, `Order` (sort keys) out; OJ417 errors.

Whether each key names a builtin item field or a declared `fields` entry (OJ418) is the
caller's check.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ojlang import rec
from ojlang.parser.durations import unexpected_span
from ojlang.parser.interpolation import Index, Key, Path, path_from_tree
from ojlang.parser.mini import MiniSyntaxError, close_match, load_grammar

if TYPE_CHECKING:
    from ojlang.parser.lalr import UnexpectedInput

DIRECTIONS = {"ASC": False, "asc": False, "DESC": True, "desc": True}
_DIRECTION_HELP = "a direction is `ASC` or `DESC`"
_KEYS_HELP = "keys are fields with an optional `ASC` or `DESC`, separated by `,`"


@rec.frozen(slots=True)
class OrderKey:
    """One sort key; the offsets cover the path and its direction."""

    path: Path
    descending: bool
    start: int
    end: int


@rec.frozen(slots=True)
class Order:
    """The keys, most significant first."""

    keys: tuple[OrderKey, ...]


def parse_order(text: str) -> Order:
    """Parse `order`; raise `MiniSyntaxError` (OJ417) with the smallest useful span."""
    if not text.strip():
        raise _invalid(
            text, 0, len(text), label="empty", help="write a field, e.g. `priority DESC`"
        )
    from ojlang.parser.lalr import UnexpectedInput

    try:
        tree: Any = load_grammar("order").parse(text)
    except UnexpectedInput as exc:
        raise _syntax_error(text, exc) from None
    keys: list[OrderKey] = []
    seen: set[tuple[object, ...]] = set()
    for item in tree.children:
        path = path_from_tree(item.children[0], 0)
        descending = False
        end = path.end
        if len(item.children) > 1:
            tok = item.children[1]
            word = str(tok).lstrip(" \t")
            start = tok.end_pos - len(word)
            if word not in DIRECTIONS:
                raise _invalid(
                    text, start, tok.end_pos, label="not a direction", help=_direction_help(word)
                )
            descending = DIRECTIONS[word]
            end = tok.end_pos
        key = OrderKey(path, descending, path.start, end)
        name = path.text()
        identity = _identity(path)
        if identity in seen:
            raise MiniSyntaxError(
                "OJ417",
                f"invalid order `{text}`: key `{name}` appears twice",
                path.start,
                path.end,
                label="repeated here",
                help="remove one of them: later keys only break ties of earlier ones",
            )
        seen.add(identity)
        keys.append(key)
    return Order(tuple(keys))


def _invalid(
    text: str, start: int, end: int, *, label: str = "", help: str | None = None
) -> MiniSyntaxError:
    return MiniSyntaxError("OJ417", f"invalid order `{text}`", start, end, label=label, help=help)


def _direction_help(word: str) -> str:
    best = close_match(word.upper(), ("ASC", "DESC"))
    if best is None:
        return _DIRECTION_HELP
    return f"{_DIRECTION_HELP}: write `{best}`"


def _syntax_error(text: str, exc: UnexpectedInput) -> MiniSyntaxError:
    start, end = unexpected_span(exc, text)
    stripped = text.rstrip(" \t")
    if start >= len(stripped) and stripped.endswith(","):
        comma = len(stripped) - 1
        return _invalid(
            text, comma, comma + 1, label="nothing after this comma", help="remove the comma"
        )
    label = "unexpected end" if start >= len(text) else "unexpected text"
    return _invalid(text, start, end, label=label, help=_KEYS_HELP)


def _identity(path: Path) -> tuple[object, ...]:
    """What a path names: `m.a` and `m["a"]` are the same field."""
    return (
        path.root.text,
        *(s.value if isinstance(s, (Index, Key)) else s.name for s in path.segments),
    )
