"""The immutable runtime graph: validated runbooks in (via the compiler), plain frozen data out.

Every field of LANGUAGE.md §3 has a home here, with the defaults of §3 applied. Conventions:
durations are `int` microseconds (`*_us`); references are resolved *keys*: per-runbook
primitives (pipeline, task, guard, strategy, worker, cron, watcher, scanner, action) are keyed
`"RUNBOOK.NAME"`, shared ones (command, queue, lock, semaphore) by bare name (§L1.3); phases by
name inside their pipeline. Chains are tuples of `ChainWord`; templates are compiled
`Template(pieces)`; event patterns keep their text (`Pattern`, placeholders rendered at
subscription time); expressions are `Expression(source, node)` with `node` an `expr.py` node.
The classes are JSON friendly (tuples, str-keyed dicts); `Graph.content_hash()` is blake2b of
the canonical JSON of the unstructured graph (see `codec.py`).
"""

from __future__ import annotations

import functools
from typing import Any

import attrs

from ojlang.runtime.core import expr
from ojlang.runtime.core.data import later

S = 1_000_000
MIN = 60 * S
DEFAULT_NUDGE = (
    "Are you still working? Run `oj done` when finished, "
    "or `oj done --error '<reason>'` if you are stuck."
)
DEFAULT_NOTIFY_ON = (
    "pipeline:complete",
    "pipeline:failed",
    "task:stuck",
    "queue:item:deadlettered",
    "escalation:created",
)


# -- mini-language values ---------------------------------------------------------------------


@attrs.frozen
class Filter:
    name: str
    args: tuple[Any, ...] = ()


@attrs.frozen
class Piece:
    """Literal `text` when `path` is empty, else an interpolation `{path | filters}`.

    `context` is the value of `render.ShellContext` at the site in a shell template and `""`
    in a text template (no escaping); `| raw` renders verbatim either way."""

    text: str = ""
    path: tuple[str | int, ...] = ()
    filters: tuple[Filter, ...] = ()
    context: str = ""
    delimiter: str | None = None  # the heredoc delimiter word, for heredoc contexts
    strip_tabs: bool = later(False)  # the heredoc is `<<-`: bash strips its lines' leading tabs
    backticks: int = 0  # enclosing backtick substitutions: bash unescapes once per level


@attrs.frozen
class Template:
    pieces: tuple[Piece, ...] = ()

    @classmethod
    def literal(cls, text: str) -> Template:
        return cls((Piece(text=text),))


@attrs.frozen
class Pattern:
    """An event pattern (§L4.7) as written; `{path}` placeholders render at subscription."""

    text: str


@attrs.frozen
class Expression:
    """A compiled expression (§L4.8): its source and the `expr.py` node tree."""

    source: str
    node: expr.Node | None = None


@attrs.frozen
class ChainWord:
    """One chain word (§L4.5): `nudge:3` → (`nudge`, 3); `wait:30s` → (`wait`, 1, 30 s)."""

    word: str
    count: int = 1
    duration_us: int | None = None


def chain(*words: str) -> tuple[ChainWord, ...]:
    """Parse already-validated chain words (`"restart:2"`, `"wait:30s"`); used for defaults."""
    out = []
    for w in words:
        name, _, arg = w.partition(":")
        if arg.isdigit():
            out.append(ChainWord(name, int(arg)))
        elif arg:
            out.append(ChainWord(name, 1, parse_simple_duration(arg)))
        else:
            out.append(ChainWord(name))
    return tuple(out)


_UNITS = {"ms": 1000, "s": S, "m": MIN, "h": 60 * MIN, "d": 24 * 60 * MIN, "w": 7 * 24 * 60 * MIN}


def parse_simple_duration(text: str) -> int:
    """`30s`, `1h30m`, `500ms` → µs; the compiler handles the full grammar of §L4.3."""
    total, num, i = 0, "", 0
    while i < len(text):
        ch = text[i]
        if ch.isdigit():
            num += ch
            i += 1
            continue
        unit = "ms" if text.startswith("ms", i) else ch
        total += int(num) * _UNITS[unit]
        num, i = "", i + len(unit)
    return total


