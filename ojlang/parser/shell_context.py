"""Shell template text and its interpolation ranges in, the shell context of each one out (§4.1.4).

Theory of operation. `scan_shell` runs a small bash lexer once over the decoded text of a shell
field. Interpolations are opaque: the lexer jumps over each range as if it were a run of word
characters (the same thing `bash -n` sees once they become `x…x` placeholders) and records the
state it was in at the start of the range. State is a stack of frames (`shell_frames` holds
them and the quoting half of the machine): command lists (the field itself, `$(…)`, `(…)`,
backticks, `<(…)`), double, single and `$'…'` quotes, `${…}`, arithmetic, comments and
heredoc bodies. This module adds the command lists: the words of the current simple command
(assignments and redirection targets left out), the compound keywords that matter for word
position (`if`, `case … in … esac`, `for … in`, `[[ ]]`, function definitions) and the
heredocs waiting for the next newline. From the words before an interpolation `shell_words`
tells whether it is part of the program name (OJ704) and whether an inner shell evaluates its
word again (`eval`, `bash -c`, `sh -c`, `ssh HOST …`, a heredoc fed to `bash`: OJ703).
The lexer accepts any text, never raises, and leaves contexts it cannot know as `UNQUOTED`;
it does not judge syntax (`bash -n` does).
Offsets are code points into the text given. Pure: the standard library and the renderer's
`ShellContext` enum only (`ojlang.runtime.core.shellcontext`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import NamedTuple, Protocol

from ojlang.parser.shell_frames import Frame, FrameLexer, Heredoc
from ojlang.parser.shell_words import (
    ASSIGNMENT,
    SimpleCommand,
    Word,
    evaluator,
    program_index,
    stdin_evaluator,
)
from ojlang.runtime.core.shellcontext import ShellContext

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
    backticks: int = 0  # how many backtick substitutions enclose it


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
_GLOB_CHARS = frozenset("?*+@!")
_QUOTE_FRAMES = ("dq", "sq", "dsq")
_LIST_SPECIAL = frozenset(" \t\r\n\\#'\"`$();&|<>")


class _Lexer(FrameLexer):
    """Adds command lists: words, keywords, redirections and heredoc operators."""

    def __init__(self, text: str, ranges: dict[int, int]) -> None:
        super().__init__(text, ranges)
        self.found: dict[int, InterpContext] = {}
        self.commands: list[SimpleCommand] = []

    def run(self) -> ShellScan:
        self.lex()
        interps = []
        for start in sorted(self.ranges):
            found = self.found.get(start)
            if found is None:
                found = InterpContext(start, self.ranges[start], ShellContext.UNQUOTED)
            interps.append(found)
        return ShellScan(self.text, tuple(interps), tuple(self.commands))

    # -- interpolations ----------------------------------------------------------------------

    def _interp(self, top: Frame, start: int, end: int) -> None:
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
        backticks = sum(1 for f in self.stack if f.kind == "list" and f.closer in ("`", "\\`"))
        self.found[start] = InterpContext(
            start, end, context, command_word, evaluates, delimiter, heredoc_op, backticks
        )

    def _owner(self) -> Frame | None:
        """The command list whose current word holds the position (through quotes only)."""
        for frame in reversed(self.stack):
            if frame.kind == "list":
                return frame
            if frame.kind not in _QUOTE_FRAMES:
                return None
        return None

    # -- command lists -----------------------------------------------------------------------

    def _start_word(self, f: Frame, i: int) -> None:
        if f.word_start < 0:
            f.word_start = i

    def _list(self, f: Frame, i: int) -> int:
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
            if text.startswith("\\`", i) and f.closer in ("`", "\\`"):
                # Inside backticks, \` opens (or closes) a nested backtick substitution.
                if f.closer == "\\`":
                    self._finish_word(f, i)
                    self._end_command(f, i)
                    self.stack.pop()
                    return i + 2
                self._start_word(f, i)
                self._push(Frame("list", closer="\\`"))
                return i + 2
            self._start_word(f, i)
            return self._escape(i)
        if ch == "#" and f.word_start < 0:
            self._push(Frame("comment"))
            return i + 1
        if ch == "'":
            self._start_word(f, i)
            self._push(Frame("sq"))
            return i + 1
        if ch == '"':
            self._start_word(f, i)
            self._push(Frame("dq"))
            return i + 1
        if ch == "`":
            if f.closer == "`":
                self._finish_word(f, i)
                self._end_command(f, i)
                self.stack.pop()
                return i + 1
            self._start_word(f, i)
            self._push(Frame("list", closer="`"))
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

    def _open_paren(self, f: Frame, i: int) -> int:
        text = self.text
        if f.word_start >= 0 and f.mode != "test":
            before = text[i - 1] if i > 0 else ""
            if before == "=" or before in _GLOB_CHARS:
                self._push(Frame("list", closer=")", mode="array"))  # a=( … ), @( … )
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
            self._push(Frame("arith"))
            return i + 2
        if f.mode == "cmd" and not f.words and text.startswith("((", i):
            f.words = [Word(i, i + 2, "((", True)]
            self._push(Frame("arith"))
            return i + 2
        if f.mode == "cmd" and not f.words:
            f.words = [Word(i, i + 1, "(", True)]
        self._push(Frame("list", closer=")"))
        return i + 1

    def _skip_blanks(self, i: int) -> int:
        m = _BLANK.match(self.text, i)
        return m.end() if m else i

    def _operator(self, f: Frame, i: int) -> int:
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

    def _redirection(self, f: Frame, i: int) -> int:
        text = self.text
        if f.mode == "test":
            self._finish_word(f, i)
            return i + 1
        if text.startswith(("<(", ">("), i):
            self._start_word(f, i)
            self._push(Frame("list", closer=")"))
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

    def _heredoc_op(self, f: Frame, i: int) -> int:
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
            self.pending.append(Heredoc("".join(out), strip, quoted, op, stdin_evaluator(f.words)))
        return min(j, self.n)

    def _finish_word(self, f: Frame, end: int) -> None:
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

    def _first_word(self, f: Frame, word: Word) -> None:
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

    def _end_command(self, f: Frame, i: int) -> None:
        self._finish_word(f, i)
        words = f.words
        if f.mode == "cmd" and words and words[0].text not in _NOT_COMMANDS:
            self.commands.append(SimpleCommand(tuple(words)))
        f.words = []
        f.redirect = False

    def _separator(self, f: Frame, i: int) -> None:
        """`;`, `&`, `&&`, `||`, `|`, newline: the next word starts a command."""
        if f.mode in ("test", "case_word", "case_in", "case_pat", "array"):
            return
        self._end_command(f, i)
        f.mode = "cmd"
