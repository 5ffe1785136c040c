"""The runbook AST: typed frozen nodes for every primitive of LANGUAGE.md §3.

Built from the TOML tree by `ojlang.parser.builder`. Each field's metadata (`spec`) says its
kind (§3 tables), so checks, the compiler and the JSON schema read one description. Field
values are TOML nodes (`TString`, `TInteger`, `TBool`, …) or the value nodes of
`ojlang.parser.fields` that pair a string with its parsed mini-language AST.
"""

from __future__ import annotations

from typing import Any

from ojlang import rec
from ojlang.parser.fields import Chain, Dur, Kind, MapField, Parsed, Ref, Tmpl, spec, spec_item
from ojlang.parser.spans import Span
from ojlang.parser.tomltree import Key, TBool, TInteger, TomlDocument, TString, TTable, Value

WORKER_IDLE = "worker.idle_action"
WORKER_UNHEALTHY = "worker.on_unhealthy"


@rec.frozen(kw_only=True)
class Node:
    """A table of the runbook: its span (header, inline braces or implicit key)."""

    span: Span
    table: TTable = rec.field(eq=False, repr=False)


@rec.frozen(kw_only=True)
class Primitive(Node):
    """A named primitive: `key` is its identity (`[task.KEY]`)."""

    key: Key
    name: TString | None = spec(Kind.STRING, "display label")
    description: TString | None = spec(Kind.STRING, "description")

    @property
    def ident(self) -> str:
        return self.key.name


# -- §3.1 command -------------------------------------------------------------------------


@rec.frozen(kw_only=True)
class Command(Primitive):
    args: Parsed | None = spec(Kind.ARGS, "argument spec (§4.4)")
    aliases: MapField | None = spec(Kind.CUSTOM, "extra short flags", context="aliases")
    defaults: MapField | None = spec(Kind.CUSTOM, "values of optional arguments", context="any_map")
    run: Tmpl | None = spec(Kind.SHELL, "script run by `oj run`")


# -- §3.2 worker --------------------------------------------------------------------------


@rec.frozen(kw_only=True)
class Worker(Primitive):
    queue: Ref | None = spec(Kind.REF, "queue to take items from", required=True)
    handler: Ref | None = spec(Kind.REF, "pipeline or task run per item", required=True)
    concurrency: TInteger | None = spec(Kind.INT, "items in flight at once", minimum=1)
    item_as: TString | None = spec(Kind.VARIABLE, "variable holding the whole item")
    idle_action: Chain | None = spec(Kind.WORD, "what to do when idle", context=WORKER_IDLE)
    wake_on: tuple[Parsed, ...] = spec(
        Kind.LIST, "events that wake the worker", item=spec_item(Kind.PATTERN)
    )
    on_unhealthy: Chain | None = spec(
        Kind.WORD, "what to do when unhealthy", context=WORKER_UNHEALTHY
    )
    enabled: TBool | None = spec(Kind.BOOL, "started by the daemon")


# -- §3.3 cron ----------------------------------------------------------------------------


@rec.frozen(kw_only=True)
class Cron(Primitive):
    interval: Dur | None = spec(Kind.DURATION, "period", required=True)
    enabled: TBool | None = spec(Kind.BOOL, "start enabled")
    run: Tmpl | None = spec(Kind.SHELL, "script run on each tick")
    watchers: tuple[Ref, ...] = spec(Kind.LIST, "watchers checked", item=spec_item(Kind.REF))
    scanners: tuple[Ref, ...] = spec(Kind.LIST, "scanners run", item=spec_item(Kind.REF))


# -- §3.4 queue ---------------------------------------------------------------------------


@rec.frozen(kw_only=True)
class DeadLetters(Node):
    retention: Dur | None = spec(Kind.DURATION, "how long dead items are kept")
    on_add: Tmpl | None = spec(Kind.SHELL, "runs once per dead-lettered item")


