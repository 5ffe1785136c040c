"""A Jinja text in, its tokens and variable analysis out, for plain templates, without jinja2.

Theory of operation. Most prompts use a small part of Jinja: `{{ path | filter(args) }}`,
`{% if %}…{% elif %}…{% else %}…{% endif %}` and `{% for x in xs %}…{% endfor %}` over names,
attributes, items, calls, literals, comparisons and `and`/`or`/`not`. For a text that stays
inside that subset this module gives exactly what `jinja_source` would get from jinja2 (the
tokens of `Environment.lex`, and the undeclared roots, attribute chains and loaded templates
of a parse): importing jinja2 costs more than all of the rest of a cold `oj check`. Anything
else — comments, raw blocks, whitespace control, other tags or operators, non-ASCII inside a
tag, a syntax error, an unknown filter — returns None, and the caller asks jinja2, which also
produces every error message. `tests/validator/test_jinja_lite.py` checks both against
jinja2 on corpora and random templates.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


# The filters of the runtime's environment, in its order (`ENV.filters`: jinja2's defaults,
# then `slug`, `json` and the path filters); a test keeps this equal to jinja2's.
FILTER_NAMES = _words(
    "abs attr batch capitalize center count d default dictsort e escape filesizeformat first "
    "float forceescape format groupby indent int join last length list lower items map min max "
    "pprint random reject rejectattr replace reverse round safe select selectattr slice sort "
    "string striptags sum title trim truncate unique upper urlencode urlize wordcount wordwrap "
    "xmlattr tojson slug json basename dirname"
)
_FILTERS = frozenset(FILTER_NAMES)
# Names Jinja defines itself: the environment's globals, and those of loops, blocks, macros.
JINJA_NAMES = frozenset(
    _words("range dict lipsum cycler joiner namespace loop self super caller varargs kwargs")
)
# Names the subset never treats as variables (keywords of Jinja's grammar or of Python).
_KEYWORDS = frozenset(
    _words(
        "and or not in is if else elif endif for endfor recursive block endblock extends include "
        "import from as with without context set endset macro endmacro call endcall filter "
        "endfilter raw endraw autoescape endautoescape trans endtrans pluralize do break continue "
        "lambda def class return yield pass del global nonlocal try except finally while assert "
        "async await print"
    )
)
_CONSTANTS = {
    "true": True,
    "True": True,
    "false": False,
    "False": False,
    "none": None,
    "None": None,
}
_COMPARISONS = {("operator", op) for op in ("==", "!=", ">", ">=", "<", "<=")} | {("name", "in")}
_TAG_TOKEN = re.compile(
    r"(?P<whitespace>\s+)"
    r"|(?P<float>(?<!\.)[0-9]+\.[0-9]+)(?![0-9A-Za-z_.])"
    r"|(?P<integer>0|[1-9][0-9]*)(?![0-9A-Za-z_.])"
    r"|(?P<name>[A-Za-z_][A-Za-z0-9_]*)"
    r"|(?P<string>'[^'\\\n]*'|\"[^\"\\\n]*\")"
    r"|(?P<operator>==|!=|>=|<=|[><.|,()\[\]])"
)
_START = re.compile(r"\{[{%#]")

Token = tuple[int, str, str]  # (line, kind, value) as `Environment.lex` yields them


class _Decline(Exception):
    """The text leaves the subset: let jinja2 handle it."""


def lex(text: str) -> list[Token] | None:
    """The tokens jinja2's lexer yields for `text`, or None outside the subset."""
    try:
        return list(_lex(text))
    except _Decline:
        return None


def _lex(text: str) -> Iterator[Token]:
    if "\r" in text:
        raise _Decline
    pos = 0
    line = 1
    end = len(text)
    while pos < end:
        found = _START.search(text, pos)
        stop = end if found is None else found.start()
        if stop > pos:
            data = text[pos:stop]
            yield line, "data", data
            line += data.count("\n")
        if found is None:
            return
        opener = found.group()
        if opener == "{#":
            raise _Decline
        pos = found.end()
        if text.startswith(("-", "+"), pos):
            raise _Decline
        closer = "}}" if opener == "{{" else "%}"
        yield line, "variable_begin" if opener == "{{" else "block_begin", opener
        first = True
        depth = 0
        while True:
            if depth == 0 and text.startswith(closer, pos):
                yield line, "variable_end" if opener == "{{" else "block_end", closer
                pos += 2
                break
            match = _TAG_TOKEN.match(text, pos)
            if match is None:
                raise _Decline
            kind: str = match.lastgroup  # type: ignore[assignment]
            value = match.group()
            if kind == "whitespace":
                if "-" in text[match.end() : match.end() + 1] and text.startswith(
                    closer, match.end() + 1
                ):
                    raise _Decline
            elif kind == "operator":
                if value in "([":
                    depth += 1
                elif value in ")]":
                    depth -= 1
                    if depth < 0:
                        raise _Decline
            elif kind == "name" and first and opener == "{%" and value == "raw":
                raise _Decline
            if kind != "whitespace":
                first = False
            yield line, kind, value
            line += value.count("\n")
            pos = match.end()
            if pos >= end:
                raise _Decline


