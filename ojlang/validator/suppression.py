"""Suppression comments (LANGUAGE.md §8): diagnostics and runbook documents in, the diagnostics
left after `# oj: ignore[…]` / `# oj: ignore-file[…]`, plus OJ905 for unused ones, out.

Theory of operation. `directives(runbook)` reads the TOML comments of a runbook's document and
the shell comments inside its shell fields (a `#` that starts a comment for the bash lexer of
`ojlang.parser.shell_context`). A directive is `oj: ignore[WORDS]` or `oj: ignore-file[WORDS]`
right after a `#` (other text may come before that `#`, or after the `]`: a reason); words are
codes, code prefixes, slugs or `ALL` (as in `ojlang.validator.selection`), comma-separated.

A line directive covers the line it stands on and, when it is alone on its line, the next line.
A diagnostic is suppressed when its primary span starts on a covered line of the same file, or
lies inside a multi-line string whose key (or array of strings' key) is on a covered line. A
file directive covers the whole file and counts only before the first table (or key): after
that, or inside a shell field, it suppresses nothing. Every word that suppressed nothing is
OJ905, with a safe fix that removes it (the whole comment when it was the only word); so is a
directive without codes, with an unknown code or an unknown verb. Words naming only codes that
did not run (OJ602 without shellcheck) are never reported. OJ905 itself is suppressed only by
another `ignore-file` word, never by a line directive nor by the word it is about.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Iterator, Sequence

import attrs

from ojlang.parser import ast
from ojlang.parser.mini import close_match
from ojlang.parser.spans import SourceMap, Span
from ojlang.parser.tomltree import Comment, TArray, TomlDocument, TString, TTable, Value
from ojlang.validator.catalogue import BY_SLUG, CATALOGUE
from ojlang.validator.diagnostic import Applicability, Diagnostic, Edit, Fix, diag
from ojlang.validator.selection import SelectionError, parse_words

UNUSED = "OJ905"
VERBS = ("ignore", "ignore-file")
# `#`, spaces, `oj:`, spaces, a verb, then optionally `[words]` on the same line.
_DIRECTIVE = re.compile(r"#[ \t]*oj:[ \t]*([A-Za-z][A-Za-z-]*)(?:[ \t]*\[([^\]\r\n]*)\])?")
_WORD = re.compile(r"[^,\s]+")


@attrs.frozen
class Word:
    """One word of a directive; `codes` is empty when the word names no code."""

    text: str
    codes: frozenset[str]
    span: Span
    removal: Edit  # removes the word (and one neighbouring comma) from its directive


@attrs.frozen
class Directive:
    """One `oj: ignore…` directive; `problem` explains a directive that cannot suppress."""

    runbook: str
    file_wide: bool
    words: tuple[Word, ...]
    span: Span  # the directive text, `#` included
    lines: frozenset[int]  # lines a line directive covers
    removal: Edit  # removes the whole directive (the whole line when it was alone)
    problem: tuple[str, str] | None = None  # (message, help)


# -- positions -------------------------------------------------------------------------------


class _Lines:
    """Line starts of a document's text, to cut spans out of comments and lines."""

    def __init__(self, document: TomlDocument) -> None:
        self.text = document.source
        self.path = document.path
        self.starts = [0] + [m.end() for m in re.finditer(r"\n", self.text)]
        self._bytes: list[int] | None = None

    def byte(self, offset: int) -> int:
        """The byte offset of character `offset`."""
        if self._bytes is None:
            self._bytes = [0]
            for a, b in zip(self.starts, self.starts[1:], strict=False):
                self._bytes.append(self._bytes[-1] + _utf8_len(self.text[a:b]))
        line = bisect.bisect_right(self.starts, offset) - 1
        return self._bytes[line] + _utf8_len(self.text[self.starts[line] : offset])

    def span(self, a: int, b: int) -> Span:
        """The span of characters [a, b) of the text."""
        la = bisect.bisect_right(self.starts, a) - 1
        lb = bisect.bisect_right(self.starts, b) - 1
        return Span(
            self.path,
            la + 1,
            a - self.starts[la] + 1,
            lb + 1,
            b - self.starts[lb] + 1,
            self.byte(a),
            self.byte(b),
        )

    def offset(self, span: Span) -> int:
        """The character offset where `span` starts."""
        return self.starts[span.line - 1] + span.col - 1


def _utf8_len(text: str) -> int:
    return len(text.encode("utf-8", "surrogatepass"))


# -- reading directives ----------------------------------------------------------------------


