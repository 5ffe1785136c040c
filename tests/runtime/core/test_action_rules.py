"""Action rules and verbs: first match wins, delays, rule loops, verbs on runs and sessions."""

from __future__ import annotations

import pytest
from core_kit import Driver, S, graph, lit, tpl

from ojlang.compiler.expressions import to_core
from ojlang.parser.expressions import parse_expression
from ojlang.runtime.core import effects as fx
from ojlang.runtime.core import inputs as i
from ojlang.runtime.core.graph import Action, Expression, Phase, Pipeline, Queue, Rule, Task, Worker


def expr(text: str) -> Expression:
    return Expression(text, to_core(parse_expression(text)))


def rules(*rs: Rule, **kw: object) -> Driver:
    act = Action("classify", "rb", S, mode="rules", rules=rs, **kw)  # type: ignore[arg-type]
    notify = Action(
        "page", "rb", S, mode="builtin", builtin="notify", args={"message": tpl(("text",))}
    )
    pipe = Pipeline("p", "rb", (Phase("a", "run", run=lit("a")),))
    return Driver(graph(actions={"rb.classify": act, "rb.page": notify}, pipelines={"rb.p": pipe}))


def test_first_matching_rule_triggers_its_action() -> None:
    d = rules(Rule("rb.page", if_=expr("'flaky' in text")), Rule("escalate", then_verb=True))
    d(i.ActionTrigger("classify", {"text": "a flaky test"}, request_id="r"))
    assert d.reply().result is True
    assert [e.payload.get("source") for e in d.events("action:triggered")] == [
        "operator",
        "classify",
    ]
    assert d.of(fx.Notify)[0].message == "a flaky test"
    d = rules(Rule("rb.page", if_=expr("'flaky' in text")), Rule("escalate", then_verb=True))
    d(i.ActionTrigger("classify", {"text": "other"}))
    assert "escalation:created" in d.names()


def test_no_match_and_evaluation_errors_fail_the_action() -> None:
    d = rules(Rule("rb.page", if_=expr("count > 3")))
    d(i.ActionTrigger("classify", {"count": 1}))
    assert d.events("action:failed")[0].payload["error"] == "no rule matched"
    d.fire("action:rb.classify:cooldown")
    assert "action:ready" in d.names()
    d(i.ActionTrigger("classify", {"count": "x"}))
    assert d.events("action:failed")[0].payload["error"].startswith("rule:")


def test_delayed_rules_fire_later() -> None:
    d = rules(Rule("notify", then_verb=True, delay_us=30 * S))
    d(i.ActionTrigger("classify"))
    assert not d.of(fx.Notify)
    d.fire("action:rb.classify:then")
    assert d.of(fx.Notify)


def test_rule_loops_stop_at_depth_eight() -> None:
    acts = {
        f"rb.a{k}": Action(f"a{k}", "rb", 1, mode="rules", rules=(Rule(f"rb.a{k + 1}"),))
        for k in range(10)
    }
    d = Driver(graph(actions=acts))
    d(i.ActionTrigger("a0"))
    failed = d.events("action:failed")
    assert failed and failed[0].payload["error"] == "rule loop"


@pytest.mark.parametrize(
    "verb, state",
    [
        ("fail", "escalated"),
        ("retry", "running"),
        ("requeue", "failed"),
        ("abandon", "cancelled"),
        ("wait", "running"),
    ],
)
def test_verbs_on_runs(verb: str, state: str) -> None:
    d = rules(Rule(verb, then_verb=True))
    d(i.PipelineStart("rb.p", {}, "x"))
    if verb == "retry":
        d.exit(d.world.runs["p-x"].child, 1)
    d(i.ActionTrigger("classify", {"id": "p-x"}))
    assert d.world.runs["p-x"].state == state


def test_session_verbs_need_a_session() -> None:
    d = rules(Rule("nudge", then_verb=True))
    d(i.ActionTrigger("classify", {"id": "nobody"}))
    assert "action:failed" in d.names()


def test_session_verbs_act_on_the_records_task_run() -> None:
    for verb, effect in (
        ("checkpoint", fx.RunShell),
        ("restart_session", fx.SpawnSession),
        ("send_to_session", fx.SendKeys),
    ):
        act = Action("act", "rb", 1, mode="builtin", builtin=verb, args={"message": "hi"})
        task = Task("t", "rb", checkpoint=lit("git commit"))
        pipe = Pipeline("p", "rb", (Phase("a", "task", task="rb.t"),))
        d = Driver(graph(actions={"rb.act": act}, tasks={"rb.t": task}, pipelines={"rb.p": pipe}))
        d(i.PipelineStart("rb.p", {}, "x"))
        d(i.SessionResult("spawned", d.of(fx.SpawnSession)[0].effect_id))
        session = d.world.tasks["p-x.a.1"].session
        d(i.ActionTrigger("act", {"session": session}))
        assert d.of(effect), verb


def test_task_mode_starts_the_synthesized_pipeline_and_shell_mode_stores_output() -> None:
    pipe = Pipeline(
        "analyze", "rb", (Phase("analyze", "run", run=tpl("look ", ("what",))),), inputs=("what",)
    )
    task_act = Action("analyze", "rb", 1, mode="task", task="rb.analyze")
    shell_act = Action(
        "probe",
        "rb",
        1,
        mode="shell",
        command=tpl("echo ", ("args", "n")),
        args={"n": 3},
        output="out",
    )
    d = Driver(
        graph(
            actions={"rb.analyze": task_act, "rb.probe": shell_act}, pipelines={"rb.analyze": pipe}
        )
    )
    d(i.ActionTrigger("analyze", args={"what": "logs"}))
    assert d.shell("phase").script == "look logs"
    d(i.ActionTrigger("probe"))
    shell = d.shell("action")
    assert shell.script == "echo 3" and shell.env == {"OJ_ARG_N": "3"}
    d.exit(shell.effect_id, 0, "42\n")
    assert d.world.actions["rb.probe"].outputs == {"out": "42"}
    d(i.ActionTrigger("probe"))
    assert d.events("action:rejected")[0].payload["reason"] == "cooldown"


def test_enable_and_disable_crons_by_pattern() -> None:
    from ojlang.runtime.core.graph import Cron

    act = Action("off", "rb", 1, mode="builtin", builtin="disable_cron", args={"pattern": "auto-*"})
    crons = {
        "rb.auto-a": Cron("auto-a", "rb", 60 * S, enabled=True),
        "rb.keep": Cron("keep", "rb", 60 * S, enabled=True),
    }
    d = Driver(graph(actions={"rb.off": act}, crons=crons))
    d(i.ActionTrigger("off"))
    assert not d.world.crons["rb.auto-a"].enabled and d.world.crons["rb.keep"].enabled


def test_worker_item_fields_reach_queue_filters() -> None:
    q = Queue("q", "rb", filter=expr("not has_label('hold')"))
    pipe = Pipeline("p", "rb", (Phase("a", "run", run=lit("a")),))
    d = Driver(
        graph(
            queues={"q": q},
            pipelines={"rb.p": pipe},
            workers={"rb.w": Worker("w", "rb", "q", "rb.p")},
        )
    )
    d(i.QueueAdd("q", {"id": "held", "labels": ["hold"]}))
    d(i.QueueAdd("q", {"id": "ok", "labels": "x,y"}))
    d(i.QueueAdd("q", {"id": "bad", "labels": 5}))
    assert set(d.world.runs) == {"p-ok"}