@rec.frozen(kw_only=True)
class Queue(Primitive):
    source: Tmpl | None = spec(Kind.SHELL, "external queue: prints items as a JSON array")
    filter: Parsed | None = spec(Kind.EXPR, "items for which it is false are not claimed")
    order: Parsed | None = spec(Kind.ORDER, "claim order")
    fields: Any = spec(Kind.CUSTOM, "declared item fields", context="queue_fields")
    visibility_timeout: Dur | None = spec(Kind.DURATION, "claim expiry without renewal")
    max_retries: TInteger | None = spec(Kind.INT, "failed attempts retried", minimum=0)
    on_exhaust: Chain | None = spec(
        Kind.WORD, "when retries are used up", context="queue.on_exhaust"
    )
    dead: DeadLetters | None = spec(Kind.TABLE, "dead letters", cls=DeadLetters)


# -- §3.5 pipeline ------------------------------------------------------------------------


@rec.frozen(kw_only=True)
class Phase(Node):
    name: TString | None = spec(Kind.NAME, "phase name", required=True)
    run: Tmpl | None = spec(Kind.SHELL, "run a script")
    task: Ref | None = spec(Kind.REF, "run an agent task")
    strategy: Ref | None = spec(Kind.REF, "run a strategy")
    pre: tuple[Ref, ...] = spec(Kind.LIST, "guards before the action", item=spec_item(Kind.REF))
    post: tuple[Ref, ...] = spec(Kind.LIST, "guards after the action", item=spec_item(Kind.REF))
    lock: Ref | None = spec(Kind.REF, "lock held for the phase")
    semaphore: Ref | None = spec(Kind.REF, "semaphore slot held for the phase")
    next: TString | None = spec(Kind.STRING, "success edge")
    on_fail: Parsed | None = spec(Kind.ON_FAIL, "failure handling (§4.6)")
    timeout: Dur | None = spec(Kind.DURATION, "limit on the action")
    cwd: Tmpl | None = spec(Kind.TEXT, "working directory")
    max_visits: TInteger | None = spec(Kind.INT, "entries per run", minimum=1)

    @property
    def ident(self) -> str:
        return self.name.value if self.name is not None else ""


@rec.frozen(kw_only=True)
class PipelineNotify(Node):
    on_start: Tmpl | None = spec(Kind.TEXT, "message when the run starts")
    on_done: Tmpl | None = spec(Kind.TEXT, "message when the run ends done")
    on_fail: Tmpl | None = spec(Kind.TEXT, "message when the run fails")
    on_escalate: Tmpl | None = spec(Kind.TEXT, "message when the run escalates")


@rec.frozen(kw_only=True)
class Pipeline(Primitive):
    inputs: tuple[TString, ...] = spec(Kind.LIST, "inputs", item=spec_item(Kind.VARIABLE))
    defaults: MapField | None = spec(Kind.CUSTOM, "defaults", context="defaults")
    outputs: tuple[TString, ...] = spec(Kind.LIST, "outputs", item=spec_item(Kind.VARIABLE))
    phase: tuple[Phase, ...] = spec(Kind.TABLES, "ordered phases", cls=Phase, required=True)
    worktree: TBool | None = spec(Kind.BOOL, "create a git worktree")
    concurrency: TInteger | None = spec(Kind.INT, "active runs at once", minimum=1)
    group: Tmpl | None = spec(Kind.TEXT, "concurrency key")
    group_policy: TString | None = spec(
        Kind.ENUM, "busy group policy", choices=("queue", "replace", "skip")
    )
    notify: PipelineNotify | TBool | None = spec(
        Kind.CUSTOM, "notification messages", context="pipeline_notify"
    )


# -- §3.6 task ----------------------------------------------------------------------------

VAR_FORMATS = ("json", "lines", "csv", "kv", "raw", "auto")


@rec.frozen(kw_only=True)
class TaskVar(Node):
    name: TString | None = spec(Kind.VARIABLE, "variable name", required=True)
    source: Tmpl | None = spec(Kind.SHELL, "shell whose stdout is parsed", required=True)
    format: TString | None = spec(Kind.ENUM, "stdout format", choices=VAR_FORMATS)


