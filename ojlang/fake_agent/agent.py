"""The fake agent's session (RUNTIME.md §9.6): a scenario, a prompt and a terminal in; turns
that print, run steps and fire claude's hooks out, every received message appended to the
capture file as one JSON line.

A session: banner, `startup_ms`, SessionStart hooks, then the prompt (argv) as the first
message; afterwards typed lines are messages (`/exit` or end of input ends the session with
0). A turn records the message, fires UserPromptSubmit, picks the first rule whose pattern
matches and that has uses left, waits `delay_ms`, then either plays its failure or prints its
`text` and runs its `steps` (PostToolUse after each shell step), and ends with the Stop hooks;
a Stop hook that blocks starts a continuation turn with its reason (`stop_hook_active` true).
Waiting at the prompt longer than `idle_notify_ms` fires Notification `idle_prompt` once.
"""

from __future__ import annotations

import json
import select
import subprocess
import time
import uuid
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TextIO

from ojlang.fake_agent.hooks import HookRunner, block_reason
from ojlang.fake_agent.scenario import Failure, Response, Scenario, Step
from ojlang.fake_agent.screens import BANNER, NO_RULE, PROMPT, failure_text

MAX_CONTINUATIONS = 5
IDLE_MESSAGE = "Claude is waiting for your input"


class FakeAgent:
    def __init__(
        self,
        scenario: Scenario,
        cwd: Path,
        env: Mapping[str, str],
        out: TextIO,
        inp: TextIO,
        capture: Path,
        *,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.scenario = scenario
        self.cwd = cwd
        self.env = dict(env)
        self.out = out
        self.inp = inp
        self.capture = capture
        self.sleep = sleep
        self.uses = [0] * len(scenario.responses)
        session_id = uuid.uuid4().hex
        transcript = cwd / ".oj-fake" / f"transcript-{session_id}.jsonl"
        self.hooks = HookRunner(cwd, self.env, session_id, transcript)

    # -- output -----------------------------------------------------------------------------

    def print(self, text: str, *, typing: bool = False) -> None:
        delay = self.scenario.config.typing_ms / 1000 if typing else 0.0
        if delay:
            for char in text:
                self.out.write(char)
                self.out.flush()
                self.sleep(delay)
            self.out.write("\n")
        else:
            self.out.write(text + "\n")
        self.out.flush()

    def record(self, kind: str, text: str, **extra: Any) -> None:
        self.capture.parent.mkdir(parents=True, exist_ok=True)
        line = {"ts_us": time.time_ns() // 1000, "kind": kind, "text": text, **extra}
        with self.capture.open("a") as handle:
            handle.write(json.dumps(line) + "\n")

    # -- session ----------------------------------------------------------------------------

    def run(self, prompt: str) -> int:
        self.print(BANNER.format(name=self.scenario.name or "unnamed"))
        self.print(f"  cwd: {self.cwd}")
        self.sleep(self.scenario.config.startup_ms / 1000)
        for output in self.hooks.fire("SessionStart", {"source": "startup"}):
            if output.stdout.strip():
                self.record("context", output.stdout)
        pending = [prompt] if prompt.strip() else []
        while True:
            while pending:
                code = self.turn(pending.pop(0))
                if code is not None:
                    return code
            line = self.wait_for_input()
            if line is None or line.strip() == "/exit":
                return 0
            if line.strip():
                pending.append(line)

    def wait_for_input(self) -> str | None:
        self.out.write(PROMPT)
        self.out.flush()
        timeout: float | None = self.scenario.config.idle_notify_ms / 1000
        while True:
            ready, _, _ = select.select([self.inp], [], [], timeout)
            if ready:
                line = self.inp.readline()
                return line.rstrip("\r\n") if line else None
            payload = {"message": IDLE_MESSAGE, "notification_type": "idle_prompt"}
            self.hooks.fire("Notification", payload)
            timeout = None

    def pick(self, message: str) -> Response | None:
        for index, rule in enumerate(self.scenario.responses):
            if rule.times is not None and self.uses[index] >= rule.times:
                continue
            if rule.pattern.matches(message):
                self.uses[index] += 1
                return rule
        return None

    def turn(self, message: str, continuation: int = 0) -> int | None:
        """One turn; an exit code when the agent ends (crash), else None."""
        if continuation:
            self.record("message", message, source="stop_hook")
        else:
            self.record("message", message)
            self.hooks.fire("UserPromptSubmit", {"prompt": message})
        rule = self.pick(message)
        if rule is None:
            self.print(NO_RULE)
            return self.stop(continuation)
        self.sleep(rule.delay_ms / 1000)
        if rule.failure is not None:
            return self.fail(rule.failure)
        if rule.text:
            self.print(f"⏺ {rule.text}", typing=True)
        for step in rule.steps:
            self.step(step)
        return self.stop(continuation)

    def step(self, step: Step) -> None:
        if step.sleep_ms is not None:
            self.sleep(step.sleep_ms / 1000)
        elif step.say is not None:
            self.print(f"⏺ {step.say}", typing=True)
        elif step.shell is not None:
            self.shell(step.shell)

    def shell(self, command: str) -> None:
        self.print(f"⏺ Bash({command})")
        done = subprocess.run(
            ["bash", "-c", command],
            cwd=self.cwd,
            env=self.env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            check=False,
        )
        for line in (done.stdout + done.stderr).splitlines() or ["(no output)"]:
            self.print(f"  ⎿  {line}")
        response = {"stdout": done.stdout, "stderr": done.stderr, "exit_code": done.returncode}
        payload = {"tool_name": "Bash", "tool_input": {"command": command}}
        self.hooks.fire("PostToolUse", {**payload, "tool_response": response}, tool="Bash")

    def stop(self, continuation: int) -> int | None:
        outputs = self.hooks.fire("Stop", {"stop_hook_active": continuation > 0})
        reason = block_reason(outputs)
        if reason is not None and continuation < MAX_CONTINUATIONS:
            return self.turn(reason, continuation + 1)
        return None

    def fail(self, failure: Failure) -> int | None:
        if failure.type == "crash":
            self.out.flush()
            return failure.exit_code
        if failure.type == "hang":
            while True:
                self.sleep(3600)
        if failure.type == "connection_timeout":
            self.sleep(failure.after_ms / 1000)
        self.print(failure_text(failure))
        return None


def capture_path(env: Mapping[str, str], cwd: Path) -> Path:
    found = env.get("OJ_FAKE_CAPTURE")
    return Path(found) if found else cwd / ".oj-fake" / "capture.jsonl"
