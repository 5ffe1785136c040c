"""The catalogue of diagnostic codes (LANGUAGE.md §7): code, slug, default severity, trigger.

Codes are stable and never reused. `oj explain` adds the long texts from `explanations`.
"""

from __future__ import annotations

from ojlang import rec
from ojlang.validator.diagnostic import Severity


@rec.frozen(slots=True)
class CodeInfo:
    code: str
    slug: str
    severity: Severity
    trigger: str


_CODES = (
    CodeInfo(
        "OJ001", "toml-syntax", Severity.ERROR, "not valid TOML 1.0 (grammar, escape, number, date)"
    ),
    CodeInfo("OJ002", "duplicate-key", Severity.ERROR, "a key or table defined twice"),
    CodeInfo(
        "OJ003",
        "invalid-text",
        Severity.ERROR,
        "not UTF-8, a BOM, or a forbidden control character",
    ),
    CodeInfo("OJ004", "unreadable-file", Severity.ERROR, "the file cannot be read"),
    CodeInfo("OJ101", "unknown-table", Severity.ERROR, "top-level table not in §1.2"),
    CodeInfo("OJ102", "unknown-key", Severity.ERROR, "key not defined for its table"),
    CodeInfo("OJ103", "wrong-type", Severity.ERROR, "value of the wrong TOML type"),
    CodeInfo("OJ104", "missing-field", Severity.ERROR, "a required field is absent"),
    CodeInfo("OJ105", "duplicate-name", Severity.ERROR, "two phases (or attempts) share a name"),
    CodeInfo("OJ106", "invalid-name", Severity.ERROR, "name outside §1.2"),
    CodeInfo(
        "OJ107", "invalid-runbook-name", Severity.ERROR, "file stem outside §1.2 (file skipped)"
    ),
    CodeInfo(
        "OJ108",
        "invalid-value",
        Severity.ERROR,
        "value outside a fixed set (`type`, `heartbeat`, `urgency`, `group_policy`, field types)",
    ),
    CodeInfo(
        "OJ109",
        "action-count",
        Severity.ERROR,
        "phase without exactly one of `run`/`task`/`strategy`; attempt without exactly one of "
        "`run`/`task`; guard without exactly one of `condition`/`all`/`any`/`not`",
    ),
    CodeInfo(
        "OJ110",
        "conflicting-fields",
        Severity.ERROR,
        "more than one action body (`command`/`run`/`task`/`rules`), `prompt`+`prompt_file`, "
        '`else = "x"`+`then`, `if`+`else`',
    ),
    CodeInfo("OJ111", "out-of-range", Severity.ERROR, "integer outside its range"),
    CodeInfo(
        "OJ112",
        "terminal-phase-edge",
        Severity.ERROR,
        "`next` on `done`/`failed`, `on_fail` on `failed`",
    ),
    CodeInfo(
        "OJ113",
        "reserved-name",
        Severity.ERROR,
        "phase `escalate`/`fail`/`retry`/`strategy`; function named like a builtin",
    ),
    CodeInfo(
        "OJ114",
        "incompatible-kinds",
        Severity.ERROR,
        "condition or cleanup type that does not fit the source type",
    ),
    CodeInfo("OJ115", "unreachable-rule", Severity.WARNING, "rule after an always-matching rule"),
    CodeInfo(
        "OJ116",
        "builtin-action-args",
        Severity.ERROR,
        "unknown or missing argument of a built-in action",
    ),
    CodeInfo(
        "OJ201",
        "undefined-reference",
        Severity.ERROR,
        "task, guard, strategy, pipeline, watcher, scanner, action or function not found",
    ),
    CodeInfo(
        "OJ202",
        "undefined-resource",
        Severity.ERROR,
        "queue, lock or semaphore defined in no loaded runbook",
    ),
    CodeInfo(
        "OJ203",
        "undefined-phase",
        Severity.ERROR,
        "`next`, `on_fail` or `on_exhaust` names no phase",
    ),
    CodeInfo(
        "OJ204", "kind-mismatch", Severity.ERROR, "reference to a definition of the wrong kind"
    ),
    CodeInfo(
        "OJ205",
        "undefined-runbook",
        Severity.ERROR,
        "cross-runbook reference to an unknown runbook",
    ),
    CodeInfo("OJ206", "invalid-reference", Severity.ERROR, "malformed reference (§1.4)"),
    CodeInfo(
        "OJ207", "ambiguous-handler", Severity.WARNING, "bare handler names a pipeline and a task"
    ),
    CodeInfo(
        "OJ208",
        "conflicting-resource",
        Severity.ERROR,
        "same-named semaphores with different `max`, or queues that differ",
    ),
    CodeInfo(
        "OJ209", "unknown-scanned-queue", Severity.WARNING, "scanner `queue` source names no queue"
    ),
    CodeInfo(
        "OJ210",
        "handler-input-mismatch",
        Severity.WARNING,
        "§5.3 cannot bind a handler input from declared `fields`",
    ),
    CodeInfo(
        "OJ211", "duplicate-command", Severity.INFO, "a command name used by several runbooks"
    ),
    CodeInfo(
        "OJ212",
        "guard-cycle",
        Severity.ERROR,
        "`all`/`any`/`not` guards that refer to each other in a cycle",
    ),
    CodeInfo(
        "OJ301",
        "undefined-variable",
        Severity.ERROR,
        "root not in the field's scope (interpolation, Jinja, placeholder, expression)",
    ),
    CodeInfo(
        "OJ302",
        "unknown-field",
        Severity.ERROR,
        "unknown field of `config`, `args`, a builtin object or declared item fields",
    ),
    CodeInfo(
        "OJ303",
        "unused-input",
        Severity.WARNING,
        "input read by no field of the pipeline or its use sites",
    ),
    CodeInfo(
        "OJ304", "default-cycle", Severity.ERROR, "defaults that depend on each other in a cycle"
    ),
    CodeInfo("OJ305", "reserved-variable", Severity.ERROR, "declaring a reserved builtin (§5.4)"),
    CodeInfo("OJ306", "unknown-filter", Severity.ERROR, "filter not in §4.1.2"),
    CodeInfo(
        "OJ307",
        "filter-arguments",
        Severity.ERROR,
        "wrong arity or a wrong input type known statically",
    ),
    CodeInfo("OJ308", "jinja-syntax", Severity.ERROR, "Jinja parse error (position mapped, §4.2)"),
    CodeInfo(
        "OJ309",
        "template-file-missing",
        Severity.ERROR,
        "`prompt_file` or `context_template` not found",
    ),
    CodeInfo(
        "OJ310",
        "single-brace-in-jinja",
        Severity.WARNING,
        "`{x}` with `x` in scope inside a Jinja template",
    ),
    CodeInfo(
        "OJ311",
        "double-brace-outside-jinja",
        Severity.WARNING,
        "`{{x}}` with `x` in scope in a non-Jinja template",
    ),
    CodeInfo(
        "OJ312", "field-of-scalar", Severity.ERROR, "field access on a value known to be a scalar"
    ),
    CodeInfo(
        "OJ313",
        "malformed-interpolation",
        Severity.WARNING,
        "a `{path | …}` or `{ path }` that does not parse (path in scope)",
    ),
    CodeInfo(
        "OJ401",
        "invalid-duration",
        Severity.ERROR,
        "not a §4.3 duration, or zero where not allowed",
    ),
    CodeInfo("OJ402", "invalid-args-spec", Severity.ERROR, "`args` does not parse"),
    CodeInfo(
        "OJ403",
        "unused-argument",
        Severity.WARNING,
        "command argument read by no template of `run`",
    ),
    CodeInfo("OJ404", "args-spec-order", Severity.ERROR, "§4.4 structural rules"),
    CodeInfo(
        "OJ405", "args-mismatch", Severity.ERROR, "`aliases`/`defaults` that do not fit the spec"
    ),
    CodeInfo("OJ406", "unused-arg-default", Severity.WARNING, "default for a required argument"),
    CodeInfo("OJ407", "invalid-chain-word", Severity.ERROR, "word not valid in its context (§4.5)"),
    CodeInfo("OJ408", "count-out-of-range", Severity.ERROR, "`:N` outside 1–99"),
    CodeInfo(
        "OJ409", "unreachable-chain-step", Severity.WARNING, "steps after a chain-ending word"
    ),
    CodeInfo("OJ410", "invalid-on-fail", Severity.ERROR, "malformed `retry`/`strategy:` value"),
    CodeInfo(
        "OJ411",
        "on-timeout-runs-shell",
        Severity.WARNING,
        "one-word guard `on_timeout` outside the vocabulary",
    ),
    CodeInfo("OJ412", "invalid-event-pattern", Severity.ERROR, "pattern does not parse"),
    CodeInfo(
        "OJ413",
        "pattern-never-matches",
        Severity.WARNING,
        "reserved-scope pattern that no built-in event can match",
    ),
    CodeInfo("OJ414", "expression-syntax", Severity.ERROR, "expression does not parse"),
    CodeInfo("OJ415", "expression-type", Severity.ERROR, "static type error (§4.8)"),
    CodeInfo("OJ416", "call-arity", Severity.ERROR, "wrong number of arguments"),
    CodeInfo("OJ417", "invalid-order", Severity.ERROR, "`order` does not parse, or repeats a key"),
    CodeInfo(
        "OJ418", "unknown-order-field", Severity.ERROR, "`order` key neither builtin nor declared"
    ),
    CodeInfo("OJ419", "invalid-regex", Severity.ERROR, "literal regex that does not compile"),
    CodeInfo(
        "OJ501", "unreachable-phase", Severity.WARNING, "phase not reachable from the first phase"
    ),
    CodeInfo("OJ502", "unbounded-cycle", Severity.WARNING, "cycle without `max_visits` or guard"),
    CodeInfo("OJ503", "entry-phase", Severity.INFO, "`init`/`blocked` not reachable by an edge"),
    CodeInfo("OJ504", "no-exit", Severity.WARNING, "no terminal reachable from a cycle"),
    CodeInfo(
        "OJ505",
        "semaphore-oversubscribed",
        Severity.WARNING,
        "worker `concurrency` > `max` of a semaphore its handler uses",
    ),
    CodeInfo(
        "OJ506",
        "lock-without-heartbeat",
        Severity.WARNING,
        "lock without `heartbeat` held over an agent task",
    ),
    CodeInfo(
        "OJ507",
        "phase-timeout-below-task",
        Severity.WARNING,
        "phase `timeout` < its task's `timeout`",
    ),
    CodeInfo("OJ508", "cron-interval-too-small", Severity.WARNING, "cron `interval` < 10s"),
    CodeInfo(
        "OJ509",
        "unbounded-guard-wait",
        Severity.INFO,
        "guard without `timeout` and without `retry.max`",
    ),
    CodeInfo("OJ510", "blocked-without-guards", Severity.WARNING, "phase `blocked` without `pre`"),
    CodeInfo(
        "OJ511",
        "unbounded-wait-under-lock",
        Severity.WARNING,
        "post guard without `timeout` or `retry.max` on a phase holding a lock or slot",
    ),
    CodeInfo("OJ512", "empty-pipeline", Severity.ERROR, "pipeline without phases"),
    CodeInfo(
        "OJ601",
        "shell-syntax",
        Severity.ERROR,
        "`bash -n` rejects the field (placeholders per §4.1.4); span = the reported decoded line",
    ),
    CodeInfo(
        "OJ602",
        "shellcheck",
        Severity.WARNING,
        "a shellcheck finding (`--format=json1`, `--shell=bash`; columns count a tab as 1); SC "
        "error → E, warning → W, info/style → I; runs only if `shellcheck` is installed",
    ),
    CodeInfo(
        "OJ603",
        "emit-reserved-scope",
        Severity.WARNING,
        "`oj emit NAME` in shell text with a reserved scope",
    ),
    CodeInfo("OJ701", "raw-in-shell", Severity.WARNING, "`| raw` in a shell field"),
    CodeInfo(
        "OJ702",
        "quoted-heredoc-interpolation",
        Severity.WARNING,
        "interpolation inside a quoted heredoc body",
    ),
    CodeInfo(
        "OJ703",
        "double-evaluation",
        Severity.WARNING,
        "interpolation in an argument evaluated again (`eval`, `sh -c`, `bash -c`, `ssh HOST …`)",
    ),
    CodeInfo(
        "OJ704", "interpolated-command", Severity.WARNING, "interpolation in command-word position"
    ),
    CodeInfo(
        "OJ705",
        "hardcoded-secret",
        Severity.WARNING,
        "literal credential-like value in `env`, `config`, `args`, `webhook`",
    ),
    CodeInfo(
        "OJ706", "insecure-webhook", Severity.WARNING, "`http://` webhook to a non-loopback host"
    ),
    CodeInfo(
        "OJ901",
        "shadowed-runbook",
        Severity.INFO,
        "a runbook shadows a later one of the same name (§1.1)",
    ),
    CodeInfo(
        "OJ902",
        "unused-definition",
        Severity.WARNING,
        "guard, task, strategy, lock, semaphore, action or function referenced nowhere in the "
        "loaded runbooks (library runbooks exempt)",
    ),
    CodeInfo("OJ903", "cron-disabled", Severity.INFO, "cron without `enabled = true`"),
    CodeInfo("OJ904", "empty-body", Severity.INFO, "command, cron or action with nothing to run"),
    CodeInfo(
        "OJ905",
        "unused-suppression",
        Severity.WARNING,
        "a suppression comment that suppressed nothing",
    ),
    CodeInfo(
        "OJ906", "custom-event-hook", Severity.INFO, "`[events]` alias that maps to a custom event"
    ),
)

CATALOGUE: dict[str, CodeInfo] = {info.code: info for info in _CODES}
BY_SLUG: dict[str, CodeInfo] = {info.slug: info for info in _CODES}