@rec.frozen(kw_only=True)
class Task(Primitive):
    command: Tmpl | None = spec(Kind.SHELL, "agent program")
    prompt: TString | None = spec(Kind.JINJA, "inline prompt")
    prompt_file: TString | None = spec(Kind.STRING, "Jinja prompt file")
    env: MapField | None = spec(Kind.MAP, "extra environment", item=spec_item(Kind.TEXT))
    vars: tuple[TaskVar, ...] = spec(Kind.TABLES, "computed variables", cls=TaskVar)
    cwd: Tmpl | None = spec(Kind.TEXT, "working directory of the session")
    heartbeat: TString | None = spec(Kind.CUSTOM, "liveness source", context="heartbeat")
    timeout: Dur | None = spec(Kind.DURATION, "wall-clock limit")
    idle_timeout: Dur | None = spec(Kind.DURATION, "no heartbeat for this long = stuck")
    on_stuck: Chain | None = spec(Kind.CHAIN, "stuck ladder", context="task.on_stuck")
    on_timeout: Chain | None = spec(Kind.CHAIN, "timeout sequence", context="task.on_timeout")
    checkpoint: Tmpl | None = spec(Kind.SHELL, "records progress")
    checkpoint_interval: Dur | None = spec(Kind.DURATION, "automatic checkpoint period")
    nudge_message: Tmpl | None = spec(Kind.TEXT, "text typed by `nudge`")
    prime: tuple[Tmpl, ...] = spec(Kind.CUSTOM, "context injected at start", context="prime")
    context_template: TString | None = spec(Kind.STRING, "Jinja file rendered into cwd")
    context_file: TString | None = spec(Kind.STRING, "target of `context_template`")


# -- §3.7 guard ---------------------------------------------------------------------------

GUARD_CONDITIONS: dict[str, dict[str, Kind]] = {
    "lock_free": {"lock": Kind.TEXT},
    "semaphore_available": {"semaphore": Kind.TEXT, "slots": Kind.INT},
    "branch_exists": {"branch": Kind.TEXT},
    "branch_missing": {"branch": Kind.TEXT},
    "branch_merged": {"branch": Kind.TEXT, "into": Kind.TEXT},
    "file_exists": {"path": Kind.TEXT},
    "file_missing": {"path": Kind.TEXT},
    "session_alive": {"session": Kind.TEXT},
}
GUARD_CONDITION_REQUIRED: dict[str, tuple[str, ...]] = {
    "lock_free": ("lock",),
    "semaphore_available": ("semaphore",),
    "branch_exists": ("branch",),
    "branch_missing": ("branch",),
    "branch_merged": ("branch", "into"),
    "file_exists": ("path",),
    "file_missing": ("path",),
    "session_alive": ("session",),
}


@rec.frozen(kw_only=True)
class TypedTable(Node):
    """A built-in typed table (guard condition, watcher/scanner source, condition, cleanup)."""

    type: TString | None
    values: dict[str, Any]  # key -> Tmpl | Dur | TInteger | Parsed | TString
    keys: dict[str, Key]


@rec.frozen(kw_only=True)
class GuardRetry(Node):
    max: TInteger | None = spec(Kind.INT, "failed evaluations before timing out", minimum=1)
    interval: Dur | None = spec(Kind.DURATION, "delay between evaluations")


@rec.frozen(kw_only=True)
class Guard(Primitive):
    condition: Tmpl | TypedTable | None = spec(
        Kind.CUSTOM, "shell or built-in condition", context="guard_condition"
    )
    all: tuple[Ref, ...] = spec(Kind.LIST, "all of these guards", item=spec_item(Kind.REF))
    any: tuple[Ref, ...] = spec(Kind.LIST, "any of these guards", item=spec_item(Kind.REF))
    not_: Ref | None = spec(Kind.REF, "the negation of a guard")
    wake_on: tuple[Parsed, ...] = spec(Kind.LIST, "re-evaluate on", item=spec_item(Kind.PATTERN))
    timeout: Dur | None = spec(Kind.DURATION, "give up after")
    on_timeout: Chain | Tmpl | None = spec(
        Kind.CUSTOM, "word or shell run at timeout", context="guard_on_timeout"
    )
    retry: GuardRetry | None = spec(Kind.TABLE, "evaluation retries", cls=GuardRetry)


# -- §3.8 strategy ------------------------------------------------------------------------


