"""Event pattern text (LANGUAGE.md §4.7) in, `EventPattern` and OJ412/OJ413 out.

`parse_pattern` reads `scope:verb[:more][@subject]` with `*`, `**` and `{path}` placeholders
(offsets are decoded string offsets). `never_matches_builtin`/`check_pattern` find patterns
in a reserved scope that no built-in event can match (OJ413). Matching events against
patterns is the runtime's (`ojlang.runtime.core.patterns`); the checker only parses.
"""

from __future__ import annotations

import re
from typing import Any

from ojlang import rec
from ojlang.parser.mini import MiniSyntaxError, close_match, load_grammar

# Built-in events by scope (LANGUAGE.md §4.7 plus the additions of RUNTIME.md §5.1, which is
# the complete list OJ413 uses). A verb may have several segments (`item:added`).
_EVENTS = {
    "pipeline": "created started phase waiting blocked resumed retry escalated complete failed "
    "cancelled",
    "task": "started stuck nudged restarted recovered timeout checkpoint complete failed",
    "session": "started idle active dead",
    "workspace": "created ready deleted",
    "queue": "item:added item:claimed item:complete item:failed item:released "
    "item:deadlettered item:deduped item:dropped",
    "worker": "started idle woken unhealthy stopped",
    "lock": "acquired released denied stale reclaimed lost",
    "semaphore": "acquired released denied stale reclaimed full orphaned",
    "guard": "waiting passed failed timeout",
    "strategy": "started attempt:started attempt:failed rollback:complete succeeded exhausted "
    "failed",
    "cron": "enabled disabled triggered completed failed skipped",
    "action": "triggered completed failed rejected ready",
    "watcher": "triggered resolved escalated paused resumed",
    "scanner": "started found cleaned failed",
    "escalation": "created resolved",
    "daemon": "started stopping reconciled reloaded snapshot compacted repaired notify_failed",
}
BUILTIN_EVENTS: dict[str, tuple[str, ...]] = {k: tuple(v.split()) for k, v in _EVENTS.items()}

# `oj emit` refuses these first segments (§4.7): the scopes above, `daemon` included.
RESERVED_SCOPES: frozenset[str] = frozenset(BUILTIN_EVENTS)

# Every built-in event name, `scope:verb`.
BUILTIN_EVENT_NAMES: tuple[str, ...] = tuple(
    f"{scope}:{verb}" for scope, verbs in BUILTIN_EVENTS.items() for verb in verbs
)


# -- AST --------------------------------------------------------------------------------------


@rec.frozen(slots=True)
class Placeholder:
    """`{path}`: `path` is its text (`config.base`), `root` its first name; offsets hold braces."""

    path: str
    root: str
    start: int
    end: int


@rec.frozen(slots=True)
class Segment:
    """One `:`-separated segment: kind `*`, `**` or `word`; a word's parts are text/placeholders."""

    kind: str
    parts: tuple[str | Placeholder, ...]
    start: int
    end: int

    @property
    def placeholders(self) -> tuple[Placeholder, ...]:
        return tuple(p for p in self.parts if isinstance(p, Placeholder))


@rec.frozen(slots=True)
class Subject:
    """The glob after `@`: text parts (`*` = any run of characters) and placeholders."""

    parts: tuple[str | Placeholder, ...]
    start: int
    end: int


@rec.frozen(slots=True)
class EventPattern:
    text: str
    segments: tuple[Segment, ...]
    subject: Subject | None
    start: int
    end: int

    @property
    def placeholders(self) -> tuple[Placeholder, ...]:
        found = [p for s in self.segments for p in s.placeholders]
        if self.subject is not None:
            found += [p for p in self.subject.parts if isinstance(p, Placeholder)]
        return tuple(found)


# -- parsing ----------------------------------------------------------------------------------


def _error(text: str, reason: str, start: int, end: int, **kw: Any) -> MiniSyntaxError:
    return MiniSyntaxError(
        "OJ412", f"invalid event pattern `{text}`: {reason}", start, end, label=reason, **kw
    )