# -- the tree (the shapes of jinja2.nodes that the analysis reads) -----------------------------


class Node:
    __slots__ = ("lineno",)
    fields: tuple[str, ...] = ()

    def __init__(self, lineno: int) -> None:
        self.lineno = lineno

    def iter_child_nodes(self) -> Iterator[Node]:
        for name in self.fields:
            value = getattr(self, name)
            if isinstance(value, Node):
                yield value
            elif isinstance(value, list):
                yield from (v for v in value if isinstance(v, Node))


class Name(Node):
    __slots__ = ("ctx", "name")

    def __init__(self, name: str, ctx: str, lineno: int) -> None:
        super().__init__(lineno)
        self.name = name
        self.ctx = ctx


class Const(Node):
    __slots__ = ("value",)

    def __init__(self, value: Any, lineno: int) -> None:
        super().__init__(lineno)
        self.value = value


class Getattr(Node):
    __slots__ = ("attr", "node")
    fields = ("node",)

    def __init__(self, node: Node, attr: str, lineno: int) -> None:
        super().__init__(lineno)
        self.node = node
        self.attr = attr


class Getitem(Node):
    __slots__ = ("arg", "node")
    fields = ("node", "arg")

    def __init__(self, node: Node, arg: Node, lineno: int) -> None:
        super().__init__(lineno)
        self.node = node
        self.arg = arg


class Call(Node):
    __slots__ = ("args", "node")
    fields = ("node", "args")

    def __init__(self, node: Node, args: list[Node], lineno: int) -> None:
        super().__init__(lineno)
        self.node = node
        self.args = args


class Filter(Call):
    __slots__ = ("name",)

    def __init__(self, node: Node, name: str, args: list[Node], lineno: int) -> None:
        super().__init__(node, args, lineno)
        self.name = name


class Group(Node):
    """Any other node with children in order (operators, lists, outputs, `if`)."""

    __slots__ = ("children",)
    fields = ("children",)

    def __init__(self, children: list[Node], lineno: int) -> None:
        super().__init__(lineno)
        self.children = children


class BoolOp(Group):
    """`left and right`, `left or right`."""

    __slots__ = ()


class For(Node):
    __slots__ = ("body", "iter", "targets")
    fields = ("iter", "body")

    def __init__(self, targets: list[str], iter: Node, body: list[Node], lineno: int) -> None:
        super().__init__(lineno)
        self.targets = targets
        self.iter = iter
        self.body = body


# -- parsing ------------------------------------------------------------------------------------


