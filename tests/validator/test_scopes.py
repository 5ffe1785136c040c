"""The scope model (LANGUAGE.md §5.2): which names each field sees, in which order and type."""

from __future__ import annotations

from scope_kit import model_of

from ojlang.parser import ast
from ojlang.validator.scopes import Scope, ScopeModel, Use

P = [
    "config",
    "env",
    "project",
    "runbook",
    "name",
    "id",
    "pipeline",
    "workspace",
    "branch",
    "phase",
    "attempt",
]

RELEASE = """
[pipeline.release]
inputs = ["version", "notes"]
phase = [{ name = "publish", task = "announce" }]

[task.announce]
prompt = "Announce {{ version }}."
"""


def node(sm: ScopeModel, book: str, kind: str, name: str) -> ast.Primitive:
    return sm.model.runbooks[book].of(kind)[name]


def built(uses: list[Use]) -> list[tuple[list[str], str]]:
    return [(list(u.parts.build().names), u.note) for u in uses]


def test_task_scope_is_p_of_its_use_site_then_task_and_session() -> None:
    sm = ScopeModel(model_of(release=RELEASE))
    task = node(sm, "release", "task", "announce")
    assert isinstance(task, ast.Task)
    [(names, note)] = built(sm.task("release", task))
    assert names == ["version", "notes", *P, "task", "session"]  # the order of §9.2
    assert note == "task `announce` is used by phase `publish` of pipeline `release`"


def test_pipeline_scope_explains_where_to_declare() -> None:
    sm = ScopeModel(model_of(release=RELEASE))
    pipeline = node(sm, "release", "pipeline", "release")
    assert isinstance(pipeline, ast.Pipeline)
    scope = sm.pipeline("release", "release", pipeline).build()
    assert scope.label == "not defined in pipeline `release`"
    assert scope.help_for("channel") == (
        "declare it in `inputs`, `defaults` or `outputs` of pipeline `release`"
    )
    assert scope.help_for("verison") == "a variable with a similar name exists: `version`"
    assert scope.pipeline == ("release", "release")
    assert not scope.dynamic


def test_declared_name_workspace_branch_replace_the_builtins() -> None:
    sm = ScopeModel(
        model_of(
            r="""
[pipeline.p]
inputs = ["branch"]
defaults = { name = "x" }
outputs = ["url"]
phase = [{ name = "a", run = "true" }]
"""
        )
    )
    pipeline = node(sm, "r", "pipeline", "p")
    assert isinstance(pipeline, ast.Pipeline)
    names = list(sm.pipeline("r", "r", pipeline).build().names)
    assert names[:3] == ["branch", "name", "url"]
    assert names.count("branch") == 1 and names.count("name") == 1


def test_group_has_no_phase_and_defaults_see_no_outputs() -> None:
    sm = ScopeModel(
        model_of(
            r="""
[pipeline.p]
inputs = ["a"]
defaults = { b = "{a}" }
outputs = ["out"]
phase = [{ name = "x", run = "true" }]
"""
        )
    )
    pipeline = node(sm, "r", "pipeline", "p")
    assert isinstance(pipeline, ast.Pipeline)
    group = sm.pipeline("r", "r", pipeline, phase=False).build()
    assert "phase" not in group.names and "attempt" not in group.names
    defaults = sm.defaults("r", pipeline).build()
    assert list(defaults.names) == ["a", "b", "config", "env", "project", "runbook", "pipeline"]
    assert "outputs are set while the run goes" in (defaults.help_for("out") or "")