def parse_pattern(text: str) -> EventPattern:
    """Parse a §4.7 pattern; raise `MiniSyntaxError` (OJ412) at the smallest useful range."""
    if not text:
        raise _error(text, "the pattern is empty", 0, 0, help="e.g. `pipeline:failed`")
    if _COMMON.fullmatch(text):
        return _common(text)
    return _grammar(text)


def _grammar(text: str) -> EventPattern:
    from ojlang.parser.lalr import UnexpectedInput

    try:
        tree = load_grammar("pattern").parse(text)
    except UnexpectedInput as exc:
        raise _syntax_error(text, exc) from None
    segments: list[Segment] = []
    subject: Subject | None = None
    child: Any
    for child in tree.children:
        if not hasattr(child, "data"):
            continue  # `:` and `@`
        if child.data == "subject":
            parts = _parts(child)
            subject = Subject(parts, _start(child), _end(child))
        elif child.data == "word":
            segments.append(Segment("word", _parts(child), _start(child), _end(child)))
        else:
            kind = "*" if child.data == "one" else "**"
            segments.append(Segment(kind, (), _start(child), _end(child)))
    _rest_last(text, segments)
    return EventPattern(text, tuple(segments), subject, 0, len(text))


# Words, `*` and `**` between colons, no placeholder nor subject (`pipeline:*`): the segments
# the grammar would find, without running it.
_COMMON = re.compile(r"(?:[A-Za-z0-9_.-]+|\*\*?)(?::(?:[A-Za-z0-9_.-]+|\*\*?))*")


def _common(text: str) -> EventPattern:
    segments: list[Segment] = []
    start = 0
    for word in text.split(":"):
        end = start + len(word)
        if word == "*" or word == "**":
            segments.append(Segment(word, (), start, end))
        else:
            segments.append(Segment("word", (word,), start, end))
        start = end + 1
    _rest_last(text, segments)
    return EventPattern(text, tuple(segments), None, 0, len(text))


def _rest_last(text: str, segments: list[Segment]) -> None:
    for seg in segments[:-1]:
        if seg.kind == "**":
            raise _error(
                text,
                "`**` must be the last segment",
                seg.start,
                seg.end,
                help="`**` matches the rest of a name; use `*` for one segment",
            )


def _start(node: Any) -> int:
    value: int = node.meta.start_pos
    return value


def _end(node: Any) -> int:
    value: int = node.meta.end_pos
    return value


def _parts(node: Any) -> tuple[str | Placeholder, ...]:
    parts: list[str | Placeholder] = []
    for child in node.children:
        if hasattr(child, "data"):
            path = child.children[1]
            text = "".join(str(t) for t in path.children)
            root = str(path.children[0])
            parts.append(Placeholder(text, root, _start(child), _end(child)))
        else:
            parts.append(str(child))
    return tuple(parts)


_SEGMENT_START = {"WORD", "STAR", "DSTAR", "LBRACE"}


def _syntax_error(text: str, exc: Exception) -> MiniSyntaxError:
    from ojlang.parser.lalr import UnexpectedCharacters, UnexpectedToken

    start: int
    end: int
    if isinstance(exc, UnexpectedToken):
        token = exc.token
        at_end = token.type == "$END"
        start = len(text) if at_end else _int(token.start_pos)
        end = len(text) if at_end else _int(token.end_pos)
        kind = token.type
        expected = set(exc.expected)
    else:
        assert isinstance(exc, UnexpectedCharacters)
        start = _int(exc.pos_in_stream)
        end = start + 1
        kind = ""
        expected = set(exc.allowed or ())
    found = text[start:end]
    before = text[start - 1] if start > 0 else ""
    brace = text.rfind("{", 0, start)
    in_braces = brace >= 0 and "}" not in text[brace:start]

    if in_braces:
        if found == "|":
            return _error(text, "a placeholder in a pattern takes no filters", start, end)
        if start == len(text):
            return _error(text, "unclosed `{`", brace, start, help="close it with `}`")
        if before == "{":
            return _error(text, "expected a path inside `{}`", brace, end)
        return _error(text, f"unexpected `{found}` in a placeholder", start, end)
    if kind in ("STAR", "DSTAR") or (before == "*" and expected != _SEGMENT_START):
        star = start if kind in ("STAR", "DSTAR") else text.rfind(":", 0, start) + 1
        stop = end if kind in ("STAR", "DSTAR") else start
        wild = text[star:stop]
        return _error(
            text,
            f"`{wild}` must be a whole segment",
            star,
            stop,
            help=f"`{wild}` matches whole segments; a segment cannot mix it with other text",
        )
    if expected >= _SEGMENT_START - {"LBRACE"}:
        # A segment was due: the pattern is empty there.
        if before == ":" and (found in (":", "@") or start == len(text)):
            return _error(text, "empty segment", start - 1, end, help="remove the extra `:`")
        if start == 0:
            return _error(text, "empty segment", 0, end, help="a pattern starts with a scope")
    if "GLOB" in expected and before == "@" and start == len(text):
        return _error(text, "expected a subject after `@`", start - 1, start)
    if found == ":" and "@" in text[:start]:
        return _error(
            text,
            "`:` is not allowed in the subject",
            start,
            end,
            help="the subject after `@` is a name glob such as `auth*`",
        )
    if found.isspace():
        return _error(text, "patterns have no spaces", start, end)
    return _error(text, f"unexpected `{found}`", start, end)


