"""Words of simple commands in, who runs them out: the program name, and inner shells (§4.1.4).

The shell lexer (`shell_context`) collects the words of each simple command; the functions
here read them the way bash would run them. `program_index` skips wrappers that run their
arguments as a command (`sudo -u u`, `env A=1`, `timeout 5`, `exec`, `nohup`, …) to find the
program name (OJ704). `evaluator` tells whether a word is parsed as shell a second time: any
argument of `eval`, the script after `bash -c`/`sh -c` (not the positional arguments after
it), the remote command of `ssh HOST …` (OJ703). `stdin_evaluator` does the same for a heredoc
fed to `bash` or `ssh HOST`. Values are compared after quote removal; a word holding an
interpolation is never a wrapper or an option.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import NamedTuple


class Word(NamedTuple):
    """A word of a simple command as written (quotes kept); `literal` when no interpolation."""

    start: int
    end: int
    text: str
    literal: bool

    @property
    def value(self) -> str:
        """The text with quotes and backslashes removed (good enough to compare names)."""
        return _UNQUOTE.sub(lambda m: m.group(1) or "", self.text)


class SimpleCommand(NamedTuple):
    """The words of one simple command, assignments and redirection targets left out."""

    words: tuple[Word, ...]

    @property
    def program(self) -> int | None:
        """Index of the word naming the program (after `sudo`, `env X=1`, `exec`, …)."""
        index = program_index(self.words)
        return index if index is not None and index < len(self.words) else None


SHELLS = frozenset({"sh", "bash", "dash", "zsh", "ksh", "ash", "mksh"})
# Programs that run their argument as a command; value = options that take an argument.
WRAPPERS: dict[str, frozenset[str]] = {
    "exec": frozenset({"-a"}),
    "command": frozenset(),
    "builtin": frozenset(),
    "nohup": frozenset(),
    "time": frozenset(),
    "env": frozenset({"-u", "-C", "-S", "--unset", "--chdir"}),
    "sudo": frozenset({"-u", "-g", "-C", "-D", "-h", "-p", "-r", "-t", "-U", "-T"}),
    "doas": frozenset({"-u", "-C"}),
    "nice": frozenset({"-n"}),
    "timeout": frozenset({"-s", "-k", "--signal", "--kill-after"}),
    "xargs": frozenset({"-I", "-d", "-E", "-L", "-n", "-P", "-s", "-a"}),
    "setsid": frozenset(),
    "stdbuf": frozenset({"-i", "-o", "-e"}),
    "ionice": frozenset({"-c", "-n", "-p"}),
}
SSH_ARG_OPTIONS = frozenset(
    f"-{c}" for c in "BbcDEeFIiJLlmOopQRSWw"
)  # ssh options that take an argument
ASSIGNMENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\[[^\]]*\])?\+?=")
_DURATION = re.compile(r"[0-9.]+[smhd]?")
_UNQUOTE = re.compile(r"\\(.)|['\"]", re.DOTALL)


def _name(word: Word) -> str | None:
    """The program name of a literal word (basename, quotes removed)."""
    if not word.literal:
        return None
    return word.value.rsplit("/", 1)[-1]


def program_index(words: Sequence[Word]) -> int | None:
    """Index where the program name is (or will be, when it equals `len(words)`).

    Wrappers (`sudo -u u`, `env A=1`, `timeout 5`, `exec`, …) and their options are skipped;
    `command -v` has no program. None when no word runs as a program.
    """
    i = 0
    n = len(words)
    while i < n:
        name = _name(words[i])
        if name is None or name not in WRAPPERS:
            return i
        takes_arg = WRAPPERS[name]
        i += 1
        while i < n and words[i].literal:
            value = words[i].value
            if name == "command" and value in ("-v", "-V"):
                return None
            if value.startswith("-") and value != "-":
                i += 2 if value in takes_arg else 1
            elif name == "env" and ASSIGNMENT.match(value):
                i += 1
            elif name == "timeout" and _DURATION.fullmatch(value):
                i += 1
                break
            else:
                break
    return i


def evaluator(words: Sequence[Word], index: int) -> str | None:
    """The program that evaluates word `index` as shell again, given the words before it."""
    p = program_index(words[:index])
    if p is None or p >= index:
        return None
    name = _name(words[p])
    if name == "eval":
        return "eval"
    if name in SHELLS:
        i, seen_c = _shell_options(words, p + 1, index)
        return f"{name} -c" if seen_c and i == index else None
    if name == "ssh":
        return "ssh" if _ssh_host(words, p + 1, index) is not None else None
    return None


def _shell_options(words: Sequence[Word], start: int, stop: int) -> tuple[int, bool]:
    """Skip the options of `bash`/`sh` from `start`: where they end, and whether `-c` was one."""
    i = start
    seen_c = False
    while i < stop:
        word = words[i]
        value = word.value
        if not word.literal or not value.startswith(("-", "+")) or value in ("-", "--"):
            break
        if value in ("-o", "+o", "-O", "+O"):
            i += 2
            continue
        if value.startswith("-") and not value.startswith("--") and "c" in value[1:]:
            seen_c = True
        i += 1
    return i, seen_c


def _ssh_host(words: Sequence[Word], start: int, stop: int) -> int | None:
    i = start
    while i < stop:
        value = words[i].value
        if words[i].literal and value.startswith("-"):
            i += 2 if value in SSH_ARG_OPTIONS else 1
            continue
        return i
    return None


def stdin_evaluator(words: Sequence[Word]) -> str | None:
    """The shell that runs a heredoc fed to this command (`bash <<EOF`, `ssh host <<EOF`)."""
    p = program_index(words)
    if p is None or p >= len(words):
        return None
    name = _name(words[p])
    if name in SHELLS:
        i, seen_c = _shell_options(words, p + 1, len(words))
        rest = words[i:]
        if seen_c or (rest and rest[0].value != "--" and "-s" not in _flags(words, p, i)):
            return None  # `bash -c SCRIPT` or `bash FILE`: the heredoc is data
        return name
    if name == "ssh":
        host = _ssh_host(words, p + 1, len(words))
        return "ssh" if host is not None and host == len(words) - 1 else None
    return None


def _flags(words: Sequence[Word], start: int, stop: int) -> set[str]:
    return {f"-{c}" for w in words[start + 1 : stop] if w.value[:1] == "-" for c in w.value[1:]}
