"""Argument spec text (LANGUAGE.md §4.4) in, `ArgSpec` items out; OJ402/OJ404 errors and usage.

`parse_args_spec` turns `"<stage> [-t/--tag <v>] [--force] [targets...]"` into `ArgItem`s
whose offsets are decoded string offsets; `check_args_spec` applies the OJ404 structural
rules; `usage_line` prints the canonical spec; `bind_argv` binds command-line words to the
spec's variables (§4.4.2) or raises `ArgvUsageError`.
"""

from __future__ import annotations

import enum
import itertools
from typing import TYPE_CHECKING, Any

from ojlang import rec
from ojlang.parser.mini import MiniSyntaxError, load_grammar

if TYPE_CHECKING:
    from ojlang.parser.lalr import Token, Tree


class ArgKind(enum.Enum):
    POSITIONAL = "positional"
    OPTION = "option"  # takes a value: `--tag <v>`
    FLAG = "flag"  # no value: `--force`


@rec.frozen(slots=True)
class ArgItem:
    """One item of a spec. `name` is the positional name or the long name without `--`.

    `var` is the variable it binds (`--dry-run` → `dry_run`). `metavar` is the `<v>` of an
    option. `variadic` is `<xs...>`/`[xs...]` for positionals and `<v...>` for options.
    Flags are never required. `name_start`/`name_end` cover the positional name or the long
    name; `short_start`/`short_end` the short name (both -1 without one).
    """

    kind: ArgKind
    name: str
    required: bool
    variadic: bool
    start: int
    end: int
    name_start: int
    name_end: int
    short: str | None = None
    short_start: int = -1
    short_end: int = -1
    metavar: str | None = None

    @property
    def var(self) -> str:
        return self.name.replace("-", "_")

    @property
    def long(self) -> str | None:
        """`--name` for options and flags, None for positionals."""
        return None if self.kind is ArgKind.POSITIONAL else f"--{self.name}"

    @property
    def names_text(self) -> str:
        """`-t/--tag` or `--tag` (options and flags), the bare name for positionals."""
        if self.kind is ArgKind.POSITIONAL:
            return self.name
        return f"{self.short}/--{self.name}" if self.short else f"--{self.name}"

    @property
    def text(self) -> str:
        """The canonical form of the item: `<name>`, `[xs...]`, `[-t/--tag <v>]`, `[--force]`."""
        dots = "..." if self.variadic else ""
        if self.kind is ArgKind.POSITIONAL:
            return f"<{self.name}{dots}>" if self.required else f"[{self.name}{dots}]"
        if self.kind is ArgKind.FLAG:
            return f"[{self.names_text}]"
        inner = f"{self.names_text} <{self.metavar}{dots}>"
        return inner if self.required else f"[{inner}]"


@rec.frozen(slots=True)
class ArgSpec:
    items: tuple[ArgItem, ...] = ()

    @property
    def positionals(self) -> tuple[ArgItem, ...]:
        return tuple(i for i in self.items if i.kind is ArgKind.POSITIONAL)

    def by_var(self, var: str) -> ArgItem | None:
        """The item binding variable `var` (`dry_run`), or None."""
        return next((i for i in self.items if i.var == var), None)

    def by_long(self, long: str) -> ArgItem | None:
        """The option or flag called `--long` (with or without the dashes), or None."""
        name = long[2:] if long.startswith("--") else long
        return next(
            (i for i in self.items if i.kind is not ArgKind.POSITIONAL and i.name == name), None
        )

    def by_short(self, short: str) -> ArgItem | None:
        """The option or flag whose short name is `-x` (with or without the dash), or None."""
        flag = short if short.startswith("-") else f"-{short}"
        return next((i for i in self.items if i.short == flag), None)

    @property
    def text(self) -> str:
        return " ".join(i.text for i in self.items)


