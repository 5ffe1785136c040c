"""Chain words (LANGUAGE.md §4.5) in, `ChainWord`s and OJ407/OJ408/OJ409/OJ411 issues out.

A chain is a TOML string or an array of strings. Each element is parsed on its own
(`parse_chain_word`), and `check_chain` takes `(text, element)` pairs, where `element` is the
array index (None for the string form); every issue carries the element it refers to, so
the caller maps its offsets through that element's own source map.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from ojlang import rec
from ojlang.parser.durations import DurationError, parse_duration, unexpected_span
from ojlang.parser.mini import MiniSyntaxError, load_grammar, suggestion

if TYPE_CHECKING:
    from ojlang.parser.spans import SourceMap
    from ojlang.validator.diagnostic import Diagnostic


@rec.frozen(slots=True)
class ChainWord:
    """`name`, `name:N` or `name:DUR`; `arg_start`/`arg_end` locate the part after `:`."""

    name: str
    count: int | None
    duration_ms: int | None
    start: int
    end: int
    arg_start: int | None = None
    arg_end: int | None = None

    @property
    def name_end(self) -> int:
        return self.start + len(self.name)


class Mode(enum.Enum):
    LADDER = "ladder"
    SEQUENCE = "sequence"
    ONE_WORD = "one word"
    ONE_WORD_OR_SHELL = "one word or shell"


@rec.frozen(slots=True)
class ChainContext:
    """A row of the §4.5 context table; `label` is how messages name the field."""

    key: str
    label: str
    mode: Mode
    words: tuple[str, ...]
    default: tuple[str, ...] | None
    actions: bool = False


# Words that end a chain: steps after them never run (OJ409).
ENDING = frozenset(("escalate", "fail", "requeue", "dead", "abandon"))
# Words shown with a count in §4.5 (`nudge[:N]`, `restart[:N]`). A count is the number of
# uses of a ladder step before the cursor moves on (§4.5 *Ladder*): in a ladder any non-ending
# word takes one (`w:N`); one-word and sequence contexts have no cursor, so a count there is
# OJ407 for every word (`restart:3` in `on_unhealthy` as `exit:2` in `idle_action`).
COUNTED = frozenset(("nudge", "restart"))
_VERBS = {"nudge": "nudges", "restart": "restarts", "retry": "retries"}

CONTEXTS: dict[str, ChainContext] = {
    c.key: c
    for c in (
        ChainContext(
            "task.on_stuck",
            "on_stuck",
            Mode.LADDER,
            ("nudge", "restart", "checkpoint", "wait", "escalate", "fail", "requeue", "abandon"),
            ("nudge:3", "restart:2", "escalate"),
        ),
        ChainContext(
            "task.on_timeout",
            "on_timeout",
            Mode.SEQUENCE,
            (
                "checkpoint",
                "checkpoint_and_escalate",
                "restart",
                "escalate",
                "fail",
                "requeue",
                "abandon",
            ),
            ("escalate",),
        ),
        ChainContext(
            "lock.on_stale",
            "on_stale",
            Mode.SEQUENCE,
            ("release", "rollback", "cleanup", "escalate", "fail"),
            ("escalate",),
        ),
        ChainContext(
            "semaphore.on_orphan",
            "on_orphan",
            Mode.ONE_WORD,
            ("reclaim", "escalate", "wait"),
            ("reclaim",),
        ),
        ChainContext(
            "semaphore.on_orphan_work",
            "on_orphan_work",
            Mode.ONE_WORD,
            ("requeue", "dead", "fail", "abandon", "escalate"),
            ("requeue",),
        ),
        ChainContext(
            "queue.on_exhaust",
            "on_exhaust",
            Mode.ONE_WORD,
            ("dead", "escalate", "wait", "abandon"),
            ("dead",),
        ),
        ChainContext(
            "worker.idle_action", "idle_action", Mode.ONE_WORD, ("wait", "exit"), ("wait",)
        ),
        ChainContext(
            "worker.on_unhealthy",
            "on_unhealthy",
            Mode.ONE_WORD,
            ("restart", "pause", "escalate"),
            ("restart",),
        ),
        ChainContext(
            "guard.on_timeout",
            "on_timeout",
            Mode.ONE_WORD_OR_SHELL,
            ("escalate", "fail", "wait"),
            ("escalate",),
        ),
        ChainContext(
            "watcher.response",
            "response",
            Mode.LADDER,
            ("nudge", "restart", "checkpoint", "escalate", "notify", "fail"),
            None,
            actions=True,
        ),
        *(
            ChainContext(
                f"rules.{branch}",
                branch,
                Mode.ONE_WORD,
                (
                    "escalate",
                    "notify",
                    "retry",
                    "requeue",
                    "dead",
                    "abandon",
                    "nudge",
                    "restart",
                    "wait",
                ),
                None,
                actions=True,
            )
            for branch in ("then", "else")
        ),
    )
}


@rec.frozen(slots=True, eq=False)
class ChainIssue:
    """A problem with element `element` of a chain (None: the chain is one string)."""

    element: int | None
    error: MiniSyntaxError

    @property
    def code(self) -> str:
        return self.error.code

    def to_diagnostic(self, source_map: SourceMap, *, offset: int = 0) -> Diagnostic:
        """The diagnostic; `source_map` must be that of element `element`."""
        return self.error.to_diagnostic(source_map, offset=offset)


# `NAME` or `NAME:ARG` as `grammars/chain.lark` lexes them.
_COMMON = re.compile(r"([A-Za-z_][A-Za-z0-9_-]*)(?::([^:\s]+))?")
_WORD_HELP = "a step is a word with an optional count or duration, e.g. `nudge:3` or `wait:30s`"


def parse_chain_word(text: str) -> ChainWord:
    """Parse one step; raise `MiniSyntaxError` (OJ407, or OJ401 for a bad duration)."""
    if not text:
        raise MiniSyntaxError("OJ407", "empty chain step", 0, 0, help=_WORD_HELP)
    common = _COMMON.fullmatch(text)
    if common is not None:  # the tokens the grammar would find, without running it
        name, arg = common[1], common[2]
        if arg is None:
            return ChainWord(name, None, None, 0, len(text))
        a, b = common.start(2), common.end(2)
    else:
        name, found = _grammar_word(text)
        if found is None:
            return ChainWord(name, None, None, 0, len(text))
        arg, a, b = found
    if arg.isdigit():
        return ChainWord(name, int(arg), None, 0, len(text), a, b)
    if not arg[0].isdigit():
        raise MiniSyntaxError(
            "OJ407",
            f"`{text}` is not a chain step: `{arg}` is neither a count nor a duration",
            a,
            b,
            help="write a count, e.g. `nudge:3`, or a duration, e.g. `wait:30s`",
        )
    try:
        duration = parse_duration(str(arg))
    except DurationError as exc:
        raise DurationError(
            exc.text, exc.reason, a + exc.start, a + exc.end, help=exc.help
        ) from None
    return ChainWord(name, None, duration.ms, 0, len(text), a, b)


def _grammar_word(text: str) -> tuple[str, tuple[str, int, int] | None]:
    """The name and the argument (with its offsets) of a step by the grammar, or OJ407."""
    from ojlang.parser.lalr import UnexpectedInput

    try:
        tree: Any = load_grammar("chain").parse(text)
    except UnexpectedInput as exc:
        start, end = unexpected_span(exc, text)
        raise MiniSyntaxError(
            "OJ407", f"`{text}` is not a chain step", start, end, help=_WORD_HELP
        ) from None
    name, *rest = tree.children
    if not rest:
        return str(name), None
    return str(name), (str(rest[0]), rest[0].start_pos, rest[0].end_pos)


def check_chain(
    words: Sequence[tuple[str, int | None]],
    context: str | ChainContext,
    action_names: Iterable[str] = (),
) -> list[ChainIssue]:
    """Check the steps `(text, element)` of a chain in `context` (a `CONTEXTS` key)."""
    ctx = CONTEXTS[context] if isinstance(context, str) else context
    allowed = list(ctx.words)
    if ctx.actions:
        allowed += [a for a in action_names if a not in ctx.words]
    issues: list[ChainIssue] = []
    single = ctx.mode in (Mode.ONE_WORD, Mode.ONE_WORD_OR_SHELL)
    if single and len(words) > 1:
        text, element = words[1]
        issues.append(
            _issue(
                element,
                "OJ407",
                f"`{ctx.label}` takes one word, found {len(words)}",
                0,
                len(text),
                help=f"keep one of {', '.join(f'`{t}`' for t, _ in words)}",
            )
        )
    steps: list[tuple[ChainWord, int | None]] = []
    for text, element in words:
        if ctx.mode is Mode.ONE_WORD_OR_SHELL:
            word = _shell_or_word(text, element, ctx, allowed, issues)
        else:
            word = _word(text, element, ctx, allowed, issues)
        if word is not None and _check_arg(word, text, element, ctx, issues):
            steps.append((word, element))
    if ctx.mode is Mode.LADDER:
        _check_unreachable(steps, issues)
    return issues


# -- details --------------------------------------------------------------------------------


def _issue(
    element: int | None,
    code: str,
    message: str,
    start: int,
    end: int,
    *,
    label: str = "",
    help: str | None = None,
    notes: tuple[str, ...] = (),
) -> ChainIssue:
    return ChainIssue(
        element, MiniSyntaxError(code, message, start, end, label=label, help=help, notes=notes)
    )


def _word(
    text: str,
    element: int | None,
    ctx: ChainContext,
    allowed: list[str],
    issues: list[ChainIssue],
) -> ChainWord | None:
    try:
        word = parse_chain_word(text)
    except MiniSyntaxError as exc:
        issues.append(ChainIssue(element, exc))
        return None
    if word.name not in allowed:
        issues.append(
            _issue(
                element,
                "OJ407",
                f"`{word.name}` is not valid in `{ctx.label}`",
                word.start,
                word.name_end,
                help=suggestion(word.name, allowed, "word"),
            )
        )
        return None
    return word


def _shell_or_word(
    text: str,
    element: int | None,
    ctx: ChainContext,
    allowed: list[str],
    issues: list[ChainIssue],
) -> ChainWord | None:
    """`guard.on_timeout`: a vocabulary word, else a shell command (OJ411 if it is one word)."""
    try:
        word = parse_chain_word(text)
    except MiniSyntaxError:
        return None
    if word.name in allowed:
        return word
    if word.count is None and word.duration_ms is None:
        issues.append(
            _issue(
                element,
                "OJ411",
                f"`{text}` will run as a shell command",
                word.start,
                word.end,
                help=suggestion(word.name, allowed, "word"),
            )
        )
    return None


def _check_arg(
    word: ChainWord,
    text: str,
    element: int | None,
    ctx: ChainContext,
    issues: list[ChainIssue],
) -> bool:
    """Does the count or duration fit the word? Reports and returns False if not."""
    assert word.arg_start is not None or (word.count is None and word.duration_ms is None)
    a, b = word.arg_start or 0, word.arg_end or 0
    if word.count is not None:
        if word.name == "wait":
            issues.append(
                ChainIssue(
                    element,
                    DurationError(
                        text[a:b], "missing unit", a, b, help=f"e.g. `wait:{word.count}s`"
                    ),
                )
            )
            return False
        if ctx.mode is not Mode.LADDER or word.name in ENDING:
            why = (
                f"`{word.name}` takes no count"
                if ctx.mode is Mode.LADDER or word.name not in COUNTED
                else f"a count applies only in a ladder (`on_stuck`, `response`), "
                f"`{ctx.label}` runs `{word.name}` each time"
            )
            issues.append(
                _issue(
                    element,
                    "OJ407",
                    f"`{text}` is not valid in `{ctx.label}`",
                    a - 1,
                    b,
                    help=f"{why}: write `{word.name}`",
                )
            )
            return False
        if not 1 <= word.count <= 99:
            if word.count == 0:
                verb = _VERBS.get(word.name, "runs")
                message = f"`{text}` never {verb}"
            else:
                message = f"count `{text[a:b]}` of `{text}` is more than 99"
            issues.append(_issue(element, "OJ408", message, a, b, help="counts go from 1 to 99"))
            return False
    if word.duration_ms is not None and word.name != "wait":
        hint = (
            f"write a count, e.g. `{word.name}:3`"
            if ctx.mode is Mode.LADDER and word.name not in ENDING
            else (f"write `{word.name}`")
        )
        issues.append(
            _issue(
                element,
                "OJ407",
                f"`{text}` is not valid in `{ctx.label}`",
                a - 1,
                b,
                help=f"only `wait` takes a duration: {hint}",
            )
        )
        return False
    return True


def _check_unreachable(steps: list[tuple[ChainWord, int | None]], issues: list[ChainIssue]) -> None:
    for i, (word, _) in enumerate(steps):
        if word.name in ENDING and i + 1 < len(steps):
            after, element = steps[i + 1]
            more = len(steps) - i - 2
            issues.append(
                _issue(
                    element,
                    "OJ409",
                    f"`{after.name}` after `{word.name}` never runs",
                    after.start,
                    after.end,
                    help=f"`{word.name}` ends the chain: remove the steps after it",
                    notes=(f"{more} more step{'s' if more > 1 else ''} after it never run",)
                    if more
                    else (),
                )
            )
            return
