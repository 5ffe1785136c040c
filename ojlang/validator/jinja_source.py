"""A Jinja text (LANGUAGE.md §4.2) in, what the checks need from it out: tokens with their
columns, file spans, the analysis of its variables, and syntax errors as diagnostics.

Theory of operation. Templates are parsed with the sandboxed environment the runtime uses
(`slug` and `json` filters added, and the path filters of §4.1.2). `analyse` parses and
compiles a text once (cached by text) and lists its unknown filters, undeclared roots (with
the lines they are read on), attribute chains on them and the templates it loads. Jinja
reports only lines, so columns are found on that line among the tokens of
`Environment.lex`: the first occurrence of the offending name, or the tag. Inline prompts map
line and column through the TOML string's source map (§2.3); files use their own positions.
Texts inside the subset of `jinja_lite` (most prompts) are lexed and analysed there, with the
same results; jinja2 is imported only for the others, and for their errors.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ojlang import rec
from ojlang.parser.mini import suggestion
from ojlang.parser.spans import Span, decoded_line_offset
from ojlang.parser.tomltree import TString
from ojlang.validator import jinja_lite
from ojlang.validator.diagnostic import Diagnostic, diag
from ojlang.validator.jinja_lite import FILTER_NAMES, JINJA_NAMES

if TYPE_CHECKING:
    import jinja2
    from jinja2 import nodes

__all__ = ["FILTER_NAMES", "JINJA_NAMES"]


def _slug(value: object) -> str:
    return re.sub(r"[^a-z0-9]+", "-", str(value).lower()).strip("-")


def env() -> jinja2.Environment:
    """The sandboxed environment of the runtime (imports jinja2)."""
    from ojlang.runtime.core.jinja_env import sandbox

    return sandbox()


_BLOCKS = frozenset(
    {"if", "for", "block", "macro", "call", "filter", "with", "autoescape", "trans", "set"}
)
BRACE = re.compile(r"(?<![{$]){(?![{%#])")  # a single `{`: maybe text for OJ310


@rec.frozen(eq=False)
class Token:
    line: int
    col: int  # 0-based code point column on its line
    kind: str
    value: str


@rec.define(eq=False)
class Source:
    """One Jinja text: an inline prompt (`node`) or a file (`display`, `raw` bytes decoded)."""

    text: str
    what: str  # `prompt` or `template`, for OJ310
    directory: Path  # includes are relative to it and may not leave it
    node: TString | None = None
    display: str = ""
    broken: bool = False

    def span(self, line: int, col: int, length: int) -> Span:
        if self.node is not None:
            offset = decoded_line_offset(self.node.value, line) + col
            return self.node.source_map.span(offset, offset + length)
        lines = self.text.split("\n")
        before = sum(len(x.encode("utf-8")) + 1 for x in lines[: line - 1])
        text = lines[line - 1] if line - 1 < len(lines) else ""
        start = before + len(text[:col].encode("utf-8"))
        end = start + len(text[col : col + length].encode("utf-8"))
        return Span(self.display, line, col + 1, line, col + 1 + length, start, end)

    def line(self, number: int) -> str:
        lines = self.text.split("\n")
        return lines[number - 1] if 0 < number <= len(lines) else ""

    def tokens(self) -> list[Token]:
        return _positions(self.text)

    @property
    def analysis(self) -> Analysis:
        return analyse(self.text)

    def find(self, line: int, value: str, kinds: tuple[str, ...] = ("name",)) -> Token | None:
        """The first token of `kinds` with `value` on `line`."""
        return next(
            (t for t in self.tokens() if t.line == line and t.kind in kinds and t.value == value),
            None,
        )


@functools.lru_cache(maxsize=256)
def _positions(text: str) -> list[Token]:
    """Tokens of `text` with their columns (Jinja gives lines only; stripped whitespace
    around `{%-` makes offsets drift, so each token is found on its own line)."""
    lines = text.replace("\r\n", "\n").split("\n")
    out: list[Token] = []
    line, col = 1, 0
    tokens = jinja_lite.lex(text)
    try:
        for lineno, kind, value in tokens if tokens is not None else _jinja_tokens(text):
            if lineno != line:
                line, col = lineno, 0
            first = value.split("\n", 1)[0]
            here = lines[lineno - 1].find(first, col) if first and lineno <= len(lines) else -1
            start = here if here >= 0 else col
            out.append(Token(lineno, start, kind, value))
            if "\n" in value:
                line = lineno + value.count("\n")
                col = len(value.rsplit("\n", 1)[1])
            else:
                col = start + len(value)
    except _syntax_errors():
        pass
    return out


def _jinja_tokens(text: str) -> Iterator[tuple[int, str, str]]:
    return iter(env().lex(text))


def _syntax_errors() -> type[Exception]:
    import jinja2

    return jinja2.TemplateSyntaxError


# -- analysis (once per text) ----------------------------------------------------------------------


@rec.frozen(eq=False)
class Analysis:
    """What the checks need from one template text: the first syntax error, or the unknown
    filters, undeclared roots (with the lines they are read on), attribute chains on them
    and the templates it loads."""

    error: Any = None  # a jinja2.TemplateSyntaxError
    unknown: dict[str, int] = rec.field(factory=dict)
    roots: dict[str, list[int]] = rec.field(factory=dict)
    chains: list[tuple[str, list[Any], int]] = rec.field(factory=list)
    loads: list[tuple[str, int]] = rec.field(factory=list)


@functools.lru_cache(maxsize=256)
def analyse(text: str) -> Analysis:
    lite = jinja_lite.analyse(text)
    if lite is not None:
        roots, chains = lite
        return Analysis(None, {}, roots, chains, [])
    return _analyse(text)


def _analyse(text: str) -> Analysis:
    """`analyse` with jinja2: parse and compile the template."""
    import jinja2
    import jinja2.meta
    from jinja2 import nodes

    base = env()
    try:
        tree = base.parse(text)
    except jinja2.TemplateSyntaxError as err:
        return Analysis(err)
    unknown: dict[str, int] = {}
    for node in tree.find_all(nodes.Filter):
        if node.name not in base.filters:
            unknown.setdefault(node.name, node.lineno)
    if unknown:  # Jinja fails only on those outside `if` blocks; list the variables anyway
        overlay = base.overlay()
        overlay.filters = {**base.filters, **dict.fromkeys(unknown, _slug)}
        tree.set_environment(overlay)
    try:  # compiles the template: unknown tests fail here
        undeclared = jinja2.meta.find_undeclared_variables(tree) - JINJA_NAMES
    except jinja2.TemplateSyntaxError as err:
        return Analysis(err, unknown)
    except jinja2.UndefinedError as err:  # a constant folded while compiling: `'s'.a and x`
        return Analysis(_folding_error(tree, err), unknown)
    roots: dict[str, list[int]] = {}
    for name in tree.find_all(nodes.Name):
        if name.ctx == "load" and name.name in undeclared:
            roots.setdefault(name.name, []).append(name.lineno)
    chains = [(root.name, segments, line) for root, segments, line in _chains(tree, undeclared)]
    loads = []
    for loader in tree.find_all((nodes.Include, nodes.Import, nodes.FromImport, nodes.Extends)):
        target = getattr(loader, "template", None)
        if isinstance(target, nodes.Const) and isinstance(target.value, str):
            loads.append((target.value, loader.lineno))
    return Analysis(None, unknown, roots, chains, loads)


def _folding_error(tree: nodes.Template, err: jinja2.UndefinedError) -> Any:
    """The `TemplateSyntaxError` jinja2 would have raised for an undefined value met while
    folding constants at compile time, on the line of the first constant's field access."""
    import jinja2
    from jinja2 import nodes

    line = next(
        (
            node.lineno
            for node in tree.find_all((nodes.Getattr, nodes.Getitem))
            if isinstance(getattr(node, "node", None), nodes.Const)
        ),
        1,
    )
    return jinja2.TemplateSyntaxError(f"{err.message} while compiling the template", line)