# -- edges ------------------------------------------------------------------------------------


@attrs.frozen
class Edge:
    """A resolved edge target: a phase of the pipeline, or a terminal (`done`/`failed`)."""

    phase: str = ""
    terminal: str = ""


@attrs.frozen
class OnFail:
    """§L4.6: kind `escalate`, `fail`, `retry` (count, delay), `strategy` (key), `goto` (edge)."""

    kind: str = "escalate"
    count: int = 3
    delay_us: int = 60 * S
    strategy: str = ""
    target: Edge = Edge()


# -- primitives -------------------------------------------------------------------------------


@attrs.frozen
class Command:
    name: str
    runbook: str
    args: str = ""
    aliases: dict[str, str] = attrs.Factory(dict)
    defaults: dict[str, Any] = attrs.Factory(dict)
    run: Template | None = None


@attrs.frozen
class Worker:
    name: str
    runbook: str
    queue: str
    handler: str  # pipeline key, or task key when `handler_kind == "task"`
    handler_kind: str = "pipeline"
    concurrency: int = 1
    item_as: str | None = None
    idle_action: ChainWord = ChainWord("wait")
    wake_on: tuple[Pattern, ...] = ()
    on_unhealthy: str = "restart"
    enabled: bool = True


@attrs.frozen
class Cron:
    name: str
    runbook: str
    interval_us: int
    enabled: bool = False
    run: Template | None = None
    watchers: tuple[str, ...] = ()
    scanners: tuple[str, ...] = ()


@attrs.frozen
class OrderKey:
    path: tuple[str | int, ...]
    desc: bool = False


DEFAULT_ORDER = (OrderKey(("priority",), True), OrderKey(("created_at",)))


@attrs.frozen
class DeadLetters:
    retention_us: int | None = None
    on_add: Template | None = None


@attrs.frozen
class Queue:
    name: str
    runbook: str
    source: Template | None = None
    filter: Expression | None = None
    order: tuple[OrderKey, ...] = DEFAULT_ORDER
    fields: dict[str, str] | None = None
    visibility_timeout_us: int = 5 * MIN
    max_retries: int = 2
    on_exhaust: ChainWord = ChainWord("dead")
    dead: DeadLetters = DeadLetters()


@attrs.frozen
class DefaultValue:
    """A pipeline default: a text template (string values) or a literal TOML value."""

    template: Template | None = None
    literal: Any = None


@attrs.frozen
class PipelineNotify:
    muted: bool = False
    on_start: Template | None = None
    on_done: Template | None = None
    on_fail: Template | None = None
    on_escalate: Template | None = None


@attrs.frozen
class Phase:
    name: str
    action: str = "none"  # `run`, `task`, `strategy` or `none` (§L6.2 reserved phases)
    run: Template | None = None
    task: str | None = None
    strategy: str | None = None
    pre: tuple[str, ...] = ()
    post: tuple[str, ...] = ()
    lock: str | None = None
    semaphore: str | None = None
    next: Edge = Edge(terminal="done")
    on_fail: OnFail = OnFail()
    timeout_us: int | None = None
    cwd: Template | None = None
    max_visits: int | None = None


@attrs.frozen
class Pipeline:
    name: str
    runbook: str
    phases: tuple[Phase, ...]
    inputs: tuple[str, ...] = ()
    defaults: dict[str, DefaultValue] = attrs.Factory(dict)
    defaults_order: tuple[str, ...] = ()  # dependency order (§L5.4)
    outputs: tuple[str, ...] = ()
    worktree: bool = False
    concurrency: int | None = None
    group: Template | None = None
    group_policy: str = "queue"
    notify: PipelineNotify | None = None

    @functools.cached_property
    def by_name(self) -> dict[str, Phase]:
        """Phases by name (computed once per pipeline object)."""
        return {p.name: p for p in self.phases}

    def phase(self, name: str) -> Phase:
        return self.by_name[name]

    def has_phase(self, name: str) -> bool:
        return name in self.by_name


