"""Which definitions the loaded runbooks use (OJ902): references, calls, words, triggers."""

from __future__ import annotations

from pathlib import Path

from ojlang.loader import load_text
from ojlang.project import Origin, RunbookFile
from ojlang.validator.model import ProjectModel
from ojlang.validator.usage import Usage


def usage_of(**runbooks: str) -> Usage:
    loaded = []
    for name, text in runbooks.items():
        display = f"runbooks/{name}.toml"
        file = RunbookFile(Path("/p") / display, display, Origin.PROJECT)
        loaded.append(load_text(text.encode(), file))
    return Usage.of(ProjectModel(loaded, set(runbooks)))


def test_function_calls_and_their_close_matches() -> None:
    usage = usage_of(
        main='[queue.q]\nfilter = "is_open(item) and is_redy()"\n'
        '[functions]\nis_open = "x"\nis_ready = "y"\nunused = "z"\n'
    )
    assert usage.is_used("function", "main", "is_open")
    assert usage.is_used("function", "main", "is_ready")  # close match of the unknown call
    assert not usage.is_used("function", "main", "unused")


def test_literal_guard_conditions_use_resources() -> None:
    usage = usage_of(
        main='[guard.a]\ncondition = { type = "lock_free", lock = "main_branch" }\n'
        '[guard.b]\ncondition = { type = "semaphore_available", semaphore = "{name}" }\n'
        "[lock.main_branch]\n[semaphore.agents]\n"
    )
    assert usage.is_used("lock", "main", "main_branch")
    assert not usage.is_used("semaphore", "main", "agents")


def test_shared_resources_fall_back_to_the_first_definition() -> None:
    usage = usage_of(
        a="[lock.l]\n",
        b='[pipeline.p]\nphase = [{ name = "x", run = "y", lock = "l" }]\n',
    )
    assert usage.is_used("lock", "a", "l")


def test_rule_else_and_watcher_words_name_actions() -> None:
    usage = usage_of(
        main='[watcher.w]\ncheck_interval = "1m"\nresponse = ["first:2", "escalate"]\n'
        '[action.first]\ncooldown = "1m"\n'
        'rules = [{ if = "true", then = "escalate" }, { else = "second" }]\n'
        '[action.second]\ncooldown = "1m"\ncommand = "x"\n'
    )
    assert usage.is_used("action", "main", "first")
    assert usage.is_used("action", "main", "second")


def test_unparsed_strategy_recovery_uses_the_strategies_it_may_mean() -> None:
    strategies = (
        '[strategy.rebase]\nattempt = [{ name = "a", run = "x" }]\n'
        '[strategy.merge]\nattempt = [{ name = "a", run = "x" }]\n'
    )
    phase = '[pipeline.p]\nphase = [{{ name = "x", run = "y", on_fail = "{}" }}]\n'
    empty = usage_of(main=phase.format("strategy:") + strategies)
    assert empty.is_used("strategy", "main", "rebase")
    assert empty.is_used("strategy", "main", "merge")
    typo = usage_of(main=phase.format("strategy:rebse:") + strategies)
    assert typo.is_used("strategy", "main", "rebase")
    assert not typo.is_used("strategy", "main", "merge")
