"""Templates and variables (OJ301–OJ313, LANGUAGE.md §4.1, §5, §7.4): project model in,
diagnostics about what every template, expression, pattern and Jinja prompt reads out.

Theory of operation. `scoped_fields.collect` lists every variable-reading field with the
scopes it runs in (one per use site for shared definitions). Checks that do not depend on the
scope (unknown filters, filter arity, Jinja syntax, missing template files, unknown
functions) run once per field; the others run once per scope, and a diagnostic is kept once
per field, code and place, so a shared task with two use sites reports an undefined name
once, naming the first site. While checking, the roots each pipeline's fields read are
collected; after all fields, declarations are checked: unused inputs (OJ303), default cycles
(OJ304) and reserved names (OJ305). Jinja prompts are delegated to `checks.jinja`, imported
only when a task has one (it imports jinja2).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

from ojlang import rec
from ojlang.parser import ast
from ojlang.parser import interpolation as ip
from ojlang.parser.expressions import FunctionSig
from ojlang.parser.mini import suggestion
from ojlang.parser.spans import Span
from ojlang.validator.checks import CheckContext
from ojlang.validator.checks.declarations import declarations
from ojlang.validator.diagnostic import Applicability, Diagnostic, Edit, Fix, diag
from ojlang.validator.model import ProjectModel
from ojlang.validator.scoped_fields import Field, collect
from ojlang.validator.scopes import Parts, Scope, ScopeModel
from ojlang.validator.vartypes import ANY, INT, STRING, FieldIssue, VType, article, walk_path


def check(model: ProjectModel, ctx: CheckContext) -> Iterator[Diagnostic]:
    checker = Checker(model, ctx)
    checker.run()
    yield from checker.found


class Checker:
    """Runs the checks of every field; `found` holds the diagnostics, `reads` the roots read
    per pipeline (for OJ303), `opaque` the pipelines whose reads are not all known."""

    def __init__(self, model: ProjectModel, ctx: CheckContext) -> None:
        self.model = model
        self.ctx = ctx
        self.sm = ScopeModel(model)
        self.found: list[Diagnostic] = []
        self._seen: set[tuple[str, Span, str]] = set()
        self.reads: dict[tuple[str, str], set[str]] = {}
        self.hook_reads: dict[str, set[str]] = {}
        self.opaque: set[tuple[str, str]] = set()
        self._dirs: dict[str, Path] | None = None
        self._built: dict[int, tuple[Parts, Scope]] = {}

    def run(self) -> None:
        reported = self.model.reported
        for runbook in self.model.runbooks.values():
            fields = collect(self.sm, runbook)
            if runbook.name not in reported:
                fields = [f for f in fields if _feeds(f, reported)]
            for field in fields:
                self.field(field)
        self.found.extend(declarations(self))

    def runbook_dir(self, book: str) -> Path:
        """The directory of runbook `book` (prompt files are looked up there first)."""
        if self._dirs is None:
            self._dirs = {item.name: item.file.path.parent for item in self.model.loaded}
        return self._dirs.get(book, self.ctx.root)

    # -- reporting ---------------------------------------------------------------------------

    def emit(self, d: Diagnostic, runbook: str) -> None:
        key = (d.code, d.span, d.message)
        if key in self._seen:
            return
        self._seen.add(key)
        self.found.append(rec.evolve(d, runbook=runbook))

    def undefined(
        self, scope: Scope, note: str, name: str, span: Span, uses: int, runbook: str
    ) -> None:
        """OJ301 for root `name`, first used at `span` and `uses` times in all in the field."""
        notes = [note] if note else []
        if uses > 1:
            more = uses - 1
            notes.append(f"`{name}` is used {more} more time{'s' if more > 1 else ''} here")
        notes.append(scope.note())
        self.emit(
            diag(
                "OJ301",
                f"undefined variable `{name}`",
                span,
                scope.label,
                notes=tuple(notes),
                help=scope.help_for(name),
            ),
            runbook,
        )

    def issue(self, issue: FieldIssue, span: Span, runbook: str) -> None:
        self.emit(diag(issue.code, issue.message, span, issue.label, help=issue.help), runbook)

    def read(self, scope: Scope, names: Sequence[str], field: Field) -> None:
        if scope.pipeline is not None:
            self.reads.setdefault(scope.pipeline, set()).update(names)
        if field.hook:
            self.hook_reads.setdefault(field.runbook, set()).update(names)

    # -- fields ------------------------------------------------------------------------------

    def field(self, field: Field) -> None:
        if field.kind == "template":
            assert isinstance(field.value, ip.Template)
            self.template(field, field.value)
        elif field.kind == "expression":
            self.expression(field)
        elif field.kind == "pattern":
            self.pattern(field)
        else:
            from ojlang.validator.checks import jinja

            jinja.check_task(self, field)

    def scopes(self, field: Field) -> list[tuple[Scope, str]]:
        return [(self.build(use.parts), use.note) for use in field.uses]

    def build(self, parts: Parts) -> Scope:
        """The scope of `parts`, built once (the fields of one definition share their parts)."""
        found = self._built.get(id(parts))
        if found is None or found[0] is not parts:
            found = self._built[id(parts)] = (parts, parts.build())
        return found[1]

    def template(self, field: Field, template: ip.Template) -> None:
        interps = template.interps
        for interp in interps:
            for flt in interp.filters:
                self.filter_call(field, flt.name, flt.args, flt.start, flt.end, flt.arg_spans)
        for scope, note in self.scopes(field):
            counts: dict[str, int] = {}
            for interp in interps:
                counts[interp.path.root.text] = counts.get(interp.path.root.text, 0) + 1
            reported: set[str] = set()
            for interp in interps:
                kind = self.path(field, scope, note, interp.path, counts, reported)
                self.filter_types(field, interp, kind)
            for piece in template.pieces:
                if isinstance(piece, ip.DoubleBrace):
                    self.double_brace(field, scope, piece)
                elif isinstance(piece, ip.Malformed):
                    self.malformed(field, scope, piece)
            self.read(scope, list(counts), field)

    def path(
        self,
        field: Field,
        scope: Scope,
        note: str,
        path: ip.Path,
        counts: dict[str, int],
        reported: set[str],
    ) -> VType:
        """Check one path in `scope`: its root (OJ301) and fields (OJ302, OJ312)."""
        root = path.root.text
        kind = scope.type_of(root)
        if kind is None:
            if not scope.dynamic and root not in reported:
                reported.add(root)
                span = field.span(path.root.start, path.root.end)
                self.undefined(scope, note, root, span, counts.get(root, 1), field.runbook)
            return ANY
        segments = [_segment(s) for s in path.segments]
        result, issue = walk_path(root, kind, segments)
        if issue is not None:
            seg = path.segments[issue.index]
            self.issue(issue, field.span(seg.start, seg.end), field.runbook)
        return result

    # -- filters (OJ306, OJ307) ----------------------------------------------------------------

    def filter_call(
        self,
        field: Field,
        name: str,
        args: Sequence[object],
        start: int,
        end: int,
        arg_spans: Sequence[tuple[int, int]] = (),
    ) -> None:
        info = ip.FILTERS.get(name)
        if info is None:
            self.emit(
                diag(
                    "OJ306",
                    f"unknown filter `{name}`",
                    field.span(start, start + len(name)),
                    "not a filter",
                    help=suggestion(name, ip.FILTERS, "filter"),
                ),
                field.runbook,
            )
            return
        if not info.min_args <= len(args) <= info.max_args:
            self.emit(
                diag(
                    "OJ307",
                    f"filter `{name}` takes {arity(info.min_args, info.max_args)}, "
                    f"found {len(args)}",
                    field.span(start, end),
                    "wrong number of arguments",
                    help=f"write `{filter_example(info)}`",
                ),
                field.runbook,
            )
            return
        for index, (arg, wanted) in enumerate(zip(args, info.arg_types, strict=False)):
            actual = _literal_kind(arg)
            if wanted == "any" or actual == wanted:
                continue
            a, b = arg_spans[index] if index < len(arg_spans) else (start, end)
            self.emit(
                diag(
                    "OJ307",
                    f"argument {index + 1} of filter `{name}` must be {article(wanted)}, "
                    f"found {article(actual)}",
                    field.span(a, b),
                    f"this is {article(actual)}",
                ),
                field.runbook,
            )

    def filter_types(self, field: Field, interp: ip.Interp, kind: VType) -> None:
        """OJ307 for a filter whose input type is known to be wrong."""
        for flt in interp.filters:
            info = ip.FILTERS.get(flt.name)
            if info is None:
                return
            if kind.kind != "any" and "any" not in info.inputs and kind.kind not in info.inputs:
                wanted = " or ".join(article(i) for i in info.inputs)
                self.emit(
                    diag(
                        "OJ307",
                        f"filter `{flt.name}` needs {wanted}, found {article(kind.kind)}",
                        field.span(flt.start, flt.name_end),
                        f"applied to {article(kind.kind)}",
                    ),
                    field.runbook,
                )
                return
            kind = _FILTER_OUTPUT.get(info.output, ANY) if info.output != "same" else kind

    # -- braces that are not interpolations (OJ311, OJ313) ------------------------------------

    def double_brace(self, field: Field, scope: Scope, piece: ip.DoubleBrace) -> None:
        inner = piece.inner.strip()
        parsed = ip.parse_interpolation(inner)
        if parsed is None or parsed[0].root.text not in scope.names:
            return
        span = field.span(piece.start, piece.end)
        fixed = "{" + inner + "}"
        self.emit(
            diag(
                "OJ311",
                f"`{piece.text}` is literal text here",
                span,
                "not an interpolation",
                notes=("only Jinja prompts use double braces",),
                help=f"write `{fixed}`",
                fix=Fix(Applicability.UNSAFE, f"write `{fixed}`", (Edit(span, fixed),)),
            ),
            field.runbook,
        )
        self.read(scope, [parsed[0].root.text], field)

    def malformed(self, field: Field, scope: Scope, piece: ip.Malformed) -> None:
        root = piece.path_root
        if root is None or root not in scope.names:
            return
        inner = piece.text[1:-1]
        trimmed = inner.strip()
        spaced = trimmed != inner and ip.parse_interpolation(trimmed) is not None
        self.emit(
            diag(
                "OJ313",
                f"`{piece.text}` is not an interpolation and is kept literally",
                field.span(piece.start, piece.end),
                "kept literally",
                help=f"remove the spaces: `{{{trimmed}}}`"
                if spaced
                else "an interpolation is `{path | filter(args)}` on one line; "
                "add a space after `{` to keep the text on purpose",
            ),
            field.runbook,
        )
        self.read(scope, [root], field)

    # -- expressions (§4.8) ------------------------------------------------------------------------

    def expression(self, field: Field) -> None:
        """Roots (OJ301), fields (OJ302, OJ312), filters of placeholders (OJ306, OJ307),
        unknown functions (OJ201) and the static types of §4.8 (OJ415, OJ416, OJ419)."""
        from ojlang.parser import expressions as ex

        expr = field.value
        runbook = self.model.runbooks[field.runbook]
        for node in ex.walk(expr):  # type: ignore[arg-type]
            if isinstance(node, ex.Placeholder):
                for flt in node.filters:
                    self.filter_call(field, flt.name, flt.args, flt.start, flt.end)
        functions = function_signatures(runbook)
        for call in ex.called_functions(expr):  # type: ignore[arg-type]
            if call.name in functions or call.name in ex.BUILTIN_FUNCTIONS:
                continue
            self.emit(
                diag(
                    "OJ201",
                    f"undefined function `{call.name}`",
                    field.span(call.start, call.name_end),
                    "no function with this name",
                    help=suggestion(call.name, [*functions, *ex.BUILTIN_FUNCTIONS], "function"),
                ),
                field.runbook,
            )
        assert field.node is not None
        text = field.node.value
        paths = []
        for ref in ex.free_names(expr):  # type: ignore[arg-type]
            parsed = ip.parse_interpolation(text[ref.start : ref.end], ref.start)
            if parsed is None:
                root = ip.Name(ref.root, ref.start, ref.root_end)
                parsed = (ip.Path(root, (), ref.start, ref.root_end), ())
            paths.append(parsed[0])
        for scope, note in self.scopes(field):
            counts: dict[str, int] = {}
            for path in paths:
                counts[path.root.text] = counts.get(path.root.text, 0) + 1
            reported: set[str] = set()
            for path in paths:
                self.path(field, scope, note, path, counts, reported)
            types = scope_types(scope)
            for err in ex.check_types(expr, types, functions):  # type: ignore[arg-type]
                self.emit(err.to_diagnostic(field.node.source_map), field.runbook)
            self.read(scope, list(counts), field)

    # -- event patterns --------------------------------------------------------------------------

    def pattern(self, field: Field) -> None:
        from ojlang.parser.patterns import EventPattern

        pattern = field.value
        assert isinstance(pattern, EventPattern)
        paths = []
        for holder in pattern.placeholders:
            parsed = ip.parse_interpolation(holder.path, holder.start + 1)
            if parsed is not None:
                paths.append(parsed[0])
        for scope, note in self.scopes(field):
            counts: dict[str, int] = {}
            for path in paths:
                counts[path.root.text] = counts.get(path.root.text, 0) + 1
            reported: set[str] = set()
            for path in paths:
                self.path(field, scope, note, path, counts, reported)
            self.read(scope, list(counts), field)


def _feeds(field: Field, reported: set[str]) -> bool:
    """Whether a field of an unreported runbook runs in a reported runbook's pipeline."""
    return any((p := u.parts.pipeline) is not None and p[0] in reported for u in field.uses)