def usage_line(name: str, spec: ArgSpec) -> str:
    """`usage: oj run NAME <spec>` with the spec in canonical form (§4.4.2)."""
    return f"usage: oj run {name} {spec.text}".rstrip()


# -- parsing ----------------------------------------------------------------------------------


def _error(message: str, start: int, end: int, **kw: Any) -> MiniSyntaxError:
    return MiniSyntaxError("OJ402", f"invalid argument spec: {message}", start, end, **kw)


def parse_args_spec(text: str) -> ArgSpec:
    """Parse a §4.4 spec; raise `MiniSyntaxError` (OJ402) at the smallest useful range."""
    from ojlang.parser.lalr import UnexpectedInput

    try:
        tree = load_grammar("args").parse(text)
    except UnexpectedInput as exc:
        raise _syntax_error(text, exc) from None
    nodes: list[Any] = list(tree.children)
    items = tuple(_item(node) for node in nodes)
    _check_spacing(text, items)
    return ArgSpec(items)


def _tokens(node: Tree) -> list[Token]:
    from ojlang.parser.lalr import Token

    return [t for t in node.scan_values(lambda v: isinstance(v, Token))]


def _item(node: Tree) -> ArgItem:
    toks = _tokens(node)
    start, end = toks[0].start_pos, toks[-1].end_pos
    assert start is not None and end is not None
    kinds = [t.type for t in toks]
    short = next((t for t in toks if t.type == "SHORT"), None)
    long = next((t for t in toks if t.type == "LONG"), None)
    name = next((t for t in toks if t.type == "NAME"), None)
    variadic = "ELLIPSIS" in kinds
    short_kw: dict[str, Any] = {}
    if short is not None:
        short_kw = {"short": str(short), "short_start": short.start_pos, "short_end": short.end_pos}
    if node.data in ("req_pos", "opt_pos"):
        assert name is not None
        return ArgItem(
            ArgKind.POSITIONAL,
            str(name),
            node.data == "req_pos",
            variadic,
            start,
            end,
            _pos(name.start_pos),
            _pos(name.end_pos),
        )
    assert long is not None
    kind = ArgKind.FLAG if node.data == "flag" else ArgKind.OPTION
    return ArgItem(
        kind,
        str(long)[2:],
        node.data == "req_opt",
        variadic,
        start,
        end,
        _pos(long.start_pos),
        _pos(long.end_pos),
        metavar=str(name) if name is not None else None,
        **short_kw,
    )


def _pos(value: int | None) -> int:
    assert value is not None
    return value


def _check_spacing(text: str, items: tuple[ArgItem, ...]) -> None:
    """Items, and an option's name and `<value>`, must be separated by whitespace."""
    for left, right in itertools.pairwise(items):
        if left.end == right.start:
            raise _error(
                f"expected a space between `{text[left.start : left.end]}` and "
                f"`{text[right.start : right.end]}`",
                right.start,
                right.start + 1,
                label="expected a space before this",
            )
    for item in items:
        if item.kind is ArgKind.OPTION and text[item.name_end] == "<":
            raise _error(
                f"expected a space between `{text[item.name_start : item.name_end]}` and its value",
                item.name_end,
                item.name_end + 1,
                label="expected a space before this",
            )


_SHOWN = {
    "GT": "`>`",
    "RBRACK": "`]`",
    "NAME": "a name",
    "SLASH": "`/--long`",
    "LONG": "a long name such as `--tag`",
    "ELLIPSIS": "`...`",
}
_PREFERRED = ("GT", "RBRACK", "NAME", "SLASH", "LONG")