class _Parser:
    def __init__(self, tokens: list[Token]) -> None:
        self.tokens = [t for t in tokens if t[1] != "whitespace"]
        self.pos = 0

    def peek(self) -> Token:
        if self.pos >= len(self.tokens):
            raise _Decline
        return self.tokens[self.pos]

    def next(self) -> Token:
        token = self.peek()
        self.pos += 1
        return token

    def accept(self, kind: str, value: str | None = None) -> Token | None:
        if self.pos < len(self.tokens):
            token = self.tokens[self.pos]
            if token[1] == kind and (value is None or token[2] == value):
                self.pos += 1
                return token
        return None

    def expect(self, kind: str, value: str | None = None) -> Token:
        found = self.accept(kind, value)
        if found is None:
            raise _Decline
        return found

    # statements

    def template(self) -> list[Node]:
        body, stop = self.statements(())
        if stop is not None:
            raise _Decline
        return body

    def statements(self, stops: tuple[str, ...]) -> tuple[list[Node], str | None]:
        """Nodes up to a `{% stop %}` tag (consumed up to its name), or the end."""
        body: list[Node] = []
        while self.pos < len(self.tokens):
            line, kind, value = self.next()
            if kind == "data":
                body.append(Const(value, line))
            elif kind == "variable_begin":
                body.append(self.expression())
                self.expect("variable_end")
            elif kind == "block_begin":
                _, name_kind, name = self.next()
                if name_kind != "name":
                    raise _Decline
                if name in stops:
                    return body, name
                if name == "if":
                    body.append(self.if_(line))
                elif name == "for":
                    body.append(self.for_(line))
                else:
                    raise _Decline
            else:
                raise _Decline
        return body, None

    def if_(self, line: int) -> Node:
        parts: list[Node] = [self.expression()]
        self.expect("block_end")
        while True:
            body, stop = self.statements(("elif", "else", "endif"))
            parts += body
            if stop == "elif":
                parts.append(self.expression())
                self.expect("block_end")
            elif stop == "else":
                self.expect("block_end")
                body, stop = self.statements(("endif",))
                parts += body
                if stop != "endif":
                    raise _Decline
                break
            elif stop == "endif":
                break
            else:
                raise _Decline
        self.expect("block_end")
        return Group(parts, line)

    def for_(self, line: int) -> Node:
        targets = [self.target()]
        while self.accept("operator", ","):
            targets.append(self.target())
        self.expect("name", "in")
        iter = self.expression()
        self.expect("block_end")
        body, stop = self.statements(("endfor",))
        if stop != "endfor":
            raise _Decline
        self.expect("block_end")
        return For(targets, iter, body, line)

    def target(self) -> str:
        _, kind, name = self.next()
        if kind != "name" or name in _KEYWORDS or name in _CONSTANTS or name in JINJA_NAMES:
            raise _Decline
        return name

    # expressions (precedence as in jinja2.parser: or, and, not, compare, unary)

    def expression(self) -> Node:
        return self.or_()

    def or_(self) -> Node:
        node = self.and_()
        while (token := self.accept("name", "or")) is not None:
            node = BoolOp([node, self.and_()], token[0])
        return node

    def and_(self) -> Node:
        node = self.not_()
        while (token := self.accept("name", "and")) is not None:
            node = BoolOp([node, self.not_()], token[0])
        return node

    def not_(self) -> Node:
        token = self.accept("name", "not")
        if token is not None:
            return Group([self.not_()], token[0])
        return self.compare()

    def compare(self) -> Node:
        line = self.peek()[0]
        node = self.unary()
        operands: list[Node] = []
        while True:
            token = self.peek() if self.pos < len(self.tokens) else (0, "", "")
            if token[1:] in _COMPARISONS:
                self.next()
            elif token[1] == "name" and token[2] == "not":
                after = self.tokens[self.pos + 1] if self.pos + 1 < len(self.tokens) else None
                if after is None or after[1:] != ("name", "in"):
                    break
                self.pos += 2
            else:
                break
            operands.append(self.unary())
        return Group([node, *operands], line) if operands else node

    def unary(self) -> Node:
        node = self.postfix(self.primary())
        while True:
            if self.accept("operator", "|") is not None:
                name_token = self.expect("name")
                name = name_token[2]
                if name not in _FILTERS or self.accept("operator", ".") is not None:
                    raise _Decline
                args: list[Node] = []
                if self.accept("operator", "(") is not None:
                    args = self.arguments()
                node = Filter(node, name, args, name_token[0])
            elif self.accept("name", "is") is not None:
                raise _Decline
            elif (token := self.accept("operator", "(")) is not None:
                node = Call(node, self.arguments(), token[0])
            else:
                return node

    def postfix(self, node: Node) -> Node:
        while True:
            if (token := self.accept("operator", ".")) is not None:
                _, kind, attr = self.next()
                if kind != "name":
                    raise _Decline
                node = Getattr(node, attr, token[0])
            elif (token := self.accept("operator", "[")) is not None:
                arg = self.expression()
                self.expect("operator", "]")
                node = Getitem(node, arg, token[0])
            elif (token := self.accept("operator", "(")) is not None:
                node = Call(node, self.arguments(), token[0])
            else:
                return node

    def arguments(self) -> list[Node]:
        """Positional arguments after `(`, up to and with `)` (a trailing comma is allowed)."""
        args: list[Node] = []
        while self.accept("operator", ")") is None:
            if args:
                self.expect("operator", ",")
                if self.accept("operator", ")") is not None:
                    break
            args.append(self.expression())
        return args

    def primary(self) -> Node:
        line, kind, value = self.next()
        if kind == "name":
            if value in _CONSTANTS:
                return Const(_CONSTANTS[value], line)
            if value in _KEYWORDS:
                raise _Decline
            return Name(value, "load", line)
        if kind == "string":
            if self.pos < len(self.tokens) and self.tokens[self.pos][1] == "string":
                raise _Decline
            return Const(value[1:-1], line)
        if kind == "integer":
            return Const(int(value), line)
        if kind == "float":
            return Const(float(value), line)
        if kind == "operator" and value == "(":
            node = self.expression()
            self.expect("operator", ")")
            return node
        if kind == "operator" and value == "[":
            items: list[Node] = []
            while self.accept("operator", "]") is None:
                if items:
                    self.expect("operator", ",")
                    if self.accept("operator", "]") is not None:
                        break
                items.append(self.expression())
            return Group(items, line)
        raise _Decline


