"""Notifications and hooks of custom events (RUNTIME.md §3.13): ignore patterns, rules with
titles and urgencies, channels without a desktop or a webhook, templates that do not render."""

from __future__ import annotations

import pytest
from core_kit import Driver, graph, lit, tpl

from ojlang.runtime.core import effects as fx
from ojlang.runtime.core import inputs as i
from ojlang.runtime.core.graph import Hook, Notify, NotifyRule, Pattern, Runbook


def driver(notify: Notify, hooks: tuple[Hook, ...] = ()) -> Driver:
    rb = Runbook("rb", config={"env": "prod"}, notify=notify, hooks=hooks)
    return Driver(graph(runbooks={"rb": rb}))


def emit(d: Driver, name: str, subject: str = "") -> list[fx.Notify]:
    d(i.EmitCommand(name, subject, {"reason": "why"}, request_id="r"))
    assert d.reply().error is None
    return d.of(fx.Notify)


def test_a_rule_sets_title_message_urgency_and_channels() -> None:
    rule = NotifyRule(
        Pattern("deploy:*"),
        title=tpl("deploy to ", ("config", "env")),
        message=lit("it went"),
        urgency="info",
        channels=("webhook",),
    )
    d = driver(Notify(webhook=lit("https://hook"), on=(), rules=(rule,)))
    (n,) = emit(d, "deploy:done", "web")
    assert (n.title, n.message, n.urgency, n.sound) == ("deploy to prod", "it went", "low", False)
    assert (n.channels, n.webhook) == (("webhook",), "https://hook")


def test_ignored_subjects_and_unlisted_events_notify_nobody() -> None:
    d = driver(Notify(on=(Pattern("deploy:*"),), ignore=(Pattern("deploy:*@test-*"),)))
    assert emit(d, "deploy:done", "test-1") == []
    assert emit(d, "build:done", "x") == []
    (n,) = emit(d, "deploy:done", "prod")
    assert (n.title, n.message, n.channels) == ("deploy:done prod", "why", ("desktop",))


def test_without_desktop_and_webhook_no_notify_is_sent() -> None:
    d = driver(Notify(desktop=False, on=(Pattern("deploy:*"),)))
    assert emit(d, "deploy:done") == []


def test_a_rule_or_webhook_that_does_not_render_falls_back() -> None:
    rule = NotifyRule(Pattern("deploy:*"), title=tpl(("nope",)), urgency="critical")
    d = driver(Notify(webhook=tpl(("nope",)), on=(), rules=(rule,)))
    (n,) = emit(d, "deploy:done", "web")
    assert (n.title, n.urgency, n.sound, n.channels) == (
        "deploy:done web",
        "critical",
        True,
        ("desktop",),
    )
    assert any("notify rule `deploy:*`" in e.message for e in d.of(fx.Log))


def test_hooks_match_the_subject_and_skip_templates_that_do_not_render() -> None:
    hooks = (
        Hook(Pattern("deploy:*@prod"), tpl("echo ", ("config", "env")), "rb"),
        Hook(Pattern("deploy:*"), tpl(("nope",)), "rb"),
    )
    d = driver(Notify(on=()), hooks)
    emit(d, "deploy:done", "dev")
    assert not d.of(fx.RunShell)
    assert any("hook `deploy:*` of `rb`" in e.message for e in d.of(fx.Log))
    emit(d, "deploy:done", "prod")
    assert [s.script for s in d.of(fx.RunShell)] == ["echo prod"]


def test_a_rule_for_another_subject_notifies_nobody() -> None:
    d = driver(Notify(on=(), rules=(NotifyRule(Pattern("deploy:*@prod")),)))
    assert emit(d, "deploy:done", "dev") == []
    assert len(emit(d, "deploy:done", "prod")) == 1


def test_the_plan_cache_starts_over_when_full(monkeypatch: pytest.MonkeyPatch) -> None:
    from ojlang.runtime.core import routing

    monkeypatch.setattr(routing, "_PLANS_MAX", 1)
    d = driver(Notify(on=(Pattern("deploy:*"),)))
    for name in ("deploy:a", "deploy:b", "deploy:a"):
        assert len(emit(d, name)) == 1
        assert len(routing._PLANS) == 1