def _syntax_error(text: str, exc: Exception) -> MiniSyntaxError:
    """A precise OJ402 from a lark error: what was expected after which fragment."""
    from ojlang.parser.lalr import UnexpectedCharacters, UnexpectedToken

    expected: set[str] = set()
    start: int
    end: int
    if isinstance(exc, UnexpectedToken):
        expected = set(exc.expected)
        token = exc.token
        at_end = token.type == "$END"
        start = len(text) if at_end else _pos(token.start_pos)
        end = len(text) if at_end else _pos(token.end_pos)
        found = "" if at_end else str(token)
    elif isinstance(exc, UnexpectedCharacters):
        expected = set(exc.allowed or ())
        start = _pos(exc.pos_in_stream)
        end = start + 1
        found = text[start]
    else:  # pragma: no cover - UnexpectedEOF does not happen with LALR
        start = end = len(text)
        found = ""
    context_start = _context_start(text, start)
    context = text[context_start:start].rstrip()
    prev = _previous_token(text, start)

    if prev is not None and prev.type == "SHORT" and found[:1].isalnum():
        word = text[_pos(prev.start_pos) : end]
        return _error(
            f"short name `{word}` has more than one character",
            _pos(prev.start_pos),
            end,
            help=f"a short name is one character; for a long name write `-{word}`",
        )
    if prev is not None and prev.type == "SHORT" and expected == {"SLASH"}:
        return _error(
            f"expected `/--long` after `{prev}`",
            _pos(prev.start_pos),
            _pos(prev.end_pos),
            label="a short name needs a long name",
            help=f"write `{prev}/--name`",
        )
    if not expected - {"LT", "LBRACK", "LONG", "SHORT"} and found:
        # Where an item should start.
        word = found
        help = None
        if found[:1].isalpha():
            word = _word_at(text, start)
            help = f"a positional is written `<{word}>` (required) or `[{word}]` (optional)"
            end = start + len(word)
        return _error(f"unexpected `{word}`", start, end, label="not an argument", help=help)
    shown = next((_SHOWN[k] for k in _PREFERRED if k in expected), None)
    if shown is None:  # pragma: no cover - every parser state expects one of the above
        shown = "an argument"
    where = f" after `{context}`" if context else ""
    if found:
        return _error(f"expected {shown}{where}, found `{found}`", start, end)
    # At the end: point at the unfinished fragment.
    return _error(
        f"expected {shown}{where}",
        context_start if context else start,
        context_start + len(context) if context else start,
        label=f"expected {shown}",
    )


def _context_start(text: str, pos: int) -> int:
    """Start of the innermost unclosed `<` or `[` before `pos`, else of the last word."""
    depth: list[int] = []
    for i, ch in enumerate(text[:pos]):
        if ch in "<[":
            depth.append(i)
        elif ch in ">]" and depth:
            depth.pop()
    if depth:
        return depth[-1]
    i = len(text[:pos].rstrip())
    while i > 0 and not text[i - 1].isspace():
        i -= 1
    return i


def _previous_token(text: str, pos: int) -> Token | None:
    """The last token that ends at or before `pos` (lexing stops at a bad character)."""
    last: Token | None = None
    try:
        for tok in load_grammar("args").lex(text[:pos]):
            last = tok
    except Exception:  # the prefix ends in a character no token accepts
        pass
    return last


def _word_at(text: str, pos: int) -> str:
    end = pos
    while end < len(text) and (text[end].isalnum() or text[end] in "_-"):
        end += 1
    return text[pos:end]


# -- structural rules -------------------------------------------------------------------------


def _issue(message: str, start: int, end: int, **kw: Any) -> MiniSyntaxError:
    return MiniSyntaxError("OJ404", message, start, end, **kw)


def check_args_spec(spec: ArgSpec) -> list[MiniSyntaxError]:
    """The OJ404 rules of §4.4, one issue per offending item, in spec order."""
    issues: list[MiniSyntaxError] = []
    seen_vars: dict[str, ArgItem] = {}
    seen_shorts: dict[str, ArgItem] = {}
    first_loose: ArgItem | None = None  # the first optional or variadic positional
    variadic: ArgItem | None = None
    for item in spec.items:
        problem = _reserved(item)
        if problem is None:
            problem = _duplicate(item, seen_vars, seen_shorts)
        if problem is None and item.kind is ArgKind.POSITIONAL:
            problem = _order(item, first_loose, variadic)
        if problem is not None:
            issues.append(problem)
        seen_vars.setdefault(item.var, item)
        if item.short:
            seen_shorts.setdefault(item.short, item)
        if item.kind is ArgKind.POSITIONAL:
            if first_loose is None and (item.variadic or not item.required):
                first_loose = item
            if item.variadic and variadic is None:
                variadic = item
    return issues