def _words(inner: str) -> Iterator[tuple[str, int, int]]:
    for m in _WORD.finditer(inner):
        yield m.group(), m.start(), m.end()


def _codes(word: str) -> frozenset[str]:
    try:
        return parse_words([word])
    except SelectionError:
        return frozenset()


def _word_removal(
    inner: str, start: int, end: int, words: list[tuple[str, int, int]]
) -> tuple[int, int]:
    """The range of `inner` to delete to drop the word at [start, end) and one comma."""
    index = next(i for i, w in enumerate(words) if w[1] == start)
    if index + 1 < len(words):
        return start, words[index + 1][1]
    if index > 0:
        return words[index - 1][2], end
    return start, end


def _unknown_help(word: str) -> str:
    pool = [*CATALOGUE, *BY_SLUG]
    best = close_match(word.upper() if word.upper().startswith("OJ") else word.lower(), pool)
    if best is not None:
        return f"a code with a similar name exists: `{best}`"
    return "name codes like `OJ301`, prefixes like `OJ3`, slugs or `ALL`; see `oj explain --list`"


@attrs.frozen
class _Found:
    """A directive found in some text: offsets are relative to that text."""

    verb: str
    start: int  # the `#`
    end: int  # after `]` (or after the verb)
    inner: tuple[int, int] | None  # the text between the brackets


def _find(text: str) -> Iterator[_Found]:
    for m in _DIRECTIVE.finditer(text):
        inner = (m.start(2), m.end(2)) if m.group(2) is not None else None
        yield _Found(m.group(1), m.start(), m.end(), inner)


def _build(
    runbook: str,
    found: _Found,
    text: str,
    span_of: SpanFn,
    lines: frozenset[int],
    removal: Edit,
    file_wide_ok: bool,
) -> Directive:
    """A `Directive` from a match in `text`; `span_of(a, b)` maps offsets of `text` to spans."""
    here = span_of(found.start, found.end)
    file_wide = found.verb == "ignore-file"
    if found.verb not in VERBS:
        best = close_match(found.verb, VERBS)
        hint = f"a suppression with a similar name exists: `{best}`" if best else None
        problem = (
            f"unknown suppression `oj: {found.verb}`",
            hint or "write `# oj: ignore[CODE]` or `# oj: ignore-file[CODE]`",
        )
        return Directive(runbook, False, (), here, frozenset(), removal, problem)
    raw_words = list(_words(text[found.inner[0] : found.inner[1]])) if found.inner else []
    if not raw_words:
        problem = (
            f"`oj: {found.verb}` without codes suppresses nothing",
            f"name the codes to suppress, e.g. `# oj: {found.verb}[OJ301]`",
        )
        return Directive(runbook, file_wide, (), here, frozenset(), removal, problem)
    assert found.inner is not None
    base = found.inner[0]
    inner = text[found.inner[0] : found.inner[1]]
    words = []
    for word, a, b in raw_words:
        ra, rb = _word_removal(inner, a, b, raw_words)
        words.append(
            Word(
                word,
                _codes(word),
                span_of(base + a, base + b),
                Edit(span_of(base + ra, base + rb), ""),
            )
        )
    misplaced: tuple[str, str] | None = None
    if file_wide and not file_wide_ok:
        misplaced = (
            "`oj: ignore-file` after the first table suppresses nothing",
            "move it to the comments before the first table",
        )
    return Directive(runbook, file_wide, tuple(words), here, lines, removal, misplaced)


class SpanFn:
    """Offsets of some text -> file spans (a comment of the document, or a decoded string)."""

    def __init__(self, lines: _Lines | None, base: int, source_map: SourceMap | None) -> None:
        self.lines = lines
        self.base = base
        self.source_map = source_map

    def __call__(self, a: int, b: int) -> Span:
        if self.source_map is not None:
            return self.source_map.span(a, b)
        assert self.lines is not None
        return self.lines.span(self.base + a, self.base + b)


def _first_content(text: str) -> int:
    """Offset of the first line that is neither blank nor a comment (len(text) if none)."""
    offset = 0
    for line in text.splitlines(keepends=True):
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            return offset
        offset += len(line)
    return offset


def _comment_directives(runbook: str, document: TomlDocument, lines: _Lines) -> Iterator[Directive]:
    boundary = _first_content(document.source)
    for comment in document.comments:
        if "oj:" not in comment.text:
            continue
        text = "#" + comment.text
        start = lines.offset(comment.span)
        span_of = SpanFn(lines, start, None)
        for found in _find(text):
            yield _build(
                runbook,
                found,
                text,
                span_of,
                _covered(comment, found),
                _comment_removal(comment, found, text, lines, start),
                start < boundary,
            )