def syntax_error(source: Source, err: Any) -> Diagnostic:
    """OJ306 or OJ308 for a `jinja2.TemplateSyntaxError` of `source`."""
    message = err.message or "invalid template"
    line = err.lineno or 1
    unknown = re.match(r"No filter named '([^']*)'", message)
    if unknown is not None:
        name = unknown.group(1)
        token = source.find(line, name)
        col, length = (token.col, len(name)) if token else line_start(source, line)
        return diag(
            "OJ306",
            f"unknown filter `{name}`",
            source.span(line, col, length),
            "not a filter",
            help=suggestion(name, FILTER_NAMES, "filter"),
        )
    text, block = _clean(message)
    tag = _unclosed(source, block) if block is not None and "end of template" in text else None
    if tag is not None:
        line, col, length = tag
        label = f"this `{block}` is never closed"
    else:
        col, length = _locate(source, line, message)
        label = "jinja stops here"
    return diag(
        "OJ308",
        f"jinja syntax error: {text}",
        source.span(line, col, length),
        label,
    )


def _clean(message: str) -> tuple[str, str | None]:
    """Jinja's message in §7 style, and the innermost unclosed block it names."""
    block = None
    found = re.search(r"The innermost block that needs to be closed is '([^']*)'", message)
    if found is not None:
        block = found.group(1)
    unknown = re.match(r"Encountered unknown tag '([^']*)'", message)
    test = re.match(r"No test named '([^']*)'", message)
    if test is not None:
        return f"unknown test `{test.group(1)}`", None
    if message.startswith("Unexpected end of template") and block is not None:
        return f"unexpected end of template, expected `end{block}`", block
    if unknown is not None:
        tag = unknown.group(1)
        if block is not None:
            return f"unexpected `{tag}`, expected `end{block}`", block
        return f"unknown tag `{tag}`", None
    first = re.split(r"\.(?:\s|$)", message.strip(), maxsplit=1)[0]
    first = re.sub(r"'([^']*)'", _quote, first).replace("expected token", "expected")
    first = first.replace(", got ", ", found ")
    return (first[:1].lower() + first[1:]).rstrip("."), block