def _reserved(item: ArgItem) -> MiniSyntaxError | None:
    if item.kind is not ArgKind.POSITIONAL and item.name == "help":
        return _issue(
            "`--help` is reserved",
            item.name_start,
            item.name_end,
            label="reserved",
            help="`-h` and `--help` print the usage line; choose another name",
        )
    if item.short == "-h":
        return _issue(
            "`-h` is reserved",
            item.short_start,
            item.short_end,
            label="reserved",
            help="`-h` and `--help` print the usage line; choose another short name",
        )
    return None


def _duplicate(
    item: ArgItem, seen_vars: dict[str, ArgItem], seen_shorts: dict[str, ArgItem]
) -> MiniSyntaxError | None:
    earlier = seen_vars.get(item.var)
    if earlier is not None:
        same = earlier.name == item.name
        message = (
            f"argument `{item.name}` is defined twice"
            if same
            else f"arguments `{earlier.name}` and `{item.name}` both bind variable `{item.var}`"
        )
        return _issue(
            message,
            item.name_start,
            item.name_end,
            label="defined again here",
            help="give each argument its own name",
        )
    if item.short and item.short in seen_shorts:
        other = seen_shorts[item.short]
        return _issue(
            f"short name `{item.short}` is used by `--{other.name}` and `--{item.name}`",
            item.short_start,
            item.short_end,
            label="used again here",
            help="give each option its own short name",
        )
    return None


def _order(
    item: ArgItem, first_loose: ArgItem | None, variadic: ArgItem | None
) -> MiniSyntaxError | None:
    if variadic is not None:
        what = _describe(item)
        return _issue(
            f"{what} `{item.text}` follows variadic `{variadic.text}`",
            item.start,
            item.end,
            label="after the variadic positional",
            help=f"move `{item.text}` before `{variadic.text}`"
            if item.required or not item.variadic
            else "only one positional may be variadic, and it must be the last",
        )
    if item.required and first_loose is not None:
        return _issue(
            f"required positional `{item.text}` follows optional `{first_loose.text}`",
            item.start,
            item.end,
            label="after an optional positional",
            help=f"move `{item.text}` before `{first_loose.text}`",
        )
    return None


def _describe(item: ArgItem) -> str:
    if item.variadic:
        return "variadic positional"
    return "required positional" if item.required else "optional positional"


# -- argv binding (§4.4.2) --------------------------------------------------------------------


class ArgvUsageError(Exception):
    """argv does not fit the spec (exit 2): `message`, and `help` (a close match or usage)."""

    def __init__(self, message: str, help: str) -> None:
        super().__init__(message)
        self.message = message
        self.help = help


class ArgvHelp(Exception):
    """`-h` or `--help` was given (before `--`): print `usage` and exit 0."""

    def __init__(self, usage: str) -> None:
        super().__init__(usage)
        self.usage = usage