def _covered(comment: Comment, found: _Found) -> frozenset[int]:
    line = comment.span.line
    alone = comment.own_line and found.start == 0
    return frozenset({line, line + 1}) if alone else frozenset({line})


def _comment_removal(comment: Comment, found: _Found, text: str, lines: _Lines, start: int) -> Edit:
    """Delete the directive (from its `#` to the end of the comment) with the blanks before
    it; the whole line when the comment is alone on it."""
    end = start + len(text)
    if found.start == 0 and comment.own_line:
        line = comment.span.line
        a = lines.starts[line - 1]
        b = lines.starts[line] if line < len(lines.starts) else len(lines.text)
        return Edit(lines.span(a, b), "")
    a = start + found.start
    while a > 0 and lines.text[a - 1] in " \t":
        a -= 1
    return Edit(lines.span(a, end), "")


def _shell_directives(runbook: ast.Runbook, boundary_ok: bool = False) -> Iterator[Directive]:
    from ojlang.parser.shell_context import scan_shell
    from ojlang.runtime.core.render import ShellContext
    from ojlang.validator.checks.shell import shell_fields

    for field in shell_fields(runbook):
        text = field.text
        if "oj:" not in text:
            continue
        interps = [(i.start, i.end) for i in field.tmpl.template.interps]
        candidates = [
            f
            for f in _find(text)
            if f.start + 1 < len(text) and not any(a <= f.start < b for a, b in interps)
        ]
        if not candidates:
            continue
        probes = [(f.start + 1, f.start + 2) for f in candidates]
        scan = scan_shell(text, [*interps, *probes])
        contexts = {i.start: i.context for i in scan.interps}
        source_map = field.tmpl.node.source_map
        span_of = SpanFn(None, 0, source_map)
        for found in candidates:
            if contexts.get(found.start + 1) is not ShellContext.COMMENT:
                continue
            line_start = text.rfind("\n", 0, found.start) + 1
            alone = not text[line_start : found.start].strip(" \t")
            line = source_map.span(found.start, found.start + 1).line
            covered = frozenset({line, line + 1}) if alone else frozenset({line})
            yield _build(
                runbook.name,
                found,
                text,
                span_of,
                covered,
                _shell_removal(text, found, alone, span_of),
                boundary_ok,
            )


def _shell_removal(text: str, found: _Found, alone: bool, span_of: SpanFn) -> Edit:
    line_end = text.find("\n", found.end)
    line_end = len(text) if line_end < 0 else line_end
    if alone:
        a = text.rfind("\n", 0, found.start) + 1
        if line_end < len(text):
            return Edit(span_of(a, line_end + 1), "")
        if a > 0:
            return Edit(span_of(a - 1, line_end), "")
        return Edit(span_of(a, line_end), "")
    a = found.start
    while a > 0 and text[a - 1] in " \t":
        a -= 1
    return Edit(span_of(a, line_end), "")


def directives(runbook: ast.Runbook) -> list[Directive]:
    """Every suppression directive of a runbook, in file order of their comments."""
    document = runbook.document
    lines = _Lines(document)
    found = list(_comment_directives(runbook.name, document, lines))
    found.extend(_shell_directives(runbook))
    return found


# -- multi-line strings and their keys -------------------------------------------------------


def _multiline_keys(document: TomlDocument) -> tuple[list[int], list[tuple[int, int]]]:
    """Multi-line strings spanning lines, sorted: their start bytes and (end byte, key line)."""
    found: list[tuple[int, int, int]] = []

    def walk(value: Value, key_line: int) -> None:
        if isinstance(value, TTable):
            for entry in value.entries.values():
                walk(entry.value, entry.key.span.line)
        elif isinstance(value, TArray):
            for item in value.items:
                walk(item, key_line)
        elif isinstance(value, TString) and value.span.end_line > value.span.line:
            found.append((value.span.byte_start, value.span.byte_end, key_line))

    walk(document.root, 0)
    found.sort()
    return [f[0] for f in found], [(f[1], f[2]) for f in found]


def _key_line(index: tuple[list[int], list[tuple[int, int]]], span: Span) -> int | None:
    starts, rest = index
    i = bisect.bisect_right(starts, span.byte_start) - 1
    if i >= 0 and span.byte_start < rest[i][0]:
        return rest[i][1]
    return None


# -- applying them ---------------------------------------------------------------------------


@attrs.frozen
class _File:
    runbook: str
    directives: tuple[Directive, ...]
    by_line: dict[int, list[Directive]]
    file_wide: tuple[Directive, ...]
    keys: tuple[list[int], list[tuple[int, int]]]