def function_signatures(runbook: ast.Runbook) -> dict[str, FunctionSig]:
    """The signatures of a runbook's `[functions]` (string form: any number of arguments)."""
    out = {}
    for name, function in runbook.functions.items():
        returns = function.returns.value if function.returns is not None else "bool"
        returns = "any" if returns == "json" else returns
        if function.params is None:
            out[name] = FunctionSig(name, (), returns, variadic=True)
        else:
            out[name] = FunctionSig(name, (("any",) * len(function.params),), returns)
    return out


def scope_types(scope: Scope) -> dict[str, str]:
    """Root and `root.field` types of a scope, as `check_types` reads them."""
    out: dict[str, str] = {}

    def add(prefix: str, kind: VType, depth: int) -> None:
        out[prefix] = kind.kind
        if depth < 3 and kind.fields is not None:
            for key, sub in kind.fields.items():
                add(f"{prefix}.{key}", sub, depth + 1)

    for name, kind in scope.names.items():
        add(name, kind, 0)
    return out


def _segment(seg: ip.Segment) -> str | int:
    return seg.name if isinstance(seg, ip.Attr) else seg.value


def _literal_kind(value: object) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    if value is None:
        return "null"
    return "string"


_FILTER_OUTPUT = {"string": STRING, "int": INT}


def arity(low: int, high: int) -> str:
    """`no arguments`, `1 argument`, `at most 1 argument`, `1 to 2 arguments`."""

    def n(k: int) -> str:
        return f"{k} argument" + ("" if k == 1 else "s")

    if low == high:
        return "no arguments" if low == 0 else n(low)
    if low == 0:
        return f"at most {n(high)}"
    return f"{low} to {n(high)}"


_EXAMPLE_ARGS = {"int": "40", "string": '"x"', "any": '"x"'}


def filter_example(info: ip.FilterInfo) -> str:
    if not info.arg_types or info.max_args == 0:
        return info.name
    args = ", ".join(_EXAMPLE_ARGS.get(t, '"x"') for t in info.arg_types[: info.max_args])
    return f"{info.name}({args})"