def test_worker_handler_pipeline_sees_the_typed_item() -> None:
    sm = ScopeModel(
        model_of(
            r="""
[queue.bugs]
fields = { title = "string", size = "int" }
[worker.w]
queue = "bugs"
handler = "fix"
[pipeline.fix]
phase = [{ name = "x", run = "true" }]
"""
        )
    )
    pipeline = node(sm, "r", "pipeline", "fix")
    assert isinstance(pipeline, ast.Pipeline)
    scope = sm.pipeline("r", "r", pipeline).build()
    item = scope.type_of("item")
    assert item is not None and item.closed
    assert item.fields is not None
    assert {k: v.kind for k, v in item.fields.items()} == {
        "id": "string",
        "priority": "int",
        "created_at": "timestamp",
        "attempts": "int",
        "title": "string",
        "size": "int",
    }


def test_worker_handler_task_sees_item_as_and_no_inputs() -> None:
    sm = ScopeModel(
        model_of(
            r="""
[queue.bugs]
[worker.w]
queue = "bugs"
handler = "task.fixer"
item_as = "bug"
[task.fixer]
prompt = "x"
"""
        )
    )
    task = node(sm, "r", "task", "fixer")
    assert isinstance(task, ast.Task)
    [(names, note)] = built(sm.task("r", task))
    assert names == [*P, "item", "task", "session", "bug"]
    assert note == "task `fixer` is the handler of worker `w`"


def test_shared_task_has_one_scope_per_use_site_and_attempts_add_strategy_names() -> None:
    sm = ScopeModel(
        model_of(
            r="""
[pipeline.a]
inputs = ["x"]
phase = [{ name = "one", task = "t" }, { name = "two", strategy = "s" }]
[pipeline.b]
inputs = ["y"]
phase = [{ name = "three", task = "t" }]
[strategy.s]
checkpoint = "git rev-parse HEAD"
attempt = [{ name = "try", task = "t" }]
[task.t]
prompt = "x"
"""
        )
    )
    task = node(sm, "r", "task", "t")
    assert isinstance(task, ast.Task)
    uses = built(sm.task("r", task))
    notes = [note for _, note in uses]
    assert notes == [
        "task `t` is used by phase `one` of pipeline `a`",
        "task `t` is used by phase `three` of pipeline `b`",
        "task `t` is used by attempt `try` of strategy `s`, used by phase `two` of pipeline `a`",
    ]
    assert uses[2][0][-5:] == ["strategy", "attempt_name", "checkpoint", "task", "session"]


def test_nested_guards_inherit_the_use_sites_of_the_outer_guard() -> None:
    sm = ScopeModel(
        model_of(
            r="""
[pipeline.p]
phase = [{ name = "a", run = "true", pre = ["outer"] }]
[guard.outer]
not = "inner"
[guard.inner]
condition = "true"
[guard.loop_a]
all = ["loop_b"]
[guard.loop_b]
all = ["loop_a"]
"""
        )
    )
    inner = node(sm, "r", "guard", "inner")
    assert isinstance(inner, ast.Guard)
    [(names, note)] = built(sm.guard("r", inner))
    assert names[-1] == "guard"
    assert note == "guard `inner` is used by guard `outer`, used by phase `a` of pipeline `p`"
    cyclic = node(sm, "r", "guard", "loop_a")
    assert isinstance(cyclic, ast.Guard)
    assert sm.guard("r", cyclic) == []  # a cycle (OJ212) has no use site here


def test_definition_without_use_site_has_no_scope() -> None:
    sm = ScopeModel(model_of(r='[task.lonely]\nprompt = "x"\n'))
    task = node(sm, "r", "task", "lonely")
    assert isinstance(task, ast.Task)
    assert sm.task("r", task) == []


def test_cross_runbook_use_site_keeps_the_definitions_config() -> None:
    sm = ScopeModel(
        model_of(
            ship='[config]\nbase = "main"\n[pipeline.f]\n'
            'phase = [{ name = "a", task = "lib.task.t" }]\n',
            lib='[config]\nother = 1\n[task.t]\nprompt = "x"\n',
        )
    )
    task = node(sm, "lib", "task", "t")
    assert isinstance(task, ast.Task)
    [use] = sm.task("lib", task)
    scope = use.parts.build()
    config = scope.type_of("config")
    assert config is not None and config.fields is not None
    assert list(config.fields) == ["other"]
    assert use.note == "task `t` is used by phase `a` of pipeline `f` in runbook `ship`"


