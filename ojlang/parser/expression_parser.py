"""Expression text in, `expressions` AST out: the lark tree is rebuilt at once, errors are OJ414.

Imported by `expressions.parse_expression` on first use. String literals are decoded here
(`\\\\ \\' \\" \\n \\t`; other backslashes stay as written, so regexes read naturally) and
`{path | filters}` inside them becomes a placeholder when it parses, else stays text.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ojlang.parser.expressions import (
    BoolOp,
    Call,
    Compare,
    Expr,
    FilterCall,
    InterpString,
    ListExpr,
    Literal,
    Not,
    PathRef,
    Placeholder,
)
from ojlang.parser.mini import MiniSyntaxError, load_grammar

if TYPE_CHECKING:
    from ojlang.parser.lalr import Parser, Token, Tree


def _parser() -> Parser:
    return load_grammar("expression")


def _error(message: str, start: int, end: int, **kw: Any) -> MiniSyntaxError:
    return MiniSyntaxError("OJ414", message, start, end, **kw)


def parse(text: str) -> Expr:
    from ojlang.parser.lalr import UnexpectedInput

    if not text.strip():
        raise _error("expected an expression", 0, len(text), label="empty expression")
    try:
        tree = _parser().parse(text)
    except UnexpectedInput as exc:
        raise _syntax_error(text, exc) from None
    return _build(tree, text)


# -- tree to AST ------------------------------------------------------------------------------


def _span(node: Tree | Token) -> tuple[int, int]:
    if hasattr(node, "meta"):
        return node.meta.start_pos, node.meta.end_pos
    return node.start_pos, node.end_pos


def _build(node: Any, text: str) -> Expr:
    start, end = _span(node)
    kind = node.data
    kids = node.children
    if kind == "literal":
        return _literal(kids[0], text)
    if kind == "path":
        return _path(node)
    if kind == "placeholder":
        return _placeholder(node, text, 0)
    if kind == "group":
        return _build(kids[1], text)
    if kind == "call":
        args = tuple(_build(k, text) for k in kids[2:-1] if k is not None and hasattr(k, "data"))
        return Call(str(kids[0]), args, start, end)
    if kind == "list":
        items = tuple(_build(k, text) for k in kids[1:-1] if k is not None and hasattr(k, "data"))
        return ListExpr(items, start, end)
    if kind == "not_":
        return Not(_build(kids[1], text), start, end)
    if kind in ("or_expr", "and_expr"):
        operands = tuple(_build(k, text) for k in kids[::2])
        return BoolOp("or" if kind == "or_expr" else "and", operands, start, end)
    assert kind == "compare", kind
    ops = kids[1:-1]
    op = " ".join(str(t) for t in ops)
    left, right = _build(kids[0], text), _build(kids[-1], text)
    return Compare(op, left, right, start, end, ops[0].start_pos, ops[-1].end_pos)


def _literal(tok: Token, text: str) -> Literal | InterpString:
    start, end = tok.start_pos, tok.end_pos
    assert start is not None and end is not None
    kind = tok.type
    if kind == "STRING":
        return _string(str(tok), start, end)
    if kind == "INT":
        return Literal(int(tok), "int", start, end)
    if kind == "FLOAT":
        return Literal(float(tok), "float", start, end)
    if kind == "DURATION":
        from ojlang.parser.durations import parse_duration

        try:
            ms = parse_duration(str(tok), allow_zero=True).ms
        except MiniSyntaxError as err:
            raise MiniSyntaxError(
                err.code,
                err.message,
                err.start + start,
                err.end + start,
                label=err.label,
                help=err.help,
            ) from None
        return Literal(ms, "duration", start, end)
    if kind == "NULL":
        return Literal(None, "null", start, end)
    return Literal(kind == "TRUE", "bool", start, end)


def _path(node: Any) -> PathRef:
    start, end = _span(node)
    kids = node.children
    segments: list[str | int] = []
    for tok in kids[1:]:
        if tok.type == "NAME":
            segments.append(str(tok))
        elif tok.type == "INT":
            segments.append(int(tok))
        elif tok.type == "STRING":
            segments.append(decode(str(tok)[1:-1]))
    return PathRef(str(kids[0]), tuple(segments), start, end)


def _placeholder(node: Any, text: str, shift: int) -> Placeholder:
    start, end = _span(node)
    if text[start + 1].isspace() or text[end - 2].isspace():
        raise _error(
            "no space is allowed right inside `{` and `}`",
            start + shift,
            end + shift,
            help="write `{name}`, or use the bare path",
        )
    path = _shift_path(_path(node.children[1]), shift)
    filters = []
    for child in node.children[2:]:
        if hasattr(child, "data"):
            fs, fe = _span(child)
            args = tuple(_farg(a.children[0]) for a in child.children[1:] if _is_tree(a))
            filters.append(FilterCall(str(child.children[0]), args, fs + shift, fe + shift))
    return Placeholder(path, tuple(filters), start + shift, end + shift)


def _is_tree(value: Any) -> bool:
    return value is not None and hasattr(value, "data")


def _shift_path(path: PathRef, shift: int) -> PathRef:
    if not shift:
        return path
    return PathRef(path.root, path.segments, path.start + shift, path.end + shift)


def _farg(tok: Token) -> str | int | float | bool | None:
    if tok.type == "STRING":
        return decode(str(tok)[1:-1])
    if tok.type == "SIGNED":
        return float(tok) if any(c in tok for c in ".eE") else int(tok)
    return {"TRUE": True, "FALSE": False, "NULL": None}[tok.type]


_ESCAPES = {"\\": "\\", "'": "'", '"': '"', "n": "\n", "t": "\t"}


def decode(raw: str) -> str:
    """Decode the escapes of a string literal's content; unknown ones stay as written."""
    out: list[str] = []
    i = 0
    while i < len(raw):
        c = raw[i]
        if c == "\\" and i + 1 < len(raw):
            nxt = raw[i + 1]
            out.append(_ESCAPES.get(nxt, c + nxt))
            i += 2
        else:
            out.append(c)
            i += 1
    return "".join(out)