@attrs.frozen
class TaskVar:
    name: str
    source: Template
    format: str = "auto"


@attrs.frozen
class Task:
    name: str
    runbook: str
    command: Template = Template.literal("claude")
    prompt: str | None = None  # Jinja source; includes resolved by the compiler
    env: dict[str, Template] = attrs.Factory(dict)
    vars: tuple[TaskVar, ...] = ()
    cwd: Template | None = None  # None = `{workspace}`
    heartbeat: str = "auto"
    timeout_us: int = 30 * MIN
    idle_timeout_us: int = 2 * MIN
    on_stuck: tuple[ChainWord, ...] = chain("nudge:3", "restart:2", "escalate")
    on_timeout: tuple[ChainWord, ...] = chain("escalate")
    checkpoint: Template | None = None
    checkpoint_interval_us: int | None = None
    nudge_message: Template = Template.literal(DEFAULT_NUDGE)
    prime: tuple[Template, ...] = ()
    context_template: str | None = None  # Jinja source
    context_file: str = "CLAUDE.md"


@attrs.frozen
class Cond:
    """Guard condition tree (§L3.7, §R3.7): `shell` (script), `pred` (a typed predicate or a
    built-in condition table: `name` + rendered `args`), `all`/`any`/`not` (`items`), and `ref`
    (another guard's condition, by key)."""

    kind: str
    script: Template | None = None
    name: str = ""
    args: tuple[Template, ...] = ()
    items: tuple[Cond, ...] = ()
    ref: str = ""


@attrs.frozen
class Guard:
    name: str
    runbook: str
    condition: Cond
    wake_on: tuple[Pattern, ...] = ()
    timeout_us: int | None = None
    on_timeout: str = "escalate"  # escalate | fail | wait | shell
    on_timeout_shell: Template | None = None
    retry_max: int | None = None
    retry_interval_us: int = 30 * S


@attrs.frozen
class Attempt:
    name: str
    run: Template | None = None
    task: str | None = None
    timeout_us: int | None = None  # None = the phase timeout
    rollback: Template | None = None


@attrs.frozen
class Strategy:
    name: str
    runbook: str
    attempts: tuple[Attempt, ...]
    checkpoint: Template | None = None
    on_exhaust: str = "fail"  # fail | escalate | goto
    on_exhaust_target: Edge = Edge()


@attrs.frozen
class Lock:
    name: str
    timeout_us: int | None = None
    heartbeat_us: int | None = None
    on_stale: tuple[ChainWord, ...] = chain("escalate")


@attrs.frozen
class Semaphore:
    name: str
    max: int = 1
    slot_timeout_us: int | None = None
    slot_heartbeat_us: int | None = None
    on_orphan: str = "reclaim"
    on_orphan_work: str = "requeue"


@attrs.frozen
class Source:
    """Watcher/scanner source: `type` per §L3.11/§L3.12, `pattern`/`name`, or `command`."""

    type: str
    pattern: str = "*"
    name: str = ""
    command: Template | None = None


@attrs.frozen
class Condition:
    """Watcher/scanner condition: `type`, its keys, or a `shell` condition."""

    type: str
    threshold_us: int = 0
    count: int = 0
    pattern: str = ""
    shell: Template | None = None


@attrs.frozen
class Response:
    action: str  # action key, or a verb when `verb`
    verb: bool = False
    delay_us: int = 0
    requires_previous_failure: bool = False
    count: int = 1
    args: dict[str, Any] = attrs.Factory(dict)  # values: Template or literal


@attrs.frozen
class Watcher:
    name: str
    runbook: str
    check_interval_us: int
    source: Source = Source("session")
    condition: Condition = Condition("idle", threshold_us=5 * MIN)
    wake_on: tuple[Pattern, ...] = ()
    response: tuple[Response, ...] = ()
    enabled: bool = True


