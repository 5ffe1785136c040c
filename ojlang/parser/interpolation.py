"""Template text in, `Template` pieces out: literal text and `{path | filter}` (LANGUAGE.md §4.1).

Theory of operation. `scan_template` walks the text with plain string searches (the hot path
of `oj check`), applying the rules of §4.1.1 in order: `${…}` is literal up to its matching
brace (nesting counted, across lines); `{{…}}` is literal up to the next `}}` on its line;
any other `{` is a candidate when its matching `}` is on the same line. Only the candidate's
inner text goes to the LALR grammar (`grammars/interpolation.lark`); a candidate that is not
a whole interpolation leaves its `{` literal and scanning resumes just after it, so inner
braces may still interpolate. Plain dotted names take a regex fast path that builds the same
nodes the grammar would, so most templates never load the grammar.

The pieces tile the text exactly: `Literal`, `Interp` (an interpolation, braces included),
`DoubleBrace` (`{{…}}`, for OJ311) and `Malformed` (`{ path }` or `{path | …}` that does not
parse, for OJ313). A malformed candidate becomes one piece only when it holds no inner `{`;
otherwise its `{` is plain literal text, so inner interpolations are still found.
Offsets are decoded code points into the text given.
"""

from __future__ import annotations

import re
from typing import Any

from ojlang import rec
from ojlang.parser.mini import load_grammar

ArgValue = str | int | float | bool | None


# -- AST --------------------------------------------------------------------------------------


@rec.frozen(slots=True)
class Name:
    """The root variable of a path."""

    text: str
    start: int
    end: int


@rec.frozen(slots=True)
class Attr:
    """`.name`; the offsets cover the name only (not the dot)."""

    name: str
    start: int
    end: int


@rec.frozen(slots=True)
class Index:
    """`[0]`; the offsets cover the brackets."""

    value: int
    start: int
    end: int


@rec.frozen(slots=True)
class Key:
    """`["a-b"]`; `value` is the decoded string, the offsets cover the brackets."""

    value: str
    start: int
    end: int


Segment = Attr | Index | Key


@rec.frozen(slots=True)
class Path:
    """`root.attr[0]["key"]`: a root name and the segments after it."""

    root: Name
    segments: tuple[Segment, ...]
    start: int
    end: int

    def text(self) -> str:
        """A canonical spelling, e.g. `bug.tags[0]["a-b"]`."""
        out = [self.root.text]
        for seg in self.segments:
            if isinstance(seg, Attr):
                out.append(f".{seg.name}")
            elif isinstance(seg, Index):
                out.append(f"[{seg.value}]")
            else:
                out.append('["' + seg.value.replace("\\", "\\\\").replace('"', '\\"') + '"]')
        return "".join(out)


@rec.frozen(slots=True)
class Filter:
    """`name(args)`; `args` are Python values, `arg_spans` their offsets."""

    name: str
    args: tuple[ArgValue, ...]
    start: int
    end: int
    arg_spans: tuple[tuple[int, int], ...] = ()

    @property
    def name_end(self) -> int:
        return self.start + len(self.name)


@rec.frozen(slots=True)
class Literal:
    """Text copied as is."""

    text: str
    start: int
    end: int


@rec.frozen(slots=True)
class Interp:
    """`{path | filter…}`; the offsets include the braces."""

    path: Path
    filters: tuple[Filter, ...]
    start: int
    end: int


@rec.frozen(slots=True)
class DoubleBrace:
    """`{{inner}}`, kept literally (OJ311 when `inner` names a variable in scope)."""

    text: str
    inner: str
    start: int
    end: int


@rec.frozen(slots=True)
class Malformed:
    """`{ path }` or `{path | …}` that is not an interpolation and is kept literally (OJ313)."""

    text: str
    start: int
    end: int
    path_root: str | None


Piece = Literal | Interp | DoubleBrace | Malformed


@rec.frozen(slots=True)
class Template:
    """A scanned template: its text and the pieces that tile it."""

    text: str
    pieces: tuple[Piece, ...]

    @property
    def interps(self) -> tuple[Interp, ...]:
        return tuple(p for p in self.pieces if isinstance(p, Interp))

    @property
    def is_plain(self) -> bool:
        """True when the template has no interpolation (it renders to its own text)."""
        return not any(isinstance(p, Interp) for p in self.pieces)