def test_command_scope_has_arguments_first_typed_by_their_kind() -> None:
    sm = ScopeModel(
        model_of(
            r="""
[command.deploy]
args = "<stage> [--dry-run] [targets...] [--tag <v>]"
defaults = { tag = 3 }
run = "x"
"""
        )
    )
    command = node(sm, "r", "command", "deploy")
    assert isinstance(command, ast.Command)
    scope = sm.command("r", command).build()
    kinds = {k: v.kind for k, v in scope.names.items()}
    assert list(kinds) == [
        "stage",
        "dry_run",
        "targets",
        "tag",
        "config",
        "env",
        "project",
        "runbook",
        "args",
    ]
    assert (kinds["stage"], kinds["dry_run"], kinds["targets"], kinds["tag"]) == (
        "string",
        "bool",
        "list",
        "any",
    )
    args = scope.type_of("args")
    assert args is not None and args.noun == "argument" and args.field("nope") is None


def test_queue_filter_sees_item_fields_as_bare_names() -> None:
    sm = ScopeModel(
        model_of(r='[queue.typed]\nfields = ["title"]\n[queue.untyped]\nsource = "cat q.json"\n')
    )
    typed = node(sm, "r", "queue", "typed")
    untyped = node(sm, "r", "queue", "untyped")
    assert isinstance(typed, ast.Queue) and isinstance(untyped, ast.Queue)
    scope = sm.queue_filter("r", typed).build()
    assert list(scope.names) == [
        "config",
        "env",
        "item",
        "id",
        "priority",
        "created_at",
        "attempts",
        "title",
    ]
    assert not scope.dynamic
    assert sm.queue_filter("r", untyped).build().dynamic
    assert "reason" in sm.queue_filter("r", typed, reason=True).build().names


def test_action_scope_is_dynamic_and_knows_args_passed_by_responses() -> None:
    sm = ScopeModel(
        model_of(
            r="""
[watcher.w]
check_interval = "1m"
response = [{ action = "page", args = { msg = "hi" } }]
[action.page]
cooldown = "1m"
args = { level = "x" }
output = "ticket"
command = "true"
"""
        )
    )
    action = node(sm, "r", "action", "page")
    assert isinstance(action, ast.Action)
    scope: Scope = sm.action("r", action).build()
    assert scope.dynamic
    args = scope.type_of("args")
    assert args is not None and args.fields is not None
    assert list(args.fields) == ["level", "msg"]
    assert "ticket" in scope.names and "source" in scope.names


def test_hook_scopes_follow_the_event_scope() -> None:
    sm = ScopeModel(
        model_of(r='[pipeline.p]\ninputs = ["goal"]\nphase = [{ name = "a", run = "true" }]\n')
    )
    pipeline_hook = sm.hook("r", ["pipeline"]).build()
    assert not pipeline_hook.dynamic
    assert {"event", "error", "goal", "phase"} <= set(pipeline_hook.names)
    lock_hook = sm.hook("r", ["lock"]).build()
    assert "goal" not in lock_hook.names and "holder" in lock_hook.names
    assert sm.hook("r", []).build().dynamic  # custom events: unknown payload
    assert sm.hook("r", None).build().dynamic  # `*:…` may be a custom event


def test_function_bodies_take_the_scope_of_each_caller() -> None:
    sm = ScopeModel(
        model_of(
            r="""
[queue.bugs]
fields = { team = "string" }
filter = "owned(team) and owned('x')"
[functions]
owned = { params = ["who"], run = "grep -qx {who} teams.txt" }
"""
        )
    )
    [use] = sm.function("r", "owned")
    assert use.note == "function `owned` is called by the `filter` of queue `bugs`"
    assert "team" in use.parts.build().names
