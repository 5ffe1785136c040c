"""Suppression directives (LANGUAGE.md §8): a runbook in, its `# oj: ignore[…]` and
`# oj: ignore-file[…]` directives out, each with the lines it covers, its words and the edits
that remove them.

Directives are read from the TOML comments of the runbook's document and from the shell
comments inside its shell fields (a `#` that starts a comment for the bash lexer of
`ojlang.parser.shell_context`). A directive is `oj: ignore[WORDS]` or `oj: ignore-file[WORDS]`
right after a `#` (other text may come before that `#`, or after the `]`: a reason); words are
codes, code prefixes, slugs or `ALL` (as in `ojlang.validator.selection`), comma-separated.
A line directive covers its line and, when its comment stands alone on its line, the next one.
An `ignore-file` counts only before the first table; a malformed or misplaced directive carries
the `problem` that `ojlang.validator.suppression` reports as OJ905.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator

import attrs

from ojlang.parser import ast
from ojlang.parser.mini import close_match
from ojlang.parser.spans import SourceMap, Span
from ojlang.parser.tomltree import Comment, TomlDocument
from ojlang.validator.catalogue import BY_SLUG, CATALOGUE
from ojlang.validator.diagnostic import Edit
from ojlang.validator.selection import SelectionError, parse_words

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


def unknown_help(word: str) -> str:
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
    span_of: _SpanFn,
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
            "`oj: ignore-file` suppresses nothing here: it must come before the first table",
            "move it to the comments before the first table",
        )
    return Directive(runbook, file_wide, tuple(words), here, lines, removal, misplaced)


class _SpanFn:
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
        span_of = _SpanFn(lines, start, None)
        for found in _find(text):
            yield _build(
                runbook,
                found,
                text,
                span_of,
                _covered(comment),
                _comment_removal(comment, found, text, lines, start),
                start < boundary,
            )


def _covered(comment: Comment) -> frozenset[int]:
    """Its line, and the next one when the comment stands alone (even after a reason:
    `# why  # oj: ignore[…]`)."""
    line = comment.span.line
    return frozenset({line, line + 1}) if comment.own_line else frozenset({line})


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
        # A directive is in a shell comment when some `#` of its line, up to its own, starts
        # one: probe the character after each such `#` (the lexer reports probes' contexts).
        hashes = {
            p
            for f in candidates
            for p in _comment_starts(text, f.start)
            if not any(a <= p + 1 < b for a, b in interps)
        }
        scan = scan_shell(text, [*interps, *((p + 1, p + 2) for p in hashes)])
        comments = {i.start - 1 for i in scan.interps if i.context is ShellContext.COMMENT}
        source_map = field.tmpl.node.source_map
        span_of = _SpanFn(None, 0, source_map)
        for found in candidates:
            line_start = text.rfind("\n", 0, found.start) + 1
            if not any(line_start <= p <= found.start for p in comments):
                continue
            before = text[line_start : found.start].lstrip(" \t")
            alone = not before or before.startswith("#")
            line = source_map.span(found.start, found.start + 1).line
            covered = frozenset({line, line + 1}) if alone else frozenset({line})
            yield _build(
                runbook.name,
                found,
                text,
                span_of,
                covered,
                _shell_removal(text, found, not before, span_of),
                boundary_ok,
            )


def _comment_starts(text: str, end: int) -> Iterator[int]:
    """Offsets of the `#`s of the line of `end`, up to `end`, that may start a comment."""
    line_start = text.rfind("\n", 0, end) + 1
    for p in range(line_start, end + 1):
        if text[p] == "#" and (p in (line_start, end) or text[p - 1] in " \t;&|()"):
            yield p


def _shell_removal(text: str, found: _Found, alone: bool, span_of: _SpanFn) -> Edit:
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