def _string(raw: str, start: int, end: int) -> Literal | InterpString:
    """A string literal; `{path}` inside it becomes a placeholder."""
    content = raw[1:-1]
    base = start + 1
    parts: list[str | Placeholder] = []
    buf: list[str] = []
    i = 0
    while i < len(content):
        c = content[i]
        if c == "\\" and i + 1 < len(content):
            buf.append(decode(content[i : i + 2]))
            i += 2
            continue
        if c == "{":
            found = _interp_at(content, i, base)
            if found is not None:
                if buf:
                    parts.append("".join(buf))
                    buf = []
                parts.append(found)
                i = found.end - base
                continue
        buf.append(c)
        i += 1
    if buf:
        parts.append("".join(buf))
    if not any(isinstance(p, Placeholder) for p in parts):
        return Literal("".join(p for p in parts if isinstance(p, str)), "string", start, end)
    return InterpString(tuple(parts), start, end)


def _interp_at(content: str, i: int, base: int) -> Placeholder | None:
    from ojlang.parser.lalr import UnexpectedInput

    close = content.find("}", i)
    if close < 0:
        return None
    candidate = content[i : close + 1]
    inner = candidate[1:-1]
    if not inner or inner[0].isspace() or inner[-1].isspace() or "\\" in candidate:
        return None
    if "\n" in candidate:
        return None
    try:
        tree = _parser().parse(candidate)
    except UnexpectedInput:
        return None
    if getattr(tree, "data", None) != "placeholder":  # pragma: no cover - `{…}` is one atom
        return None
    return _placeholder(tree, candidate, base + i)


# -- syntax errors ----------------------------------------------------------------------------

_OPERATORS = {"AND", "ANDAND", "OR", "OROR", "NOT", "BANG", "CMP", "IN"}
_OPERAND_START = {"NAME", "INT", "FLOAT", "DURATION", "STRING", "LPAR", "LSQB", "LBRACE"}
_AFTER_OPERAND = {"CMP", "IN", "AND", "ANDAND", "OR", "OROR", "$END"}
_OPENERS = {"LPAR": ("(", ")"), "LSQB": ("[", "]"), "LBRACE": ("{", "}")}
_CLOSERS = {"RPAR": "LPAR", "RSQB": "LSQB", "RBRACE": "LBRACE"}
_CHAR_HELP = {
    "=": "compare with `==`",
    "&": "write `and` or `&&`",
    "|": "write `or` or `||`",
    "-": "expressions have no arithmetic; numbers are written without a sign",
}