# -- filters table (§4.1.2) ---------------------------------------------------------------------


@rec.frozen(slots=True)
class FilterInfo:
    """Arity and types of a filter. Types: `any string int list object`; output `same` too."""

    name: str
    min_args: int
    max_args: int
    inputs: tuple[str, ...]
    output: str
    arg_types: tuple[str, ...] = ()


FILTERS: dict[str, FilterInfo] = {
    f.name: f
    for f in (
        FilterInfo("raw", 0, 0, ("any",), "same"),
        FilterInfo("default", 1, 1, ("any",), "any", ("any",)),
        FilterInfo("upper", 0, 0, ("string",), "string"),
        FilterInfo("lower", 0, 0, ("string",), "string"),
        FilterInfo("trim", 0, 0, ("string",), "string"),
        FilterInfo("replace", 2, 2, ("string",), "string", ("string", "string")),
        FilterInfo("slug", 0, 0, ("string",), "string"),
        FilterInfo("truncate", 1, 1, ("string",), "string", ("int",)),
        FilterInfo("basename", 0, 0, ("string",), "string"),
        FilterInfo("dirname", 0, 0, ("string",), "string"),
        FilterInfo("join", 0, 1, ("list",), "string", ("string",)),
        FilterInfo("first", 0, 0, ("list",), "any"),
        FilterInfo("last", 0, 0, ("list",), "any"),
        FilterInfo("length", 0, 0, ("string", "list", "object"), "int"),
        FilterInfo("json", 0, 0, ("any",), "string"),
    )
}


# -- scanning ---------------------------------------------------------------------------------

_NAME = r"[A-Za-z_][A-Za-z0-9_]*"
_STRING = r"\"(?:[^\"\\\n]|\\.)*\"|'(?:[^'\\\n]|\\.)*'"
_ROOT = re.compile(_NAME)
_SIMPLE_PATH = re.compile(rf"{_NAME}(?:\.{_NAME})*")
_PATH_THEN_PIPE = re.compile(rf"({_NAME})(?:\.{_NAME}|\[[0-9]+\]|\[(?:{_STRING})\])*[ \t]*\|")
_BRACES = re.compile(r"[{}\n]")
_NAME_START = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_")


def scan_template(text: str) -> Template:
    """Split `text` into pieces per §4.1.1; never raises."""
    if "{" not in text:
        return Template(text, (Literal(text, 0, len(text)),) if text else ())
    line_match, any_match = _match_braces(text)
    pieces: list[Piece] = []
    lit_start = 0
    i = 0

    def flush(upto: int) -> None:
        if upto > lit_start:
            pieces.append(Literal(text[lit_start:upto], lit_start, upto))

    while True:
        j = text.find("{", i)
        if j < 0:
            break
        if j > 0 and text[j - 1] == "$":
            close = any_match.get(j)
            i = j + 1 if close is None else close + 1
            continue
        if text.startswith("{{", j):
            line_end = text.find("\n", j)
            close = text.find("}}", j + 2, len(text) if line_end < 0 else line_end)
            if close >= 0:
                flush(j)
                pieces.append(DoubleBrace(text[j : close + 2], text[j + 2 : close], j, close + 2))
                i = lit_start = close + 2
                continue
        close = line_match.get(j)
        if close is None:
            i = j + 1
            continue
        inner = text[j + 1 : close]
        interp = _interp(inner, j + 1)
        if interp is not None:
            flush(j)
            pieces.append(Interp(interp[0], interp[1], j, close + 1))
            i = lit_start = close + 1
            continue
        root = _malformed_root(inner)
        if root is not None and "{" not in inner:
            flush(j)
            pieces.append(Malformed(text[j : close + 1], j, close + 1, root))
            i = lit_start = close + 1
            continue
        i = j + 1
    flush(len(text))
    return Template(text, tuple(pieces))


def parse_interpolation(inner: str, offset: int = 0) -> tuple[Path, tuple[Filter, ...]] | None:
    """The path and filters of `inner` (text between the braces), or None if it is not one.

    `offset` is added to every position (the decoded offset of `inner` in its string).
    """
    return _interp(inner, offset)


