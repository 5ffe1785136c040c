"""Strategy attempts run in order, each rollback before the next attempt."""

from __future__ import annotations

from core_kit import Driver, graph, lit
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from ojlang.runtime.core import effects as fx
from ojlang.runtime.core import inputs as i
from ojlang.runtime.core.graph import Attempt, OnFail, Phase, Piece, Pipeline, Strategy, Template

ATTEMPTS = (
    Attempt("ff", run=lit("try ff"), rollback=lit("undo ff")),
    Attempt("rebase", run=lit("try rebase")),
    Attempt(
        "agent",
        run=Template((Piece("try agent "), Piece(path=("checkpoint",)))),
        rollback=lit("undo agent"),
    ),
)


class StrategyMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        strategy = Strategy("land", "rb", ATTEMPTS, checkpoint=lit("git rev-parse"))
        phase = Phase("land", "strategy", strategy="rb.land", on_fail=OnFail("fail"))
        g = graph(
            pipelines={"rb.p": Pipeline("p", "rb", (phase,))}, strategies={"rb.land": strategy}
        )
        self.d = Driver(g)
        self.d(i.PipelineStart("rb.p", {}, "x", request_id="r"))
        self.rid = self.d.reply().result["run"]
        self.log: list[str] = []
        self._note()

    def _note(self) -> None:
        for e in self.d.effects:
            if isinstance(e, fx.RunShell):
                self.log.append(e.script)

    def _pending(self) -> list[fx.RunShell]:
        return [e for e in self.d.world.outbox.values() if isinstance(e, fx.RunShell)]

    @rule(code=st.sampled_from([0, 1, 1]))
    def answer(self, code: int, stdout: str = "abc\n") -> None:
        pending = self._pending()
        if pending:
            self.d.exit(pending[0].effect_id, code, stdout)
            self._note()

    @invariant()
    def in_order(self) -> None:
        tries = [s.split()[1] for s in self.log if s.startswith("try")]
        names = [a.name for a in ATTEMPTS]
        assert tries == names[: len(tries)], "attempts out of order or repeated"
        for k, name in enumerate(tries[1:], start=1):
            prev = ATTEMPTS[k - 1]
            if prev.rollback is not None:
                undo = self.log.index(f"undo {prev.name}")
                assert undo < self.log.index(f"try {name}"), "rollback after the next attempt"
        assert len(self._pending()) <= 1, "one shell at a time"
        if any(s.startswith("try agent") for s in self.log):
            assert "try agent abc" in self.log, "checkpoint output reaches the attempt"

    def teardown(self) -> None:
        for _ in range(10):
            if not self._pending():
                break
            self.answer(1, "")
        assert self.d.world.runs[self.rid].state in ("done", "failed")
        assert not self.d.world.strategies


TestStrategy = StrategyMachine.TestCase
TestStrategy.settings = settings(max_examples=500, stateful_step_count=8, deadline=None)