@rec.frozen(kw_only=True)
class Attempt(Node):
    name: TString | None = spec(Kind.NAME, "attempt name", required=True)
    run: Tmpl | None = spec(Kind.SHELL, "script")
    task: Ref | None = spec(Kind.REF, "agent task")
    timeout: Dur | None = spec(Kind.DURATION, "limit per attempt")
    rollback: Tmpl | None = spec(Kind.SHELL, "runs after this attempt fails")

    @property
    def ident(self) -> str:
        return self.name.value if self.name is not None else ""


@rec.frozen(kw_only=True)
class Strategy(Primitive):
    checkpoint: Tmpl | None = spec(Kind.SHELL, "run before the first attempt")
    on_exhaust: TString | None = spec(Kind.STRING, "fail, escalate or a phase name")
    attempt: tuple[Attempt, ...] = spec(Kind.TABLES, "fallbacks", cls=Attempt, required=True)


# -- §3.9 lock, §3.10 semaphore -------------------------------------------------------------


@rec.frozen(kw_only=True)
class Lock(Primitive):
    timeout: Dur | None = spec(Kind.DURATION, "longest hold")
    heartbeat: Dur | None = spec(Kind.DURATION, "holder refresh period")
    on_stale: Chain | None = spec(Kind.CHAIN, "stale sequence", context="lock.on_stale")


@rec.frozen(kw_only=True)
class Semaphore(Primitive):
    max: TInteger | None = spec(Kind.INT, "slots", minimum=1)
    slot_timeout: Dur | None = spec(Kind.DURATION, "longest hold of one slot")
    slot_heartbeat: Dur | None = spec(Kind.DURATION, "slot heartbeat interval")
    on_orphan: Chain | None = spec(Kind.WORD, "orphaned slot", context="semaphore.on_orphan")
    on_orphan_work: Chain | None = spec(
        Kind.WORD, "orphaned holder's run", context="semaphore.on_orphan_work"
    )


# -- §3.11 watcher, §3.12 scanner ----------------------------------------------------------


@rec.frozen(kw_only=True)
class Response(Node):
    action: Ref | None = spec(Kind.REF, "action or verb", required=True)
    delay: Dur | None = spec(Kind.DURATION, "delay before firing", zero_ok=True)
    requires_previous_failure: TBool | None = spec(Kind.BOOL, "fire only after a failure")
    args: MapField | None = spec(Kind.MAP, "action arguments", item=spec_item(Kind.ANY))


@rec.frozen(kw_only=True)
class Watcher(Primitive):
    source: Tmpl | TypedTable | None = spec(Kind.CUSTOM, "record source", context="watcher_source")
    condition: Tmpl | TypedTable | None = spec(
        Kind.CUSTOM, "condition per record", context="watcher_condition"
    )
    check_interval: Dur | None = spec(Kind.DURATION, "period of checks", required=True)
    wake_on: tuple[Parsed, ...] = spec(Kind.LIST, "extra checks on", item=spec_item(Kind.PATTERN))
    response: Chain | tuple[Response, ...] | None = spec(
        Kind.CUSTOM, "escalation ladder", context="watcher_response"
    )
    enabled: TBool | None = spec(Kind.BOOL, "checks on its own timer")


@rec.frozen(kw_only=True)
class Scanner(Primitive):
    source: Tmpl | TypedTable | None = spec(Kind.CUSTOM, "resources", context="scanner_source")
    condition: Tmpl | TypedTable | None = spec(
        Kind.CUSTOM, "which resources", context="scanner_condition"
    )
    cleanup: Tmpl | TypedTable | None = spec(
        Kind.CUSTOM, "what to do with each", context="scanner_cleanup"
    )
    interval: Dur | None = spec(Kind.DURATION, "scan period", required=True)
    enabled: TBool | None = spec(Kind.BOOL, "scans on its own timer")
    dry_run: TBool | None = spec(Kind.BOOL, "report without cleaning")


# -- §3.13 action -------------------------------------------------------------------------


@rec.frozen(kw_only=True)
class Rule(Node):
    if_: Parsed | None = spec(Kind.EXPR, "condition")
    then: Ref | None = spec(Kind.REF, "action name or verb")
    delay: Dur | None = spec(Kind.DURATION, "delay", zero_ok=True)
    else_: TBool | TString | None = spec(Kind.CUSTOM, "always matches", context="rule_else")