@attrs.frozen
class Cleanup:
    type: str = "release"
    destination: str = ".oj/archive"
    shell: Template | None = None


@attrs.frozen
class Scanner:
    name: str
    runbook: str
    interval_us: int
    source: Source = Source("locks")
    condition: Condition = Condition("stale", threshold_us=60 * MIN)
    cleanup: Cleanup = Cleanup()
    enabled: bool = True
    dry_run: bool = False


@attrs.frozen
class Rule:
    then: str
    then_verb: bool = False
    if_: Expression | None = None  # None = always matches (`else`)
    delay_us: int = 0


@attrs.frozen
class Action:
    name: str
    runbook: str
    cooldown_us: int
    mode: str = "none"  # none | shell | builtin | task | rules
    command: Template | None = None
    builtin: str = ""  # notify | escalate | send_to_session | restart_session | enable_cron | …
    task: str | None = None
    rules: tuple[Rule, ...] = ()
    args: dict[str, Any] = attrs.Factory(dict)  # values: Template or literal
    output: str | None = None


@attrs.frozen
class Hook:
    pattern: Pattern
    run: Template
    runbook: str


@attrs.frozen
class NotifyRule:
    on: Pattern
    title: Template | None = None
    message: Template | None = None
    urgency: str = ""  # "" = default (critical for escalation:created, else normal)
    channels: tuple[str, ...] = ("desktop", "webhook")


@attrs.frozen
class Notify:
    desktop: bool = True
    webhook: Template | None = None
    on: tuple[Pattern, ...] = tuple(Pattern(p) for p in DEFAULT_NOTIFY_ON)
    ignore: tuple[Pattern, ...] = ()
    rules: tuple[NotifyRule, ...] = ()


@attrs.frozen
class Function:
    name: str
    run: Template
    params: tuple[str, ...] = ()
    returns: str = "bool"
    string_form: bool = True


@attrs.frozen
class Runbook:
    name: str
    config: dict[str, Any] = attrs.Factory(dict)
    functions: dict[str, Function] = attrs.Factory(dict)
    notify: Notify = Notify()
    hooks: tuple[Hook, ...] = ()
    library: bool = False  # from the user or standard library: its loops start disabled


@attrs.frozen
class Settings:
    """Project settings the core needs (§R7.6) plus the engine-captured environment."""

    project_root: str = "/project"
    env: dict[str, str] = attrs.Factory(dict)
    max_sessions: int = 8
    idle_grace_us: int = 60 * S
    hook_silence_us: int = 60 * S
    echo_window_us: int = 5 * S
    linger_us: int = 2 * S
    max_phase_visits: int = 100
    keep_worktrees: bool = False
    stop_gate: bool = True
    auto_trust: bool = False
    startup_timeout_us: int = 90 * S
    context_template: str | None = later()  # Jinja source of tasks without one (§R9.2)


@attrs.frozen
class Graph:
    runbooks: dict[str, Runbook] = attrs.Factory(dict)
    commands: dict[str, Command] = attrs.Factory(dict)
    workers: dict[str, Worker] = attrs.Factory(dict)
    crons: dict[str, Cron] = attrs.Factory(dict)
    queues: dict[str, Queue] = attrs.Factory(dict)
    pipelines: dict[str, Pipeline] = attrs.Factory(dict)
    tasks: dict[str, Task] = attrs.Factory(dict)
    guards: dict[str, Guard] = attrs.Factory(dict)
    strategies: dict[str, Strategy] = attrs.Factory(dict)
    locks: dict[str, Lock] = attrs.Factory(dict)
    semaphores: dict[str, Semaphore] = attrs.Factory(dict)
    watchers: dict[str, Watcher] = attrs.Factory(dict)
    scanners: dict[str, Scanner] = attrs.Factory(dict)
    actions: dict[str, Action] = attrs.Factory(dict)
    settings: Settings = Settings()

    def content_hash(self) -> str:
        from ojlang.runtime.core.codec import graph_hash

        return graph_hash(self)