def _file(runbook: ast.Runbook) -> _File:
    found = tuple(directives(runbook))
    by_line: dict[int, list[Directive]] = {}
    for d in found:
        if d.problem is None and not d.file_wide:
            for line in d.lines:
                by_line.setdefault(line, []).append(d)
    wide = tuple(d for d in found if d.problem is None and d.file_wide)
    keys = _multiline_keys(runbook.document) if by_line else ([], [])
    return _File(runbook.name, found, by_line, wide, keys)


def _matching(f: _File, d: Diagnostic) -> list[Word]:
    lines = {d.span.line}
    key_line = _key_line(f.keys, d.span) if f.keys[0] else None
    if key_line is not None:
        lines.add(key_line)
    words: list[Word] = []
    for line in lines:
        for directive in f.by_line.get(line, ()):
            words.extend(w for w in directive.words if d.code in w.codes)
    for directive in f.file_wide:
        words.extend(w for w in directive.words if d.code in w.codes)
    return words


def apply_suppressions(
    diagnostics: Iterable[Diagnostic],
    runbooks: Sequence[ast.Runbook],
    inactive: frozenset[str] = frozenset(),
) -> list[Diagnostic]:
    """`diagnostics` without the suppressed ones, plus OJ905 for the runbooks' unused
    suppressions. `inactive`: codes whose check did not run (their suppressions are not
    reported as unused)."""
    files = {rb.document.path: _file(rb) for rb in runbooks}
    used: set[int] = set()  # id() of used words
    kept: list[Diagnostic] = []
    for d in diagnostics:
        f = files.get(d.span.file)
        if f is None or not (f.by_line or f.file_wide) or d.code in _UNSUPPRESSIBLE:
            kept.append(d)
            continue
        words = _matching(f, d) if d.code != UNUSED else []
        if words:
            used.update(id(w) for w in words)
        else:
            kept.append(d)
    for f in files.values():
        kept.extend(_unused(f, used, inactive))
    return kept


# A file that does not parse has no comments; selection never hides these either.
_UNSUPPRESSIBLE = frozenset({"OJ001", "OJ002", "OJ003", "OJ004"})


def _unused(f: _File, used: set[int], inactive: frozenset[str]) -> Iterator[Diagnostic]:
    """OJ905 for the directives of `f` that cannot suppress and the words that did not."""
    reports: list[tuple[Word | None, Diagnostic]] = []
    for directive in f.directives:
        if directive.problem is not None:
            message, help_text = directive.problem
            reports.append(
                (None, _report(f, directive.span, message, help_text, directive.removal))
            )
            continue
        only = len(directive.words) == 1
        for word in directive.words:
            if id(word) in used or (word.codes and word.codes <= inactive):
                continue
            removal = directive.removal if only else word.removal
            if not word.codes:
                message = f"unknown code `{word.text}` in a suppression"
                help_text = _unknown_help(word.text)
            elif not directive.file_wide and word.codes == {UNUSED}:
                message = f"suppression of `{word.text}` is unused"
                help_text = "`OJ905` can only be suppressed with `# oj: ignore-file[OJ905]`"
            else:
                message = f"suppression of `{word.text}` is unused"
                help_text = (
                    "remove the suppression comment"
                    if only
                    else f"remove `{word.text}` from the suppression"
                )
            reports.append((word, _report(f, word.span, message, help_text, removal)))
    # OJ905 is suppressed by another `ignore-file` word that names it (which is then used).
    silenced: set[int] = set()
    for index, (about, _d) in enumerate(reports):
        silencers = [
            w
            for directive in f.file_wide
            for w in directive.words
            if w is not about and UNUSED in w.codes
        ]
        if silencers:
            silenced.add(index)
            used.update(id(w) for w in silencers)
    for index, (about, d) in enumerate(reports):
        if index in silenced or (about is not None and id(about) in used):
            continue
        yield d


def _report(f: _File, span: Span, message: str, help_text: str, removal: Edit) -> Diagnostic:
    return diag(
        UNUSED,
        message,
        span,
        "suppresses nothing",
        help=help_text,
        fix=Fix(Applicability.SAFE, "remove the unused suppression", (removal,)),
        runbook=f.runbook,
    )


def inactive_codes(shellcheck: bool) -> frozenset[str]:
    """Codes whose check does not run: OJ602 without shellcheck (disabled or not installed)."""
    import shutil

    if shellcheck and shutil.which("shellcheck") is not None:
        return frozenset()
    return frozenset({"OJ602"})
