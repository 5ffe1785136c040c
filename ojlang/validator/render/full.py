"""The `full` format: diagnostics in, rustc-style annotated source snippets out (LANGUAGE.md §8).

Layout of one diagnostic, with `W` = digits of the largest line number shown::

    SEVERITY[CODE]: MESSAGE
    <W spaces>--> PATH:LINE:COL
    <W+1 spaces>|
    LINE | source text                     (LINE right-aligned to W)
    <W+1 spaces>| ^^^^ primary label       (`-` under secondary spans)
    <W+1 spaces>|
    <W+1 spaces>= note: …                  (notes, then help)

Choices where §8 is silent, following rustc:

- Tabs are shown as 4 spaces and carets widen with them; East Asian wide characters take two
  columns and combining marks none; other control characters are shown as their Unicode
  control pictures (one column); invisible format characters (a byte order mark, zero-width
  spaces, bidi controls) are shown as `<U+FEFF>` so that a span on them is visible.
- An empty span gets one caret; a span over several lines is underlined from its start to the
  end of its first line; labels attach to the first line of their span.
- Several labels on one line share one marker line. The label of the marker that ends last
  is written after it; the others hang below on their own lines, joined to their markers by
  `|`, rightmost first. Where markers overlap, `^` wins over `-`.
- The primary file comes first; labels in other files follow in order of first appearance,
  each file introduced by `<W spaces>::: PATH:LINE:COL`. Within a file, lines are shown in
  line order; a gap of one line shows that line, a longer gap shows `...`.
- A file missing from `sources` shows its location lines but no snippet.
- A diagnostic without `help` but with a fix shows the fix message as its `help`.
- Trailing whitespace is trimmed from every output line; a blank line follows each
  diagnostic.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence

from ojlang import rec
from ojlang.validator.diagnostic import Diagnostic, Label
from ojlang.validator.render.color import Painter, severity_style

TAB = "    "

Cell = tuple[str, str | None]


def char_width(ch: str) -> int:
    """Display columns of one character as the snippet shows it."""
    if ch == "\t":
        return len(TAB)
    if unicodedata.category(ch) == "Cf":
        return len(_codepoint(ch))
    if unicodedata.combining(ch):
        return 0
    if unicodedata.east_asian_width(ch) in ("W", "F"):
        return 2
    return 1


def _codepoint(ch: str) -> str:
    return f"<U+{ord(ch):04X}>"


def display(text: str) -> str:
    """The text as the snippet shows it: tabs as spaces, control characters as pictures,
    invisible format characters (byte order mark, zero-width and bidi controls) as `<U+XXXX>`.
    """
    out: list[str] = []
    for ch in text:
        code = ord(ch)
        if ch == "\t":
            out.append(TAB)
        elif code < 0x20:
            out.append(chr(0x2400 + code))
        elif code == 0x7F:
            out.append("\u2421")
        elif unicodedata.category(ch) == "Cf":
            out.append(_codepoint(ch))
        else:
            out.append(ch)
    return "".join(out)


def text_width(text: str) -> int:
    return sum(char_width(ch) for ch in text)


@rec.frozen(slots=True)
class _Mark:
    """One label placed on one source line, in display columns [start, end)."""

    start: int
    end: int
    primary: bool
    message: str


class _Sources:
    """Source lines per file, split once on LF (CRLF's CR dropped)."""

    def __init__(self, sources: Mapping[str, str]) -> None:
        self._sources = sources
        self._lines: dict[str, list[str]] = {}

    def lines(self, file: str) -> list[str] | None:
        if file not in self._lines:
            text = self._sources.get(file)
            if text is None:
                return None
            self._lines[file] = [line.removesuffix("\r") for line in text.split("\n")]
        return self._lines[file]

    def line(self, file: str, number: int) -> str:
        lines = self.lines(file) or []
        return lines[number - 1] if 1 <= number <= len(lines) else ""


def _mark(label: Label, text: str) -> _Mark:
    """Place `label` on the first line of its span, whose text is `text`."""
    span = label.span
    first = max(span.col - 1, 0)
    last = span.end_col - 1 if span.end_line == span.line else len(text)
    last = max(first, min(last, len(text)))
    start = text_width(text[:first]) + max(first - len(text), 0)
    width = max(1, text_width(text[first:last]))
    return _Mark(start, start + width, label.primary, label.message)


class _Snippet:
    """Builds the lines of one diagnostic."""

    def __init__(self, diag: Diagnostic, sources: _Sources, painter: Painter) -> None:
        self.diag = diag
        self.sources = sources
        self.painter = painter
        self.sev = severity_style(diag.severity)
        self.files = self._files()
        numbers = [n for lines in self.shown().values() for n in lines]
        self.width = len(str(max(numbers, default=max(diag.span.line, 1))))
        self.out: list[str] = []

    def _files(self) -> dict[str, list[Label]]:
        files: dict[str, list[Label]] = {self.diag.span.file: []}
        for label in self.diag.all_labels():
            files.setdefault(label.span.file, []).append(label)
        return files

    def shown(self) -> dict[str, list[int]]:
        """Line numbers shown per file (gaps of one line filled in)."""
        shown: dict[str, list[int]] = {}
        for file, labels in self.files.items():
            if self.sources.lines(file) is None:
                continue
            numbers = sorted({label.span.line for label in labels})
            filled: list[int] = []
            for n in numbers:
                if filled and n == filled[-1] + 2:
                    filled.append(n - 1)
                filled.append(n)
            shown[file] = filled
        return shown

    # -- line helpers -------------------------------------------------------------------

    def _gutter(self, text: str = "") -> str:
        bar = self.painter.paint(" " * (self.width + 1) + "|", "gutter")
        return (bar + " " + text).rstrip() if text else bar

    def _cells(self, cells: list[Cell]) -> str:
        """Join styled cells, one escape sequence per run of one style."""
        while cells and cells[-1][0] == " ":
            cells.pop()
        parts: list[str] = []
        run: list[str] = []
        style: str | None = None
        for ch, st in cells:
            if st != style and run:
                parts.append(self.painter.paint("".join(run), style))
                run = []
            style = st
            run.append(ch)
        if run:
            parts.append(self.painter.paint("".join(run), style))
        return "".join(parts)

    # -- the parts ----------------------------------------------------------------------

    def render(self) -> str:
        d = self.diag
        paint = self.painter.paint
        head = paint(f"{d.severity.value}[{d.code}]", self.sev)
        self.out.append(head + paint(f": {d.message}", "bold"))
        arrow = paint(" " * self.width + "-->", "gutter")
        self.out.append(f"{arrow} {d.span.file}:{d.span.line}:{d.span.col}")
        shown = self.shown()
        for index, (file, labels) in enumerate(self.files.items()):
            if index > 0:
                first = min(labels, key=lambda lab: (lab.span.line, lab.span.col))
                self.out.append(self._gutter())
                where = paint(" " * self.width + ":::", "gutter")
                self.out.append(f"{where} {file}:{first.span.line}:{first.span.col}")
            if file in shown:
                self._file(file, labels, shown[file])
        self._footer()
        return "".join(line + "\n" for line in self.out) + "\n"

    def _file(self, file: str, labels: list[Label], numbers: list[int]) -> None:
        self.out.append(self._gutter())
        previous: int | None = None
        for n in numbers:
            if previous is not None and n > previous + 1:
                self.out.append(self.painter.paint("...", "gutter"))
            previous = n
            text = self.sources.line(file, n)
            number = self.painter.paint(f"{n:>{self.width}} |", "gutter")
            self.out.append(f"{number} {display(text)}".rstrip())
            marks = [_mark(lab, text) for lab in labels if lab.span.line == n]
            self._marks(marks)

    def _marks(self, marks: list[_Mark]) -> None:
        if not marks:
            return
        row_end = max(m.end for m in marks)
        row: list[Cell] = [(" ", None)] * row_end
        for mark in sorted(marks, key=lambda m: m.primary):
            style = self.sev if mark.primary else "secondary"
            char = "^" if mark.primary else "-"
            for i in range(mark.start, mark.end):
                row[i] = (char, style)
        labelled = [m for m in marks if m.message]
        ending = [m for m in labelled if m.end == row_end]
        inline = max(ending, key=lambda m: m.start) if ending else None
        if inline is not None:
            row.append((" ", self._style(inline)))
            row.extend((ch, self._style(inline)) for ch in inline.message)
        self.out.append(self._gutter(self._cells(row)))
        hanging = sorted((m for m in labelled if m is not inline), key=lambda m: -m.start)
        if not hanging:
            return
        self.out.append(self._gutter(self._cells(self._bars(hanging))))
        for i, mark in enumerate(hanging):
            cells = self._bars(hanging[i + 1 :])
            cells.extend([(" ", None)] * (mark.start + len(mark.message) - len(cells)))
            for j, ch in enumerate(mark.message):
                cells[mark.start + j] = (ch, self._style(mark))
            self.out.append(self._gutter(self._cells(cells)))

    def _style(self, mark: _Mark) -> str:
        return self.sev if mark.primary else "secondary"

    def _bars(self, marks: list[_Mark]) -> list[Cell]:
        """A row with `|` under the start of each mark."""
        width = max((m.start + 1 for m in marks), default=0)
        cells: list[Cell] = [(" ", None)] * width
        for mark in marks:
            cells[mark.start] = ("|", self._style(mark))
        return cells

    def _footer(self) -> None:
        d = self.diag
        help_text = d.help if d.help is not None else (d.fix.message if d.fix else None)
        extras = [("note", note) for note in d.notes]
        if help_text:
            extras.append(("help", help_text))
        if not extras:
            return
        self.out.append(self._gutter())
        pad = " " * (self.width + 1)
        for kind, text in extras:
            lead = self.painter.paint("=", "gutter") + " " + self.painter.paint(kind, "bold")
            first, *rest = text.split("\n")
            self.out.append(f"{pad}{lead}: {first}".rstrip())
            indent = pad + " " * (len(kind) + 4)
            self.out.extend(f"{indent}{line}".rstrip() for line in rest)


def render_full(
    diagnostics: Sequence[Diagnostic], sources: Mapping[str, str], painter: Painter
) -> str:
    """Every diagnostic as an annotated snippet, each followed by a blank line."""
    cache = _Sources(sources)
    return "".join(_Snippet(d, cache, painter).render() for d in diagnostics)
