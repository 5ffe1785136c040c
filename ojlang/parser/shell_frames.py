"""Text in, bash's quoting frames out: quotes, `${…}`, arithmetic, comments, heredoc bodies.

The shell context lexer (`shell_context`) is a stack machine. This module holds its frames
and the part of the machine that does not care about commands: the main loop, which stops at
each interpolation start and otherwise hands the character to the handler of the top frame,
and the handlers of double, single and `$'…'` quotes, `${…}`, `$((…))`/`((…))`, comments and
heredoc bodies (which end at the delimiter line, after leading tabs for `<<-`). Command lists
(`_list`), interpolations (`_interp`) and the end of a command (`_end_command`) are the
subclass's hooks. Handlers take a position and return the next one; runs of ordinary
characters are skipped with one regex match, which stops at `{`, where an interpolation
may start, so the loop never jumps over one.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from ojlang.parser.shell_words import Word

_DQ_RUN = re.compile(r'[^"\\$`{]+')
_SQ_RUN = re.compile(r"[^'{]+")
_DSQ_RUN = re.compile(r"[^'\\{]+")
_LINE_RUN = re.compile(r"[^\n{]+")
_BODY_RUN = re.compile(r"[^\n\\$`{]+")
_ARITH_RUN = re.compile(r"[^()$\"`\\{]+")
_PARAM_RUN = re.compile(r"[^{}\\'\"$`]+")


class Frame:
    """One lexer state. `kind`: list, dq, sq, dsq, param, arith, comment, body.

    List frames: `closer` ("" top, ")" or "`"), `mode` (cmd test array case_word case_in
    case_pat for_name for_in for_words func), the words of the current simple command and the
    word being read. Param frames: brace `depth`, `quoted` inside double quotes. Arith
    frames: paren `depth`. Body frames: the `heredoc` and whether a line starts here.
    """

    __slots__ = (
        "cases",
        "closer",
        "depth",
        "func_after",
        "heredoc",
        "kind",
        "line_start",
        "mode",
        "quoted",
        "redirect",
        "word_interp",
        "word_start",
        "words",
    )

    def __init__(
        self,
        kind: str,
        closer: str = "",
        mode: str = "cmd",
        quoted: bool = False,
        heredoc: Heredoc | None = None,
    ) -> None:
        self.kind = kind
        self.closer = closer
        self.mode = mode
        self.words: list[Word] = []
        self.word_start = -1
        self.word_interp = False
        self.redirect = False
        self.cases = 0
        self.func_after = False
        self.depth = 0
        self.quoted = quoted
        self.heredoc = heredoc
        self.line_start = True


class Heredoc(NamedTuple):
    """A heredoc operator waiting for (or reading) its body."""

    delimiter: str
    strip_tabs: bool
    quoted: bool
    op: tuple[int, int]
    evaluator: str | None


class FrameLexer:
    """The machine without command lists; subclasses implement the three hooks."""

    def __init__(self, text: str, ranges: dict[int, int]) -> None:
        self.text = text
        self.n = len(text)
        self.ranges = ranges  # interpolation start -> end
        self.stack: list[Frame] = [Frame("list")]
        self.pending: list[Heredoc] = []  # heredocs whose body starts at the next newline

    # -- hooks -------------------------------------------------------------------------------

    def _list(self, f: Frame, i: int) -> int:
        raise NotImplementedError

    def _interp(self, top: Frame, start: int, end: int) -> None:
        raise NotImplementedError

    def _end_command(self, f: Frame, i: int) -> None:
        raise NotImplementedError

    def lex(self) -> None:
        """Run over the whole text, calling the hooks; command lists are closed at the end."""
        text, n, ranges, stack = self.text, self.n, self.ranges, self.stack
        i = 0
        while i < n:
            top = stack[-1]
            end = ranges.get(i)
            if end is not None and not (top.kind == "body" and top.line_start):
                self._interp(top, i, end)
                i = end
                continue
            kind = top.kind
            if kind == "list":
                i = self._list(top, i)
            elif kind == "dq":
                i = self._dq(i)
            elif kind == "sq":
                i = self._quoted(_SQ_RUN, i, escapes=False)
            elif kind == "dsq":
                i = self._quoted(_DSQ_RUN, i, escapes=True)
            elif kind == "comment":
                if text[i] == "\n":
                    stack.pop()
                else:
                    i = self._run(_LINE_RUN, i)
            elif kind == "body":
                i = self._body(top, i)
            elif kind == "arith":
                i = self._arith(top, i)
            else:
                i = self._param(top, i)
        for frame in reversed(stack):
            if frame.kind == "list":
                self._end_command(frame, n)

    # -- helpers -----------------------------------------------------------------------------

    def _run(self, pattern: re.Pattern[str], i: int) -> int:
        m = pattern.match(self.text, i)
        return m.end() if m else i + 1

    def _escape(self, i: int) -> int:
        """Skip a backslash and the character it escapes (never into an interpolation)."""
        return i + 1 if (i + 1) in self.ranges else min(i + 2, self.n)

    def _push(self, frame: Frame) -> None:
        self.stack.append(frame)

    def _dollar(self, i: int, *, quoted: bool = False) -> int:
        """After `$` at `i`: open the frame it starts, return the position after the opener.

        `quoted`: inside double quotes or a heredoc body, where `$'` and `$"` are plain text.
        """
        text = self.text
        if text.startswith("$((", i):
            self._push(Frame("arith"))
            return i + 3
        if text.startswith("$(", i):
            self._push(Frame("list", closer=")"))
            return i + 2
        if text.startswith("${", i):
            self._push(Frame("param", quoted=quoted))
            return i + 2
        if not quoted and text.startswith("$'", i):
            self._push(Frame("dsq"))
            return i + 2
        if not quoted and text.startswith('$"', i):
            self._push(Frame("dq"))
            return i + 2
        return i + 1

    def _next_heredoc(self) -> None:
        doc = self.pending.pop(0)
        self._push(Frame("body", heredoc=doc))

    # -- other frames ------------------------------------------------------------------------

    def _dq(self, i: int) -> int:
        ch = self.text[i]
        if ch == '"':
            self.stack.pop()
            return i + 1
        if ch == "\\":
            return self._escape(i)
        if ch == "`":
            self._push(Frame("list", closer="`"))
            return i + 1
        if ch == "$":
            return self._dollar(i, quoted=True)
        if ch == "{":
            return i + 1
        return self._run(_DQ_RUN, i)

    def _quoted(self, run: re.Pattern[str], i: int, *, escapes: bool) -> int:
        ch = self.text[i]
        if ch == "'":
            self.stack.pop()
            return i + 1
        if escapes and ch == "\\":
            return self._escape(i)
        if ch == "{":
            return i + 1
        return self._run(run, i)

    def _body(self, f: Frame, i: int) -> int:
        text = self.text
        assert f.heredoc is not None
        doc = f.heredoc
        if f.line_start:
            f.line_start = False
            nl = text.find("\n", i)
            line_end = self.n if nl < 0 else nl
            line = text[i:line_end]
            if (line.lstrip("\t") if doc.strip_tabs else line) == doc.delimiter:
                self.stack.pop()
                if self.pending:
                    self._next_heredoc()
                return min(line_end + 1, self.n)
            return i
        ch = text[i]
        if ch == "\n":
            f.line_start = True
            return i + 1
        if ch == "{":
            return i + 1
        if doc.quoted:
            return self._run(_LINE_RUN, i)
        if ch == "\\":
            return self._escape(i)
        if ch == "`":
            self._push(Frame("list", closer="`"))
            return i + 1
        if ch == "$":
            return self._dollar(i, quoted=True)
        return self._run(_BODY_RUN, i)

    def _arith(self, f: Frame, i: int) -> int:
        text = self.text
        ch = text[i]
        if ch == "(":
            f.depth += 1
            return i + 1
        if ch == ")":
            if f.depth > 0:
                f.depth -= 1
                return i + 1
            self.stack.pop()
            return i + 2 if text.startswith("))", i) else i + 1
        if ch == "$":
            return self._dollar(i, quoted=True)
        if ch == '"':
            self._push(Frame("dq"))
            return i + 1
        if ch == "`":
            self._push(Frame("list", closer="`"))
            return i + 1
        if ch == "\\":
            return self._escape(i)
        if ch == "{":
            return i + 1
        return self._run(_ARITH_RUN, i)

    def _param(self, f: Frame, i: int) -> int:
        ch = self.text[i]
        if ch == "{":
            f.depth += 1
            return i + 1
        if ch == "}":
            if f.depth == 0:
                self.stack.pop()
            else:
                f.depth -= 1
            return i + 1
        if ch == "\\":
            return self._escape(i)
        if ch == "'" and not f.quoted:
            self._push(Frame("sq"))
            return i + 1
        if ch == '"':
            self._push(Frame("dq"))
            return i + 1
        if ch == "`":
            self._push(Frame("list", closer="`"))
            return i + 1
        if ch == "$":
            return self._dollar(i, quoted=f.quoted)
        return self._run(_PARAM_RUN, i)