def _int(value: int | None) -> int:
    assert value is not None
    return value


# -- OJ413 ------------------------------------------------------------------------------------


def _segment_regex(seg: Segment) -> re.Pattern[str] | None:
    """A word segment as a regex (placeholders match any text without `:`); None for `*`."""
    if seg.kind != "word":
        return None
    body = "".join(re.escape(p) if isinstance(p, str) else "[^:@]*" for p in seg.parts)
    return re.compile(body)


def _static_match(segments: tuple[Segment, ...], name: str) -> bool:
    parts = name.split(":")
    rest = bool(segments) and segments[-1].kind == "**"
    fixed = segments[:-1] if rest else segments
    if len(parts) < len(fixed) or (not rest and len(parts) != len(fixed)):
        return False
    for seg, part in zip(fixed, parts, strict=False):
        if seg.kind != "word":
            continue
        if not seg.placeholders:
            if part != "".join(seg.parts):  # type: ignore[arg-type]
                return False
            continue
        regex = _segment_regex(seg)
        if regex is not None and not regex.fullmatch(part):
            return False
    return True


def never_matches_builtin(pattern: EventPattern) -> bool:
    """True when the first segment is a reserved scope but no built-in event can match."""
    first = pattern.segments[0] if pattern.segments else None
    if first is None or first.kind != "word" or first.placeholders:
        return False
    scope = "".join(str(p) for p in first.parts)
    if scope not in RESERVED_SCOPES:
        return False
    names = [f"{scope}:{verb}" for verb in BUILTIN_EVENTS[scope]]
    return not any(_static_match(pattern.segments, name) for name in names)


def check_pattern(pattern: EventPattern) -> list[MiniSyntaxError]:
    """OJ413 when `never_matches_builtin`, with a help naming a close built-in event."""
    if not never_matches_builtin(pattern):
        return []
    end = pattern.segments[-1].end
    name_text = pattern.text[pattern.segments[0].start : end]
    return [
        MiniSyntaxError(
            "OJ413",
            f"pattern `{pattern.text}` matches no built-in event",
            pattern.segments[0].start,
            end,
            label="no built-in event has this name",
            help=_never_help(pattern, name_text),
        )
    ]


def _never_help(pattern: EventPattern, name_text: str) -> str:
    scope = name_text.split(":", 1)[0]
    for keep in range(len(pattern.segments) - 1, 1, -1):
        shorter = pattern.segments[:keep]
        if any(_static_match(shorter, name) for name in BUILTIN_EVENT_NAMES):
            return f"use `{pattern.text[shorter[0].start : shorter[-1].end]}`"
    verb = name_text.split(":", 1)[1] if ":" in name_text else ""
    best = close_match(verb, BUILTIN_EVENTS[scope])
    if best is not None:
        return f"an event with a similar name exists: `{scope}:{best}`"
    verbs = ", ".join(f"`{v}`" for v in BUILTIN_EVENTS[scope])
    return f"`{scope}` events are {verbs}"
