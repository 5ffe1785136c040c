"""Id matching (RUNTIME.md §2.3): exact ids, unique prefixes, run names, bare loop names, and
the `not_found`/`ambiguous` errors (CLI exit 5) with their help."""

from __future__ import annotations

import pytest

from ojlang.runtime.daemon.protocol import RemoteError
from ojlang.runtime.daemon.resolve import resolve

RUNS = ["build-auth", "build-auth-2", "build-billing", "fix-3f2a1c"]


def test_an_exact_id_wins_over_a_longer_prefix_match() -> None:
    assert resolve("run", "build-auth", RUNS) == "build-auth"


def test_a_unique_prefix_names_its_id() -> None:
    assert resolve("run", "fix", RUNS) == "fix-3f2a1c"
    assert resolve("run", "build-b", RUNS) == "build-billing"


def test_an_ambiguous_prefix_lists_the_candidates() -> None:
    with pytest.raises(RemoteError) as caught:
        resolve("run", "build-a", RUNS)
    err = caught.value
    assert (err.code, err.exit_code) == ("ambiguous", 5)
    assert err.data == {"candidates": ["build-auth", "build-auth-2"]}
    assert "`build-auth`, `build-auth-2`" in (err.help or "")


def test_at_most_ten_candidates_are_listed() -> None:
    ids = [f"run-{n:02d}" for n in range(25)]
    with pytest.raises(RemoteError) as caught:
        resolve("run", "run-", ids)
    assert len(caught.value.data["candidates"]) == 10
    assert "(and 15 more)" in (caught.value.help or "")


def test_a_run_name_names_its_run_and_prefers_the_live_one() -> None:
    names = {"billing": ["build-billing"], "auth": ["build-auth", "build-auth-2"]}
    assert resolve("run", "billing", RUNS, names=names) == "build-billing"
    live = ["build-auth-2"]
    assert resolve("run", "auth", RUNS, names=names, live=live) == "build-auth-2"
    with pytest.raises(RemoteError) as caught:
        resolve("run", "auth", RUNS, names=names)
    assert caught.value.code == "ambiguous"


def test_unknown_input_names_a_close_match() -> None:
    with pytest.raises(RemoteError) as caught:
        resolve("run", "biuld-auth", RUNS)
    err = caught.value
    assert (err.code, err.exit_code) == ("not_found", 5)
    assert err.message == "no run `biuld-auth`"
    assert err.help == "a run with a similar id exists: `build-auth`"


def test_unknown_input_without_a_close_match_lists_ids_or_says_there_are_none() -> None:
    with pytest.raises(RemoteError) as caught:
        resolve("queue", "zzz", ["jobs", "merges"])
    assert caught.value.help == "known queues: `jobs`, `merges`"
    with pytest.raises(RemoteError) as caught:
        resolve("queue", "zzz", [])
    assert caught.value.help == "there is no queue yet"


def test_bare_names_match_runbook_keys() -> None:
    keys = ["build.builds", "mergeq.mergeq", "other.builds"]
    assert resolve("worker", "mergeq", keys, bare=True) == "mergeq.mergeq"
    assert resolve("worker", "merg", keys, bare=True) == "mergeq.mergeq"
    with pytest.raises(RemoteError) as caught:
        resolve("worker", "builds", keys, bare=True)
    assert caught.value.data == {"candidates": ["build.builds", "other.builds"]}


def test_an_empty_text_is_unknown() -> None:
    with pytest.raises(RemoteError) as caught:
        resolve("run", "", RUNS)
    assert caught.value.code == "not_found"
