"""TOML tree -> runbook AST, reporting the schema (OJ1xx) and mini-language (OJ4xx) checks.

The builder walks the tables of LANGUAGE.md §1.2 and fills the AST classes of
`ojlang.parser.ast` field by field from their specs (`ojlang.parser.fields`): unknown tables and
keys, wrong TOML types, missing fields, names, enumerations and integer ranges are checked
generically; every mini-language string is parsed and its errors are mapped into the file
through the string's source map. Checks that need more than one table (action counts,
conflicting fields, argument specs against aliases…) live in `ojlang.parser.table_checks`.
The builder never raises on bad input: a field that fails its check is left out (None) and
the diagnostic explains why.
"""

from __future__ import annotations

import re
from typing import Any

from ojlang import rec
from ojlang.parser import ast, minilang
from ojlang.parser.fields import (
    Chain,
    ChainItem,
    Dur,
    FieldSpec,
    Kind,
    MapEntry,
    MapField,
    Parsed,
    Ref,
    Tmpl,
    field_spec,
)
from ojlang.parser.mini import suggestion
from ojlang.parser.tomltree import (
    Key,
    TArray,
    TBool,
    TFloat,
    TInteger,
    TomlDocument,
    TString,
    TTable,
    Value,
    type_name,
)
from ojlang.validator.diagnostic import Applicability, Diagnostic, Edit, Fix, diag

NAME_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_-]{0,63}\Z")
VARIABLE_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")

_KIND_WORDS = {
    Kind.STRING: "a string",
    Kind.NAME: "a string",
    Kind.VARIABLE: "a string",
    Kind.INT: "an integer",
    Kind.BOOL: "a boolean",
    Kind.DURATION: "a duration string",
    Kind.TEXT: "a string",
    Kind.SHELL: "a string",
    Kind.JINJA: "a string",
    Kind.EXPR: "an expression string",
    Kind.PATTERN: "an event pattern string",
    Kind.REF: "a reference string",
    Kind.CHAIN: "a string or an array of strings",
    Kind.WORD: "a string",
    Kind.ON_FAIL: "a string",
    Kind.ORDER: "a string",
    Kind.ARGS: "an argument spec string",
    Kind.ENUM: "a string",
    Kind.LIST: "an array",
    Kind.MAP: "a table",
    Kind.TABLE: "a table",
    Kind.TABLES: "an array of tables",
}

_EXAMPLES = {
    Kind.DURATION: '"10m"',
    Kind.INT: "1",
    Kind.BOOL: "true",
    Kind.REF: '"NAME"',
    Kind.NAME: '"NAME"',
    Kind.VARIABLE: '"name"',
    Kind.SHELL: '"…"',
    Kind.PATTERN: '"scope:verb"',
}


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def expected_kind_text(spec: FieldSpec) -> str:
    return _KIND_WORDS.get(spec.kind, "a value")


def found_text(node: Value) -> str:
    """`integer `100``, `array`, … for 'found …' in OJ103 messages."""
    name = type_name(node)
    if isinstance(node, (TString, TInteger, TBool)):
        text = node.value if isinstance(node, TString) else str(node.value).lower()
        if isinstance(node, TString):
            return f"string `{text}`"
        return f"{name} `{text}`"
    return name


@rec.define
class Where:
    """Where a table sits, for messages: `[task.coder]`, phase `build` of pipeline `ship`."""

    label: str
    runbook: str