@rec.frozen(kw_only=True)
class Action(Primitive):
    cooldown: Dur | None = spec(Kind.DURATION, "minimum gap between executions", required=True)
    command: Tmpl | None = spec(Kind.SHELL, "shell or built-in operation")
    run: Tmpl | None = spec(Kind.SHELL, "same as `command`")
    task: Ref | None = spec(Kind.REF, "start a task")
    rules: tuple[Rule, ...] = spec(Kind.TABLES, "decision rules", cls=Rule)
    args: MapField | None = spec(Kind.MAP, "parameters", item=spec_item(Kind.ANY))
    output: TString | None = spec(Kind.VARIABLE, "name of the stored stdout")


# -- §3.14 events, §3.15 notify, §3.16 config/functions/meta --------------------------------


@rec.frozen(kw_only=True)
class Hook:
    key: Key
    event: str  # the event pattern text the key stands for
    pattern: Any  # parsed pattern or None
    run: Tmpl | None


@rec.frozen(kw_only=True)
class NotifyRule(Node):
    on: Parsed | None = spec(Kind.PATTERN, "events this rule applies to", required=True)
    title: Tmpl | None = spec(Kind.TEXT, "title template")
    message: Tmpl | None = spec(Kind.TEXT, "message template")
    urgency: TString | None = spec(
        Kind.ENUM, "urgency", choices=("low", "normal", "critical", "info", "warning")
    )
    channels: tuple[TString, ...] = spec(
        Kind.LIST, "channels", item=spec_item(Kind.ENUM, choices=("desktop", "webhook"))
    )


@rec.frozen(kw_only=True)
class Notify(Node):
    desktop: TBool | None = spec(Kind.BOOL, "desktop notifications")
    webhook: Tmpl | None = spec(Kind.TEXT, "webhook URL")
    on: tuple[Parsed, ...] = spec(Kind.LIST, "events that notify", item=spec_item(Kind.PATTERN))
    ignore: tuple[Parsed, ...] = spec(
        Kind.LIST, "events never notified", item=spec_item(Kind.PATTERN)
    )
    rule: tuple[NotifyRule, ...] = spec(Kind.TABLES, "per-event overrides", cls=NotifyRule)


FUNCTION_RETURNS = ("bool", "string", "int", "float", "json")


@rec.frozen(kw_only=True)
class Function:
    key: Key
    span: Span
    params: tuple[TString, ...] | None  # None for the string form (any arity)
    run: Tmpl | None
    returns: TString | None


@rec.frozen(kw_only=True)
class Meta(Node):
    name: TString | None = spec(Kind.STRING, "display name")
    description: TString | None = spec(Kind.STRING, "description")
    version: TString | None = spec(Kind.STRING, "version")


# The thirteen named primitive kinds, in the order of LANGUAGE.md §1.2.
PRIMITIVES: dict[str, type[Primitive]] = {
    "command": Command,
    "worker": Worker,
    "cron": Cron,
    "queue": Queue,
    "pipeline": Pipeline,
    "task": Task,
    "guard": Guard,
    "strategy": Strategy,
    "lock": Lock,
    "semaphore": Semaphore,
    "watcher": Watcher,
    "scanner": Scanner,
    "action": Action,
}
TOP_LEVEL = (*PRIMITIVES, "events", "notify", "config", "functions", "meta")

# TOML keys that differ from the attribute name (Python keywords).
KEY_ALIASES = {"not_": "not", "if_": "if", "else_": "else"}


def toml_key(attribute: str) -> str:
    return KEY_ALIASES.get(attribute, attribute)


@rec.frozen(kw_only=True)
class Runbook:
    """One runbook file: its name (the file stem), its TOML document and its definitions."""

    name: str
    path: str
    document: TomlDocument = rec.field(eq=False, repr=False)
    definitions: dict[str, dict[str, Primitive]]  # kind -> name -> primitive
    events: tuple[Hook, ...] = ()
    notify: Notify | None = None
    config: TTable | None = None
    functions: dict[str, Function] = rec.field(factory=dict)
    meta: Meta | None = None

    def of(self, kind: str) -> dict[str, Primitive]:
        return self.definitions.get(kind, {})

    def config_value(self, key: str) -> Value | None:
        return None if self.config is None else self.config.get(key)
