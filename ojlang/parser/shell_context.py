"""Shell template text and its interpolation ranges in, the shell context of each one out (§4.1.4).

Theory of operation. `scan_shell` runs a small bash lexer once over the decoded text of a shell
field. Interpolations are opaque: the lexer jumps over each range as if it were a run of word
characters (the same thing `bash -n` sees once they become `x…x` placeholders) and records the
state it was in at the start of the range. State is a stack of frames: command lists (the
field itself, `$(…)`, `(…)`, backticks, `<(…)`), double, single and `$'…'` quotes, `${…}`,
arithmetic `$((…))`/`((…))`, comments and heredoc bodies. A command-list frame also follows
the words of the current simple command (assignments and redirection targets left out), the
compound keywords that matter for word position (`if`, `case … in … esac`, `for … in`, `[[ ]]`,
function definitions) and the heredocs waiting for the next newline. From the words before an
interpolation it tells whether the interpolation is part of the program name (OJ704) and
whether an inner shell evaluates its word again (`eval`, `bash -c`, `sh -c`, `ssh HOST …`, a
heredoc fed to `bash` or `ssh`: OJ703). The lexer accepts any text, never raises, and leaves
contexts it cannot know as `UNQUOTED`; it does not judge syntax (`bash -n` does).
Offsets are code points into the text given. Pure: the standard library and the renderer's
`ShellContext` enum only.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import NamedTuple, Protocol

from ojlang.parser.shell_words import (
    ASSIGNMENT,
    SimpleCommand,
    Word,
    evaluator,
    program_index,
    stdin_evaluator,
)
from ojlang.runtime.core.render import ShellContext

# -- results ------------------------------------------------------------------------------------


class InterpContext(NamedTuple):
    """Where one interpolation `[start, end)` stands.

    `command_word`: part of the word naming the program to run. `evaluator`: the program that
    evaluates the interpolation's word as shell again (`eval`, `bash -c`, `ssh`, `bash` for a
    heredoc fed to it), or None. `delimiter`/`heredoc`: for heredoc bodies, the delimiter word
    and the offsets of the `<<WORD` that opened the body.
    """

    start: int
    end: int
    context: ShellContext
    command_word: bool = False
    evaluator: str | None = None
    delimiter: str | None = None
    heredoc: tuple[int, int] | None = None


class ShellScan(NamedTuple):
    """The lexer's answer for one text: the interpolations in order and the simple commands."""

    text: str
    interps: tuple[InterpContext, ...]
    commands: tuple[SimpleCommand, ...]

    def placeholders(self) -> str:
        """The text with each interpolation as `x…x` (`0…0` in arithmetic), same length."""
        out: list[str] = []
        last = 0
        for item in self.interps:
            out.append(self.text[last : item.start])
            fill = "0" if item.context is ShellContext.ARITHMETIC else "x"
            out.append(fill * (item.end - item.start))
            last = item.end
        out.append(self.text[last:])
        return "".join(out)


class Spanned(Protocol):
    @property
    def start(self) -> int: ...

    @property
    def end(self) -> int: ...


def scan_shell(text: str, interps: Iterable[Spanned | tuple[int, int]] = ()) -> ShellScan:
    """Lex `text` (a decoded shell field); `interps` are the interpolation ranges, in any order."""
    ranges: dict[int, int] = {}
    for item in interps:
        start, end = item if isinstance(item, tuple) else (item.start, item.end)
        if 0 <= start < end <= len(text):
            ranges[start] = end
    return _Lexer(text, ranges).run()


# -- the lexer ----------------------------------------------------------------------------------

_KEEP_POSITION = frozenset({"if", "then", "elif", "else", "do", "while", "until", "!", "{", "time"})
_END_COMPOUND = frozenset({"fi", "done", "esac", "}"})
_NOT_COMMANDS = _END_COMPOUND | {"((", "(", "]]"}
_BLANK = re.compile(r"[ \t]+")
_LIST_RUN = re.compile(r"[^\s;&|()<>'\"`$\\{#]+")
_DQ_RUN = re.compile(r'[^"\\$`{]+')
_SQ_RUN = re.compile(r"[^'{]+")
_DSQ_RUN = re.compile(r"[^'\\{]+")
_LINE_RUN = re.compile(r"[^\n{]+")
_BODY_RUN = re.compile(r"[^\n\\$`{]+")
_ARITH_RUN = re.compile(r"[^()$\"`\\{]+")
_PARAM_RUN = re.compile(r"[^{}\\'\"$`]+")
_GLOB_CHARS = frozenset("?*+@!")
_QUOTE_FRAMES = ("dq", "sq", "dsq")
_LIST_SPECIAL = frozenset(" \t\r\n\\#'\"`$();&|<>")