class Builder:
    """Builds one `Runbook` from one TOML document; diagnostics accumulate in `diagnostics`."""

    def __init__(self, document: TomlDocument, runbook_name: str) -> None:
        self.doc = document
        self.runbook = runbook_name
        self.diagnostics: list[Diagnostic] = []

    # -- reporting -------------------------------------------------------------------------

    def report(self, d: Diagnostic) -> None:
        self.diagnostics.append(rec.evolve(d, runbook=self.runbook))

    def error(self, code: str, message: str, span: Any, label: str = "", **kw: Any) -> None:
        self.report(diag(code, message, span, label, **kw))

    def mini(self, err: minilang.MiniSyntaxError, node: TString) -> None:
        self.report(err.to_diagnostic(node.source_map))

    # -- entry point -----------------------------------------------------------------------

    def build(self) -> ast.Runbook:
        from ojlang.parser import toplevel

        return toplevel.build_runbook(self)

    # -- generic tables --------------------------------------------------------------------

    def build_node(
        self,
        cls: type[Any],
        table: TTable,
        where: Where,
        *,
        key: Key | None = None,
        skip: tuple[str, ...] = (),
    ) -> Any:
        """Fill `cls` from `table`; unknown keys are OJ102, missing required fields OJ104."""
        specs = _specs(cls)
        values: dict[str, Any] = {}
        for name, entry in table.entries.items():
            if name in skip:
                continue
            if name not in specs:
                self.unknown_key(entry.key, where, list(specs))
                continue
            attr, fs = specs[name]
            converted = self.convert(fs, entry.value, name, where)
            if converted is not None:
                values[attr] = converted
        for name, (_attr, fs) in specs.items():
            if fs.required and name not in table.entries:
                self.missing(name, fs, table, where)
        kwargs: dict[str, Any] = {"span": table.span, "table": table, **values}
        if key is not None:
            kwargs["key"] = key
        return cls(**kwargs)

    def unknown_key(self, key: Key, where: Where, known: list[str]) -> None:
        help_text = suggestion(key.name, known, "key")
        fix = None
        if help_text and "similar name" in help_text:
            best = help_text.split("`")[1]
            fix = Fix(Applicability.SAFE, f"rename to `{best}`", (Edit(key.span, best),))
        self.error(
            "OJ102",
            f"unknown key `{key.name}` in {where.label}",
            key.span,
            "unknown key",
            help=help_text,
            fix=fix,
        )

    def missing(self, name: str, fs: FieldSpec, table: TTable, where: Where) -> None:
        example = _EXAMPLES.get(fs.kind, '"…"')
        if fs.kind is Kind.TABLES:
            path = where.label.strip("`[]")
            self.error(
                "OJ104",
                f"{where.label} is missing `{name}`",
                table.span,
                f"`{name}` is required",
                help=f"add a `[[{path}.{name}]]` table with `name` and `run`",
            )
            return
        self.error(
            "OJ104",
            f"{where.label} is missing `{name}`",
            table.span,
            f"`{name}` is required",
            help=f"add `{name} = {example}`",
        )

    def wrong_type(self, expected: str, name: str, node: Value, help: str | None = None) -> None:
        """Report OJ103 for `name`: `node` is not of the expected TOML type."""
        self.error(
            "OJ103",
            f"expected {expected} for `{name}`, found {found_text(node)}",
            node.span,
            f"expected {expected}",
            help=help,
        )

    # -- conversions -----------------------------------------------------------------------

    def convert(self, fs: FieldSpec, node: Value, name: str, where: Where) -> Any:
        """The AST value of `node` for a field of spec `fs`, or None after a diagnostic."""
        kind = fs.kind
        if kind is Kind.CUSTOM:
            from ojlang.parser import custom_fields

            return custom_fields.build(self, fs.context, node, name, where)
        if kind is Kind.ANY:
            return node
        if kind is Kind.BOOL:
            if isinstance(node, TBool):
                return node
            self.wrong_type("a boolean", name, node)
            return None
        if kind is Kind.INT:
            return self.integer(fs, node, name)
        if kind is Kind.DURATION:
            return self.duration(node, name, zero_ok=fs.zero_ok)
        if kind in (Kind.CHAIN, Kind.WORD):
            return self.chain(node, name, fs.context, one_word=kind is Kind.WORD)
        if kind is Kind.LIST:
            return self.array(fs, node, name, where)
        if kind is Kind.MAP:
            return self.mapping(fs, node, name, where)
        if kind is Kind.TABLE:
            if not isinstance(node, TTable):
                self.wrong_type("a table", name, node)
                return None
            assert fs.cls is not None
            return self.build_node(fs.cls, node, Where(f"`{name}` of {where.label}", where.runbook))
        if kind is Kind.TABLES:
            return self.tables(fs, node, name, where)
        if not isinstance(node, TString):
            self.wrong_type(expected_kind_text(fs), name, node)
            return None
        return self.string(fs, node, name)

    def string(self, fs: FieldSpec, node: TString, name: str) -> Any:
        kind = fs.kind
        if kind is Kind.NAME:
            return node if self.check_name(node, "name") else None
        if kind is Kind.VARIABLE:
            return node if self.check_variable(node) else None
        if kind is Kind.ENUM:
            return self.enum(node, fs.choices, name)
        if kind in (Kind.TEXT, Kind.SHELL):
            return Tmpl(node, minilang.scan_template(node.value), kind is Kind.SHELL)
        if kind is Kind.REF:
            return Ref.of(node)
        if kind is Kind.EXPR:
            return Parsed(node, self.parse_with(minilang.parse_expression, node))
        if kind is Kind.PATTERN:
            return self.pattern(node)
        if kind is Kind.ON_FAIL:
            return Parsed(node, self.parse_with(minilang.parse_on_fail, node))
        if kind is Kind.ORDER:
            return Parsed(node, self.parse_with(minilang.parse_order, node))
        if kind is Kind.ARGS:
            spec_ast = self.parse_with(minilang.parse_args_spec, node)
            if spec_ast is not None:
                for err in minilang.check_args_spec(spec_ast):
                    self.mini(err, node)
            return Parsed(node, spec_ast)
        return node  # STRING, JINJA

    def parse_with(self, parse: Any, node: TString) -> Any:
        try:
            return parse(node.value)
        except minilang.MiniSyntaxError as err:
            self.mini(err, node)
            return None

    def pattern(self, node: TString) -> Parsed:
        parsed = self.parse_with(minilang.parse_pattern, node)
        if parsed is not None:
            warning = minilang.pattern_warning(parsed)
            if warning is not None:
                self.mini(warning, node)
        return Parsed(node, parsed)

    def check_name(self, node: TString, what: str) -> bool:
        if NAME_RE.match(node.value):
            return True
        fixed = re.sub(r"[^A-Za-z0-9_-]", "_", node.value)[:64] or "name"
        if not re.match(r"[A-Za-z_]", fixed):
            fixed = "_" + fixed[:63]
        self.error(
            "OJ106",
            f"invalid {what} `{node.value}`",
            node.span,
            "not a valid name",
            help=f"names start with a letter or `_` and use letters, digits, `_`, `-` "
            f"(at most 64 characters), e.g. `{fixed}`",
        )
        return False

    def check_key_name(self, key: Key, what: str) -> bool:
        if NAME_RE.match(key.name):
            return True
        fixed = re.sub(r"[^A-Za-z0-9_-]", "_", key.name)[:64] or "name"
        self.error(
            "OJ106",
            f"invalid {what} name `{key.name}`",
            key.span,
            "not a valid name",
            help=f"use `{fixed}`",
        )
        return False

    def check_variable(self, node: TString) -> bool:
        if VARIABLE_RE.match(node.value):
            return True
        fixed = re.sub(r"[^A-Za-z0-9_]", "_", node.value) or "name"
        if not re.match(r"[A-Za-z_]", fixed):
            fixed = "_" + fixed
        self.error(
            "OJ106",
            f"invalid variable name `{node.value}`",
            node.span,
            "not a valid variable name",
            help=f"use `{fixed}`",
        )
        return False

    def enum(self, node: TString, choices: tuple[str, ...], name: str) -> TString | None:
        if node.value in choices:
            return node
        self.error(
            "OJ108",
            f"unknown value `{node.value}` for `{name}`",
            node.span,
            "not a known value",
            help=suggestion(node.value, choices, "value"),
        )
        return None

    def integer(self, fs: FieldSpec, node: Value, name: str) -> TInteger | None:
        if not isinstance(node, TInteger):
            self.wrong_type("an integer", name, node)
            return None
        if fs.minimum is not None and node.value < fs.minimum:
            self.error(
                "OJ111",
                f"`{name}` must be at least {fs.minimum}, found `{node.value}`",
                node.span,
                f"below {fs.minimum}",
            )
            return None
        return node

    def duration(self, node: Value, name: str, *, zero_ok: bool = False) -> Dur | None:
        if isinstance(node, (TInteger, TFloat)):
            text = f'"{node.value}s"'
            self.error(
                "OJ103",
                f"expected a duration string for `{name}`, found {found_text(node)}",
                node.span,
                "not a string",
                help=f"write `{text}`",
                fix=Fix(Applicability.SAFE, f"write `{text}`", (Edit(node.span, text),))
                if isinstance(node, TInteger)
                else None,
            )
            return None
        if not isinstance(node, TString):
            self.wrong_type("a duration string", name, node)
            return None
        try:
            parsed = minilang.parse_duration(node.value, allow_zero=zero_ok)
        except minilang.MiniSyntaxError as err:
            self.mini(err, node)
            return None
        return Dur(node, parsed)

    def chain(self, node: Value, name: str, context: str, *, one_word: bool) -> Chain | None:
        strings: list[TString] = []
        if isinstance(node, TString):
            strings = [node]
        elif isinstance(node, TArray) and not one_word:
            for item in node.items:
                if not isinstance(item, TString):
                    self.wrong_type("a string", name, item)
                    return None
                strings.append(item)
        else:
            expected = "a string" if one_word else "a string or an array of strings"
            self.wrong_type(expected, name, node)
            return None
        if one_word and len(strings) != 1:
            return None
        items: list[ChainItem] = []
        for string in strings:
            try:
                word = minilang.parse_chain_word(string.value)
            except minilang.MiniSyntaxError:
                word = None  # check_chain reports why
            items.append(ChainItem(string, word))
        chain = Chain(tuple(items), node.span, isinstance(node, TArray))
        for element, issue in minilang.check_chain(chain, context, self.action_names()):
            self.mini(issue, chain.items[element].node)
        return chain

    def action_names(self) -> list[str]:
        """Names of the runbook's actions (chain words may name them, §4.5)."""
        actions = self.doc.root.get("action")
        return list(actions.entries) if isinstance(actions, TTable) else []

    def array(self, fs: FieldSpec, node: Value, name: str, where: Where) -> tuple[Any, ...] | None:
        if not isinstance(node, TArray):
            assert fs.item is not None
            self.wrong_type(f"an array of {_item_word(fs.item)}", name, node)
            return None
        assert fs.item is not None
        out = []
        for item in node.items:
            converted = self.convert(fs.item, item, name, where)
            if converted is not None:
                out.append(converted)
        return tuple(out)

    def mapping(self, fs: FieldSpec, node: Value, name: str, where: Where) -> MapField | None:
        if not isinstance(node, TTable):
            self.wrong_type("a table", name, node)
            return None
        assert fs.item is not None
        entries = []
        for key, entry in node.entries.items():
            converted = self.convert(fs.item, entry.value, f"{name}.{key}", where)
            if converted is not None:
                entries.append(MapEntry(entry.key, converted))
        return MapField(node, tuple(entries))

    def tables(self, fs: FieldSpec, node: Value, name: str, where: Where) -> tuple[Any, ...] | None:
        if not isinstance(node, TArray) or not all(isinstance(i, TTable) for i in node.items):
            self.wrong_type("an array of tables", name, node)
            return None
        assert fs.cls is not None
        out = []
        for index, item in enumerate(node.items):
            assert isinstance(item, TTable)
            label = f"`{name}` {index + 1} of {where.label}"
            title = item.get("name")
            if isinstance(title, TString):
                label = f"{name} `{title.value}` of {where.label}"
            out.append(self.build_node(fs.cls, item, Where(label, where.runbook)))
        return tuple(out)


_SPECS: dict[type[Any], dict[str, tuple[str, FieldSpec]]] = {}


def _specs(cls: type[Any]) -> dict[str, tuple[str, FieldSpec]]:
    """TOML key -> (attribute, spec) of the fields of an AST class (read once per class)."""
    specs = _SPECS.get(cls)
    if specs is None:
        specs = _SPECS[cls] = {}
        for f in rec.fields(cls):
            fs = field_spec(f)
            if fs is not None:
                specs[ast.toml_key(f.name)] = (f.name, fs)
    return specs


def _item_word(item: FieldSpec) -> str:
    return {
        Kind.REF: "reference strings",
        Kind.PATTERN: "event pattern strings",
        Kind.VARIABLE: "variable names",
        Kind.ENUM: "strings",
    }.get(item.kind, "strings")
