"""Failpoints (§6.8): the `OJ_FAILPOINTS` grammar, `@n`, and each action."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest

from ojlang.runtime.store import failpoints


@pytest.fixture(autouse=True)
def _clear() -> Iterator[None]:
    yield
    failpoints.configure(None)


def test_unset_failpoints_do_nothing() -> None:
    failpoints.configure(None)
    for _ in range(3):
        failpoints.hit("store.before_commit")
    assert failpoints._ACTIVE == {}


def test_the_grammar_names_actions_and_hits() -> None:
    rules = failpoints.parse("a.b=kill, c=raise@3,d_e=ioerror,f=sleep(25)@2")
    assert {k: (r.action, r.ms, r.nth) for k, r in rules.items()} == {
        "a.b": ("kill", 0, 0),
        "c": ("raise", 0, 3),
        "d_e": ("ioerror", 0, 0),
        "f": ("sleep", 25, 2),
    }


@pytest.mark.parametrize("spec", ["x", "x=explode", "x=kill@0", "x=sleep(ms)", "=kill"])
def test_bad_specs_are_refused(spec: str) -> None:
    with pytest.raises(ValueError, match="bad failpoint"):
        failpoints.parse(spec)


def test_at_n_fires_on_the_nth_hit_only() -> None:
    failpoints.configure("p=raise@2")
    failpoints.hit("p")
    with pytest.raises(failpoints.FailpointError, match="failpoint `p`"):
        failpoints.hit("p")
    failpoints.hit("p")  # the third hit passes again


def test_ioerror_and_sleep() -> None:
    failpoints.configure("io=ioerror,nap=sleep(30)")
    with pytest.raises(OSError, match="injected I/O error"):
        failpoints.hit("io")
    start = time.monotonic()
    failpoints.hit("nap")
    assert time.monotonic() - start >= 0.03


def test_kill_sigkills_the_process_and_the_env_is_read_at_import() -> None:
    code = "from ojlang.runtime.store import failpoints; failpoints.hit('x'); print('alive')"
    env = {**os.environ, "OJ_FAILPOINTS": "x=kill"}
    proc = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, timeout=60)
    assert proc.returncode == -9 and b"alive" not in proc.stdout