def bind_argv(
    spec: ArgSpec,
    argv: list[str],
    aliases: dict[str, str],
    defaults: dict[str, object],
    *,
    name: str = "NAME",
) -> dict[str, object]:
    """Bind `argv` to the spec's variables (`dry_run`, …) per §4.4.2.

    `aliases` map one letter to a long option or flag (`"force"` or `"--force"`); `defaults`
    are keyed by variable or item name. Values from argv are strings; unsupplied items take
    their default, else `""`, `False` or `[]`. `name` is the command name of the usage line.
    Raises `ArgvUsageError` for usage errors and `ArgvHelp` for `-h`/`--help`.
    """
    usage = usage_line(name, spec)
    shorts: dict[str, ArgItem] = {i.short[1:]: i for i in spec.items if i.short}
    for letter, target in aliases.items():
        item = spec.by_long(target)
        if item is not None:
            shorts.setdefault(letter, item)
    values: dict[str, object] = {}
    positional: list[str] = []
    words = iter(argv)
    only_positional = False
    for word in words:
        if only_positional or word == "-" or not word.startswith("-"):
            positional.append(word)
            continue
        if word == "--":
            only_positional = True
            continue
        if word in ("-h", "--help"):
            raise ArgvHelp(usage)
        value: str | None = None
        if word.startswith("--"):
            key, eq, rest = word.partition("=")
            item = spec.by_long(key)
            if item is None:
                raise ArgvUsageError(f"unknown option `{key}`", _option_help(spec, key, usage))
            value = rest if eq else None
        else:
            item = shorts.get(word[1])
            if item is None:
                raise ArgvUsageError(f"unknown option `{word[:2]}`", usage)
            if len(word) > 2:
                raise ArgvUsageError(
                    f"bundled short options `{word}` are not supported", _bundle_help(word, item)
                )
            key = word
        _set_option(item, key, value, words, values, usage)
    _bind_positionals(spec, positional, values, usage)
    for item in spec.items:
        if item.var in values:
            continue
        if item.required:
            what = "argument" if item.kind is ArgKind.POSITIONAL else "option"
            raise ArgvUsageError(f"missing required {what} `{item.text}`", usage)
        values[item.var] = _default(item, defaults)
    return values


def _set_option(
    item: ArgItem,
    key: str,
    value: str | None,
    words: Any,
    values: dict[str, object],
    usage: str,
) -> None:
    long = f"--{item.name}"
    if item.kind is ArgKind.FLAG:
        if value is not None:
            raise ArgvUsageError(f"flag `{long}` takes no value", f"write `{long}` alone")
        if item.var in values:
            raise ArgvUsageError(f"flag `{long}` is given twice", usage)
        values[item.var] = True
        return
    if value is None:
        value = next(words, None)
        if value is None:
            raise ArgvUsageError(f"option `{key}` needs a value", f"write `{key} <{item.metavar}>`")
    if item.variadic:
        collected = values.setdefault(item.var, [])
        assert isinstance(collected, list)
        collected.append(value)
    elif item.var in values:
        raise ArgvUsageError(
            f"option `{long}` is given twice",
            f"`{long}` takes one value; write `<{item.metavar}...>` in the spec to collect many",
        )
    else:
        values[item.var] = value


def _bind_positionals(
    spec: ArgSpec, words: list[str], values: dict[str, object], usage: str
) -> None:
    rest = list(words)
    for item in spec.positionals:
        if item.variadic:
            if rest:
                values[item.var] = rest
            rest = []
        elif rest:
            values[item.var] = rest.pop(0)
    if rest:
        raise ArgvUsageError(f"unexpected argument `{rest[0]}`", usage)


def _default(item: ArgItem, defaults: dict[str, object]) -> object:
    for key in (item.var, item.name):
        if key in defaults:
            value = defaults[key]
            return list(value) if isinstance(value, list | tuple) else value
    if item.kind is ArgKind.FLAG:
        return False
    return [] if item.variadic else ""


def _option_help(spec: ArgSpec, key: str, usage: str) -> str:
    from ojlang.parser.mini import close_match

    longs = [f"--{i.name}" for i in spec.items if i.kind is not ArgKind.POSITIONAL]
    best = close_match(key, longs)
    return f"an option with a similar name exists: `{best}`" if best else usage


def _bundle_help(word: str, item: ArgItem) -> str:
    if item.kind is ArgKind.OPTION:
        return f"write `{word[:2]} {word[2:].removeprefix('=')}`"
    return "write each short flag separately: `" + " ".join(f"-{c}" for c in word[1:]) + "`"
