"""A crash test (RUNTIME.md §6.8, §7.3): clients push 1,000 queue items while the daemon is
SIGKILLed at random 20 times. Every push is retried until it is acknowledged (a lost reply is
retried too: the data hash deduplicates it); afterwards every acknowledged push exists exactly
once, under the id it was acknowledged with.

The killer hands out the pushes in rounds (a `Gate`): a round of 5 to 40 pushes, a new daemon
(started by the first client that finds the socket dead), a kill at a random moment of the
round. Without the gate the four clients could finish all 1,000 pushes before the 20th kill on
a loaded machine, and then no client was left to start the next daemon for the killer to wait
for (the test used to time out "waiting for a daemon")."""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from typing import Any

import pytest
from daemon_e2e import alive, daemon_pid, sigkill, stop_daemon, wait_until
from e2e_kit import Project, needs_tools

from ojlang.client import connect
from ojlang.runtime.daemon.protocol import Client, RemoteError

pytestmark = [needs_tools, pytest.mark.slow]

PUSHES = 1_000
KILLS = 20
CLIENTS = 4
RUNBOOK = """
[queue.inbox]
fields = { n = "int" }
"""


class Gate:
    """How many pushes the clients may start so far; the killer raises it round by round."""

    def __init__(self, allowed: int) -> None:
        self.allowed = allowed
        self.taken = 0
        self.cond = threading.Condition()

    def take(self) -> None:
        with self.cond:
            self.cond.wait_for(lambda: self.taken < self.allowed)
            self.taken += 1

    def allow(self, allowed: int) -> None:
        with self.cond:
            self.allowed = max(self.allowed, allowed)
            self.cond.notify_all()


class Pusher(threading.Thread):
    def __init__(
        self, project: Project, numbers: list[int], acks: dict[int, str], gate: Gate
    ) -> None:
        super().__init__(daemon=True)
        self.project = project
        self.numbers = numbers
        self.acks = acks
        self.gate = gate
        self.client: Client | None = None
        self.retries = 0
        self.error: BaseException | None = None

    def push(self, n: int) -> str:
        deadline = time.monotonic() + 120
        while True:
            try:
                if self.client is None:
                    self.client = connect(self.project.root, timeout=10.0)
                params = {"queue": "inbox", "data": {"n": n}}
                result: dict[str, Any] = self.client.request("queue.add", params, timeout=10.0)
                return str(result["item"])
            except (RemoteError, OSError):
                self.retries += 1
                if self.client is not None:
                    self.client.close()
                    self.client = None
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.01)

    def run(self) -> None:
        try:
            for n in self.numbers:
                self.gate.take()
                self.acks[n] = self.push(n)
        except BaseException as exc:
            self.error = exc
        finally:
            if self.client is not None:
                self.client.close()


def test_every_acknowledged_push_exists_exactly_once(project: Project) -> None:
    project.runbook("inbox", RUNBOOK)
    rng = random.Random(7)
    acks: dict[int, str] = {}
    numbers = list(range(PUSHES))
    gate = Gate(rng.randint(5, 40))
    pushers = [Pusher(project, numbers[k::CLIENTS], acks, gate) for k in range(CLIENTS)]
    try:
        started = project.oj("daemon", "start")
        assert started.returncode == 0, started.stderr
        for pusher in pushers:
            pusher.start()
        killed: list[int] = []
        while len(killed) < KILLS:
            # the round's pushes find the last daemon dead and start the next one
            pid = wait_until(
                lambda: (p := daemon_pid(project)) not in (None, *killed) and p, 60, "a daemon"
            )
            time.sleep(rng.uniform(0, 0.05))  # somewhere inside the round
            if alive(pid):
                sigkill(pid)
                killed.append(pid)
            left = KILLS - len(killed)
            if left:  # keep pushes back for the rounds still to come
                gate.allow(min(gate.allowed + rng.randint(5, 40), PUSHES - left))
        gate.allow(PUSHES)
        for pusher in pushers:
            pusher.join(timeout=300)
            assert not pusher.is_alive(), "a client never got its pushes acknowledged"
            assert pusher.error is None, repr(pusher.error)
        assert len(acks) == PUSHES
        assert sum(p.retries for p in pushers) > 0  # the kills were felt

        with connect(project.root, timeout=30.0) as client:
            shown = client.request("queue.show", {"queue": "inbox", "all": True})
        items = shown["items"]
        per_n = Counter(item["data"]["n"] for item in items)
        assert len(items) == PUSHES
        assert set(per_n.values()) == {1}
        assert {item["data"]["n"]: item["id"] for item in items} == acks
        assert shown["counts"]["ready"] == PUSHES
    finally:
        stop_daemon(project)