def _syntax_error(text: str, exc: Exception) -> MiniSyntaxError:
    from ojlang.parser.lalr import UnexpectedCharacters, UnexpectedToken

    if isinstance(exc, UnexpectedCharacters):
        pos = exc.pos_in_stream or 0
        char = text[pos]
        if char in "'\"":
            return _error(
                "unterminated string",
                pos,
                len(text),
                label="this string is never closed",
                help=f"close it with `{char}`",
            )
        return _error(f"unexpected character `{char}`", pos, pos + 1, help=_CHAR_HELP.get(char))
    assert isinstance(exc, UnexpectedToken)
    token = exc.token
    at_end = token.type == "$END"
    start, end = (len(text), len(text)) if at_end else _at(token)
    tokens = _tokens_before(text, start)
    prev = tokens[-1] if tokens else None
    expected = set(exc.expected)
    found = str(token)

    after_operand = bool(expected & {"AND", "OR"}) and not expected & {"CMP", "IN"}
    chained = token.type in ("CMP", "IN") or (token.type == "NOT" and not expected & _OPERAND_START)
    if after_operand and chained:
        return _error(
            "comparisons cannot be chained",
            start,
            end,
            label="a second comparison",
            help="join two comparisons with `and`, e.g. `a < b and b < c`",
        )
    if expected & _OPERAND_START and not expected & _AFTER_OPERAND:
        err = _operand_error(text, tokens, start, end, at_end, found)
        if token.type == "SIGNED":
            err.help = "numbers are written without a sign; there is no arithmetic"
        return err
    if expected == {"IN"} and prev is not None:
        return _error(
            "expected `in` after `not`",
            *(_at(prev) if at_end else (start, end)),
            label="expected `in`",
            help="`not` before an operand negates it: `not a in b`; after one it must be `not in`",
        )
    if at_end:
        opener = _unclosed(tokens)
        if opener is not None:
            left, right = _OPENERS[opener.type]
            return _error(
                f"`{left}` is never closed", *_at(opener), label=f"expected `{right}` to close this"
            )
    if token.type in _CLOSERS:
        return _error(f"unmatched `{found}`", start, end, label="nothing to close here")
    if token.type in _OPERAND_START | {"TRUE", "FALSE", "NULL", "SIGNED"} and prev is not None:
        help = "join conditions with `and` or `or`"
        if "COMMA" in expected:
            help = "separate arguments and list items with `,`"
        if str(prev).isdigit() and token.type == "NAME":
            help = f"a duration has no spaces: `{prev}{found}`"
        return _error(
            f"expected an operator after `{prev}`, found `{found}`",
            start,
            end,
            label="unexpected here",
            help=help,
        )
    return _error(f"unexpected `{found}`", start, end)


def _operand_error(
    text: str, tokens: list[Token], start: int, end: int, at_end: bool, found: str
) -> MiniSyntaxError:
    """Something that starts an operand was due: say after what, and point there."""
    prev = tokens[-1] if tokens else None
    if prev is None:
        return _error(
            f"expected an operand before `{found}`", start, end, label="expected an operand here"
        )
    ps, pe = _at(prev)
    before = tokens[-2] if len(tokens) > 1 else None
    what, after = "an operand", text[ps:pe]
    if prev.type in _OPERATORS:
        if prev.type == "IN" and before is not None and before.type == "NOT":
            after, ps = "not in", _at(before)[0]
    elif prev.type == "LPAR" and before is not None and before.type == "NAME":
        ps = _at(before)[0]
        what, after = "an argument or `)`", text[ps:pe]
    elif prev.type == "LSQB" and before is not None and before.type in ("NAME", "RSQB"):
        what = "an index or a quoted key"
    elif prev.type == "LSQB":
        what = "a list element or `]`"
    elif prev.type == "DOT":
        what = "a field name"
    elif prev.type == "LBRACE":
        what = "a path"
    elif prev.type == "PIPE":
        what = "a filter name"
    if at_end:
        return _error(
            f"expected {what} after `{after}`", ps, pe, label=f"expected {what} after this"
        )
    return _error(
        f"expected {what} after `{after}`, found `{found}`", start, end, label="unexpected here"
    )


def _at(tok: Token) -> tuple[int, int]:
    start, end = tok.start_pos, tok.end_pos
    assert start is not None and end is not None
    return start, end


def _tokens_before(text: str, pos: int) -> list[Token]:
    tokens: list[Token] = []
    try:
        for tok in _parser().lex(text[:pos]):
            tokens.append(tok)
    except Exception:  # the prefix itself does not lex; keep what did
        pass
    return tokens


def _unclosed(tokens: list[Token]) -> Token | None:
    stack: list[Token] = []
    for tok in tokens:
        if tok.type in _OPENERS:
            stack.append(tok)
        elif tok.type in _CLOSERS and stack:
            stack.pop()
    return stack[-1] if stack else None