def parse(tokens: list[Token]) -> list[Node] | None:
    """The nodes of a lexed template, or None outside the subset."""
    try:
        return _Parser(tokens).template()
    except _Decline:
        return None


# -- the analysis -------------------------------------------------------------------------------


def analyse(text: str) -> tuple[dict[str, list[int]], list[tuple[str, list[Any], int]]] | None:
    """The undeclared roots (with the lines each is read on, in order) and the attribute
    chains on them, as `jinja_source.analyse` finds them with jinja2; None outside the subset.
    """
    tokens = lex(text)
    if tokens is None:
        return None
    body = parse(tokens)
    if body is None or not all(_unfolded(node) for node in _walk(body)):
        return None
    undeclared: set[str] = set()
    _undeclared(body, frozenset(), undeclared)
    undeclared -= JINJA_NAMES
    roots: dict[str, list[int]] = {}
    for node in _walk(body):
        if isinstance(node, Name) and node.ctx == "load" and node.name in undeclared:
            roots.setdefault(node.name, []).append(node.lineno)
    chains = list(_chains(body, undeclared))
    return roots, chains


def _unfolded(node: Node) -> bool:
    """False where jinja2's compiler folds constants in a way that matters: `0 and x` drops
    `x`, `'s'.a` is evaluated at compile time (a strict undefined then fails), and a constant
    key such as `a[1|upper]` becomes the segment `'1'` of an attribute chain."""
    if isinstance(node, BoolOp):
        return _has_name(node.children[0])
    if isinstance(node, Getitem) and not (isinstance(node.arg, Const) or _has_name(node.arg)):
        return False
    if isinstance(node, (Getattr, Getitem)) or (
        isinstance(node, Call) and not isinstance(node, Filter)
    ):
        return _has_name(node.node)
    return True


def _has_name(node: Node) -> bool:
    return isinstance(node, Name) or any(_has_name(c) for c in node.iter_child_nodes())


def _walk(nodes: list[Node]) -> Iterator[Node]:
    for node in nodes:
        yield node
        yield from _walk(list(node.iter_child_nodes()))


def _undeclared(nodes: list[Node], declared: frozenset[str], out: set[str]) -> None:
    """Names read where no enclosing `for` declares them."""
    for node in nodes:
        if isinstance(node, Name):
            if node.name not in declared:
                out.add(node.name)
        elif isinstance(node, For):
            _undeclared([node.iter], declared, out)
            _undeclared(node.body, declared | set(node.targets), out)
        else:
            _undeclared(list(node.iter_child_nodes()), declared, out)


def _chains(body: list[Node], roots: set[str]) -> Iterator[tuple[str, list[Any], int]]:
    """Maximal `Getattr`/`Getitem` chains on undeclared roots (as `jinja_source._chains`)."""

    def visit(node: Node, parent: Node | None) -> Iterator[tuple[str, list[Any], int]]:
        if isinstance(node, (Getattr, Getitem)) and not (
            isinstance(parent, (Getattr, Getitem)) and parent.node is node
        ):
            found = _flatten(node)
            if found is not None and found[0].name in roots:
                root, segments = found
                method = isinstance(parent, Call) and not isinstance(parent, Filter)
                if method and parent.node is node:  # type: ignore[union-attr]
                    segments = segments[:-1]
                if segments:
                    yield root.name, segments, node.lineno
        for child in node.iter_child_nodes():
            yield from visit(child, node)

    for node in body:
        yield from visit(node, None)


def _flatten(node: Node) -> tuple[Name, list[Any]] | None:
    segments: list[Any] = []
    while isinstance(node, (Getattr, Getitem)):
        if isinstance(node, Getattr):
            segments.append(node.attr)
        elif isinstance(node.arg, Const) and isinstance(node.arg.value, (str, int)):
            segments.append(node.arg.value)
        else:
            segments.clear()
        node = node.node
    if not isinstance(node, Name) or node.ctx != "load":
        return None
    return node, list(reversed(segments))