class _Frame:
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
        heredoc: _Heredoc | None = None,
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


class _Heredoc(NamedTuple):
    delimiter: str
    strip_tabs: bool
    quoted: bool
    op: tuple[int, int]
    evaluator: str | None


class _Lexer:
    def __init__(self, text: str, ranges: dict[int, int]) -> None:
        self.text = text
        self.n = len(text)
        self.ranges = ranges
        self.stack: list[_Frame] = [_Frame("list")]
        self.pending: list[_Heredoc] = []
        self.found: dict[int, InterpContext] = {}
        self.commands: list[SimpleCommand] = []

    def run(self) -> ShellScan:
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
        interps = []
        for start in sorted(ranges):
            found = self.found.get(start)
            interps.append(found or InterpContext(start, ranges[start], ShellContext.UNQUOTED))
        return ShellScan(text, tuple(interps), tuple(self.commands))

    # -- helpers -----------------------------------------------------------------------------

    def _run(self, pattern: re.Pattern[str], i: int) -> int:
        m = pattern.match(self.text, i)
        return m.end() if m else i + 1

    def _escape(self, i: int) -> int:
        """Skip a backslash and the character it escapes (never into an interpolation)."""
        return i + 1 if (i + 1) in self.ranges else min(i + 2, self.n)

    def _push(self, frame: _Frame) -> None:
        self.stack.append(frame)

    def _dollar(self, i: int, *, quoted: bool = False) -> int:
        """After `$` at `i`: open the frame it starts, return the position after the opener.

        `quoted`: inside double quotes or a heredoc body, where `$'` and `$"` are plain text.
        """
        text = self.text
        if text.startswith("$((", i):
            self._push(_Frame("arith"))
            return i + 3
        if text.startswith("$(", i):
            self._push(_Frame("list", closer=")"))
            return i + 2
        if text.startswith("${", i):
            self._push(_Frame("param", quoted=quoted))
            return i + 2
        if not quoted and text.startswith("$'", i):
            self._push(_Frame("dsq"))
            return i + 2
        if not quoted and text.startswith('$"', i):
            self._push(_Frame("dq"))
            return i + 2
        return i + 1

    # -- interpolations ----------------------------------------------------------------------

    def _interp(self, top: _Frame, start: int, end: int) -> None:
        kind = top.kind
        delimiter: str | None = None
        heredoc_op: tuple[int, int] | None = None
        stdin_eval: str | None = None
        if kind == "list":
            context = ShellContext.UNQUOTED
            if top.word_start < 0:
                top.word_start = start
        elif kind == "dq":
            context = ShellContext.DOUBLE
        elif kind == "sq":
            context = ShellContext.SINGLE
        elif kind == "dsq":
            context = ShellContext.DOLLAR_SINGLE
        elif kind == "arith":
            context = ShellContext.ARITHMETIC
        elif kind == "comment":
            context = ShellContext.COMMENT
        elif kind == "body":
            assert top.heredoc is not None
            doc = top.heredoc
            context = ShellContext.QUOTED_HEREDOC if doc.quoted else ShellContext.HEREDOC
            delimiter, heredoc_op = doc.delimiter, doc.op
            stdin_eval = None if doc.quoted else doc.evaluator
        else:
            context = ShellContext.UNQUOTED
        command_word = False
        evaluates = stdin_eval
        owner = self._owner()
        if owner is not None:
            owner.word_interp = True
            if owner.mode == "cmd" and not owner.redirect and owner.word_start >= 0:
                prefix = self.text[owner.word_start : start]
                if not (not owner.words and ASSIGNMENT.match(prefix)):
                    index = len(owner.words)
                    command_word = program_index(owner.words) == index
                    evaluates = evaluator(owner.words, index)
        self.found[start] = InterpContext(
            start, end, context, command_word, evaluates, delimiter, heredoc_op
        )

    def _owner(self) -> _Frame | None:
        """The command list whose current word holds the position (through quotes only)."""
        for frame in reversed(self.stack):
            if frame.kind == "list":
                return frame
            if frame.kind not in _QUOTE_FRAMES:
                return None
        return None

    # -- command lists -----------------------------------------------------------------------

    def _start_word(self, f: _Frame, i: int) -> None:
        if f.word_start < 0:
            f.word_start = i

    def _list(self, f: _Frame, i: int) -> int:
        text = self.text
        ch = text[i]
        if ch not in _LIST_SPECIAL:
            if f.word_start < 0:
                f.word_start = i
            if ch == "{":
                return i + 1
            m = _LIST_RUN.match(text, i)
            return m.end() if m else i + 1
        if ch == " " or ch == "\t" or ch == "\r":
            self._finish_word(f, i)
            return self._run(_BLANK, i) if ch != "\r" else i + 1
        if ch == "\n":
            self._finish_word(f, i)
            if f.mode != "array":
                self._separator(f, i)
                if self.pending:
                    self._next_heredoc()
            return i + 1
        if ch == "\\":
            if text.startswith("\\\n", i):
                return i + 2  # line continuation
            self._start_word(f, i)
            return self._escape(i)
        if ch == "#" and f.word_start < 0:
            self._push(_Frame("comment"))
            return i + 1
        if ch == "'":
            self._start_word(f, i)
            self._push(_Frame("sq"))
            return i + 1
        if ch == '"':
            self._start_word(f, i)
            self._push(_Frame("dq"))
            return i + 1
        if ch == "`":
            if f.closer == "`":
                self._finish_word(f, i)
                self._end_command(f, i)
                self.stack.pop()
                return i + 1
            self._start_word(f, i)
            self._push(_Frame("list", closer="`"))
            return i + 1
        if ch == "$":
            self._start_word(f, i)
            return self._dollar(i)
        if ch == "(":
            return self._open_paren(f, i)
        if ch == ")":
            self._finish_word(f, i)
            if f.mode == "case_pat":
                f.mode = "cmd"
                f.words = []
            elif f.closer == ")":
                self._end_command(f, i)
                self.stack.pop()
            return i + 1
        return self._operator(f, i)

    def _open_paren(self, f: _Frame, i: int) -> int:
        text = self.text
        if f.word_start >= 0 and f.mode != "test":
            before = text[i - 1] if i > 0 else ""
            if before == "=" or before in _GLOB_CHARS:
                self._push(_Frame("list", closer=")", mode="array"))  # a=( … ), @( … )
                return i + 1
        self._finish_word(f, i)
        close = self._skip_blanks(i + 1)
        if f.mode == "cmd" and (f.func_after or len(f.words) == 1) and text.startswith(")", close):
            f.words = []  # `name ()`: a function definition; the body comes next
            f.func_after = False
            return close + 1
        if f.mode in ("test", "case_pat", "array"):
            return i + 1
        if f.mode == "for_name" and text.startswith("((", i):
            f.mode = "for_words"
            self._push(_Frame("arith"))
            return i + 2
        if f.mode == "cmd" and not f.words and text.startswith("((", i):
            f.words = [Word(i, i + 2, "((", True)]
            self._push(_Frame("arith"))
            return i + 2
        if f.mode == "cmd" and not f.words:
            f.words = [Word(i, i + 1, "(", True)]
        self._push(_Frame("list", closer=")"))
        return i + 1

    def _skip_blanks(self, i: int) -> int:
        m = _BLANK.match(self.text, i)
        return m.end() if m else i

    def _operator(self, f: _Frame, i: int) -> int:
        text = self.text
        ch = text[i]
        if f.mode == "array":
            self._finish_word(f, i)
            return i + 1
        if ch in "<>":
            return self._redirection(f, i)
        self._finish_word(f, i)
        if ch == ";":
            for op in (";;&", ";;", ";&"):
                if text.startswith(op, i):
                    self._end_command(f, i)
                    if f.cases:
                        f.mode = "case_pat"
                    return i + len(op)
            self._separator(f, i)
            return i + 1
        if ch == "&":
            if text.startswith("&>>", i) or text.startswith("&>", i):
                f.redirect = True
                return i + (3 if text.startswith("&>>", i) else 2)
            if text.startswith("&&", i):
                if f.mode != "test":
                    self._separator(f, i)
                return i + 2
            self._separator(f, i)
            return i + 1
        # "|"
        if f.mode in ("test", "case_pat"):
            return i + (2 if text.startswith("||", i) else 1)
        self._separator(f, i)
        return i + (2 if text.startswith(("||", "|&"), i) else 1)

    def _redirection(self, f: _Frame, i: int) -> int:
        text = self.text
        if f.mode == "test":
            self._finish_word(f, i)
            return i + 1
        if text.startswith(("<(", ">("), i):
            self._start_word(f, i)
            self._push(_Frame("list", closer=")"))
            return i + 2
        if f.word_start >= 0 and text[f.word_start : i].isdigit():
            f.word_start = -1  # `2>`: a file descriptor, not a word
            f.word_interp = False
        else:
            self._finish_word(f, i)
        if text.startswith("<<<", i):
            f.redirect = True
            return i + 3
        if text.startswith("<<", i):
            return self._heredoc_op(f, i)
        for op in ("<&", ">&", ">>", ">|", "<>"):
            if text.startswith(op, i):
                f.redirect = True
                return i + 2
        f.redirect = True
        return i + 1

    def _heredoc_op(self, f: _Frame, i: int) -> int:
        text = self.text
        j = i + 2
        strip = text.startswith("-", j)
        if strip:
            j += 1
        j = self._skip_blanks(j)
        out: list[str] = []
        quoted = False
        while j < self.n:
            ch = text[j]
            if ch in " \t\n;&|()<>":
                break
            if ch in "'\"":
                quoted = True
                close = text.find(ch, j + 1)
                close = self.n if close < 0 else close
                out.append(text[j + 1 : close])
                j = close + 1
            elif ch == "\\":
                quoted = True
                out.append(text[j + 1 : j + 2])
                j += 2
            else:
                out.append(ch)
                j += 1
        if out or quoted:
            op = (i, min(j, self.n))
            self.pending.append(_Heredoc("".join(out), strip, quoted, op, stdin_evaluator(f.words)))
        return min(j, self.n)

    def _next_heredoc(self) -> None:
        doc = self.pending.pop(0)
        self._push(_Frame("body", heredoc=doc))

    def _finish_word(self, f: _Frame, end: int) -> None:
        start = f.word_start
        if start < 0:
            return
        f.word_start = -1
        raw = self.text[start:end]
        word = Word(start, end, raw, not f.word_interp)
        f.word_interp = False
        if f.redirect:
            f.redirect = False
            return
        mode = f.mode
        if mode == "cmd":
            if f.words:
                f.func_after = False
                f.words.append(word)
            else:
                self._first_word(f, word)
        elif mode == "test":
            if raw == "]]":
                f.mode = "cmd"
                f.words = [word]
        elif mode == "case_word":
            f.mode = "case_in"
        elif mode == "case_in":
            if raw == "in":
                f.mode = "case_pat"
        elif mode == "case_pat":
            if raw == "esac":
                f.cases = max(0, f.cases - 1)
                f.mode = "cmd"
                f.words = [word]
        elif mode == "for_name":
            f.mode = "for_in"
        elif mode == "for_in":
            if raw == "do":
                f.mode = "cmd"
                f.words = []
            else:
                f.mode = "for_words"
        elif mode == "func":
            f.mode = "cmd"
            f.words = []
            f.func_after = True

    def _first_word(self, f: _Frame, word: Word) -> None:
        """A word in command position: a keyword, an assignment, or the command's first word."""
        raw = word.text  # equal to a keyword only when written bare
        if raw in _KEEP_POSITION:
            f.func_after = False
            return
        if raw in _END_COMPOUND:
            if raw == "esac":
                f.cases = max(0, f.cases - 1)
            f.words = [word]
            return
        if raw == "case":
            f.cases += 1
            f.mode = "case_word"
            return
        if raw in ("for", "select"):
            f.mode = "for_name"
            return
        if raw == "[[":
            f.mode = "test"
            return
        if raw == "function":
            f.mode = "func"
            return
        if ASSIGNMENT.match(raw):
            return  # an assignment keeps the command position
        f.func_after = False
        f.words.append(word)

    def _end_command(self, f: _Frame, i: int) -> None:
        self._finish_word(f, i)
        words = f.words
        if f.mode == "cmd" and words and words[0].text not in _NOT_COMMANDS:
            self.commands.append(SimpleCommand(tuple(words)))
        f.words = []
        f.redirect = False

    def _separator(self, f: _Frame, i: int) -> None:
        """`;`, `&`, `&&`, `||`, `|`, newline: the next word starts a command."""
        if f.mode in ("test", "case_word", "case_in", "case_pat", "array"):
            return
        self._end_command(f, i)
        f.mode = "cmd"

    # -- other frames ------------------------------------------------------------------------

    def _dq(self, i: int) -> int:
        ch = self.text[i]
        if ch == '"':
            self.stack.pop()
            return i + 1
        if ch == "\\":
            return self._escape(i)
        if ch == "`":
            self._push(_Frame("list", closer="`"))
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

    def _body(self, f: _Frame, i: int) -> int:
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
            self._push(_Frame("list", closer="`"))
            return i + 1
        if ch == "$":
            return self._dollar(i, quoted=True)
        return self._run(_BODY_RUN, i)

    def _arith(self, f: _Frame, i: int) -> int:
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
            self._push(_Frame("dq"))
            return i + 1
        if ch == "`":
            self._push(_Frame("list", closer="`"))
            return i + 1
        if ch == "\\":
            return self._escape(i)
        if ch == "{":
            return i + 1
        return self._run(_ARITH_RUN, i)

    def _param(self, f: _Frame, i: int) -> int:
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
            self._push(_Frame("sq"))
            return i + 1
        if ch == '"':
            self._push(_Frame("dq"))
            return i + 1
        if ch == "`":
            self._push(_Frame("list", closer="`"))
            return i + 1
        if ch == "$":
            return self._dollar(i, quoted=f.quoted)
        return self._run(_PARAM_RUN, i)