def _quote(match: re.Match[str]) -> str:
    word = match.group(1)
    return word if word.startswith("end of ") else f"`{word}`"


def line_start(source: Source, line: int) -> tuple[int, int]:
    text = source.line(line)
    stripped = text.lstrip()
    return len(text) - len(stripped), max(1, len(stripped.rstrip()))


def _locate(source: Source, line: int, message: str) -> tuple[int, int]:
    """Column and length of what a message names on `line`, else its first tag."""
    text = source.line(line)
    for word in re.findall(r"'([^']+)'", message):
        if word in ("end of print statement", "end of statement block"):
            continue
        at = text.find(word)
        if at >= 0:
            return at, len(word)
    for opener in ("{%", "{{", "{#"):
        at = text.find(opener)
        if at >= 0:
            close = text.find(opener[1] + "}", at + 2)
            return at, (close + 2 - at) if close >= 0 else len(text) - at
    return line_start(source, line)


def _unclosed(source: Source, block: str) -> tuple[int, int, int] | None:
    """Line, column and length of the `{% block %}` tag left open, found by a tag scan."""
    stack: list[tuple[Token, Token]] = []
    tokens = source.tokens()
    for index, token in enumerate(tokens):
        if token.kind != "block_begin":
            continue
        name = next((t for t in tokens[index + 1 :] if t.kind != "whitespace"), None)
        if name is None or name.kind != "name":
            continue
        if name.value in _BLOCKS:
            stack.append((token, name))
        elif name.value.startswith("end") and stack:
            stack.pop()
    for begin, name in reversed(stack):
        if name.value == block:
            end = source.line(begin.line).find("%}", begin.col)
            length = (end + 2 - begin.col) if end >= 0 else len(name.value) + 3
            return begin.line, begin.col, length
    return None


def _chains(tree: nodes.Template, roots: set[str]) -> Iterator[tuple[nodes.Name, list[Any], int]]:
    from jinja2 import nodes

    """Maximal `Getattr`/`Getitem` chains on undeclared roots: the root, the constant segments
    and the chain's line; the last segment of a method call (`x.items()`) is dropped."""

    def visit(
        node: nodes.Node, parent: nodes.Node | None
    ) -> Iterator[tuple[nodes.Name, list[Any], int]]:
        if isinstance(node, (nodes.Getattr, nodes.Getitem)) and not _continues(parent, node):
            found = _flatten(node)
            if found is not None and found[0].name in roots:
                root, segments = found
                if isinstance(parent, nodes.Call) and parent.node is node:
                    segments = segments[:-1]
                if segments:
                    yield root, segments, node.lineno
        for child in node.iter_child_nodes():
            yield from visit(child, node)

    yield from visit(tree, None)


def _continues(parent: nodes.Node | None, node: nodes.Node) -> bool:
    from jinja2 import nodes

    return isinstance(parent, (nodes.Getattr, nodes.Getitem)) and parent.node is node


def _flatten(node: nodes.Node) -> tuple[nodes.Name, list[Any]] | None:
    from jinja2 import nodes

    segments: list[Any] = []
    while isinstance(node, (nodes.Getattr, nodes.Getitem)):
        if isinstance(node, nodes.Getattr):
            segments.append(node.attr)
        elif isinstance(node.arg, nodes.Const) and isinstance(node.arg.value, (str, int)):
            segments.append(node.arg.value)
        else:
            segments.clear()  # a computed key: only the part before it is known
        node = node.node
    if not isinstance(node, nodes.Name) or node.ctx != "load":
        return None
    return node, list(reversed(segments))


def segment_token(source: Source, line: int, seg: object) -> Token | None:
    """The token of `.seg` or `[seg]` on `line`: a name after `.`, a literal after `[`."""
    previous = ""
    for token in source.tokens():
        if token.line != line or token.kind == "whitespace":
            continue
        if previous == "." and token.kind == "name" and token.value == seg:
            return token
        literal = token.value[1:-1] if token.kind == "string" else token.value
        if previous == "[" and token.kind in ("string", "integer") and literal == str(seg):
            return token
        previous = token.value if token.kind == "operator" else ""
    return None