def _match_braces(text: str) -> tuple[dict[int, int], dict[int, int]]:
    """Matching `}` of each `{`: on the same line, and anywhere (nesting counted)."""
    line_match: dict[int, int] = {}
    any_match: dict[int, int] = {}
    line_stack: list[int] = []
    any_stack: list[int] = []
    for m in _BRACES.finditer(text):
        ch = m.group()
        pos = m.start()
        if ch == "{":
            line_stack.append(pos)
            any_stack.append(pos)
        elif ch == "}":
            if line_stack:
                line_match[line_stack.pop()] = pos
            if any_stack:
                any_match[any_stack.pop()] = pos
        else:
            line_stack.clear()
    return line_match, any_match


def _interp(inner: str, base: int) -> tuple[Path, tuple[Filter, ...]] | None:
    if not inner or inner[0] not in _NAME_START or inner[-1] in " \t":
        return None
    if _SIMPLE_PATH.fullmatch(inner):
        return _simple_path(inner, base), ()
    from ojlang.parser.lalr import UnexpectedInput

    try:
        tree: Any = load_grammar("interpolation").parse(inner)
    except UnexpectedInput:
        return None
    path_tree, *filter_trees = tree.children
    return path_from_tree(path_tree, base), tuple(_filter(f, base) for f in filter_trees)


def _malformed_root(inner: str) -> str | None:
    trimmed = inner.strip()
    if trimmed != inner and _interp(trimmed, 0) is not None:
        return trimmed[: _ROOT.match(trimmed).end()]  # type: ignore[union-attr]
    m = _PATH_THEN_PIPE.match(trimmed)
    return m.group(1) if m else None


def _simple_path(inner: str, base: int) -> Path:
    names = inner.split(".")
    root = Name(names[0], base, base + len(names[0]))
    segments: list[Segment] = []
    pos = root.end
    for name in names[1:]:
        segments.append(Attr(name, pos + 1, pos + 1 + len(name)))
        pos += 1 + len(name)
    return Path(root, tuple(segments), base, base + len(inner))


def path_from_tree(tree: Any, base: int) -> Path:
    """A `Path` from a `path` parse tree (also used by `order.py`); offsets shifted by `base`."""
    root_tok, *seg_trees = tree.children
    root = Name(str(root_tok), base + root_tok.start_pos, base + root_tok.end_pos)
    segments: list[Segment] = []
    for seg in seg_trees:
        tok = seg.children[0]
        if seg.data == "attr":
            segments.append(Attr(str(tok), base + tok.start_pos, base + tok.end_pos))
        elif seg.data == "index":
            segments.append(Index(int(tok), base + seg.meta.start_pos, base + seg.meta.end_pos))
        else:
            segments.append(
                Key(_unquote(str(tok)), base + seg.meta.start_pos, base + seg.meta.end_pos)
            )
    return Path(root, tuple(segments), base + tree.meta.start_pos, base + tree.meta.end_pos)


def _filter(tree: Any, base: int) -> Filter:
    name_tok, *arg_toks = tree.children
    args = [t for t in arg_toks if t is not None]
    return Filter(
        str(name_tok),
        tuple(_arg_value(t) for t in args),
        base + tree.meta.start_pos,
        base + tree.meta.end_pos,
        tuple((base + t.start_pos, base + t.end_pos) for t in args),
    )


def _arg_value(tok: Any) -> ArgValue:
    kind = tok.type
    if kind == "STRING":
        return _unquote(str(tok))
    if kind == "TRUE":
        return True
    if kind == "FALSE":
        return False
    if kind == "NULL":
        return None
    text = str(tok)
    if re.fullmatch(r"[+-]?[0-9]+", text):
        return int(text)
    return float(text)


_UNESCAPE = {"n": "\n", "t": "\t", "r": "\r"}


def _unquote(token: str) -> str:
    """A STRING token's value: quotes removed; `\\n \\t \\r` decoded, `\\x` is `x` otherwise."""
    body = token[1:-1]
    if "\\" not in body:
        return body
    return re.sub(r"\\(.)", lambda m: _UNESCAPE.get(m.group(1), m.group(1)), body)
