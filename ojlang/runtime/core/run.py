"""The pipeline run record (RUNTIME.md §3.1) and its scope: run state in, variables and
shell environments out. Shared by `pipeline` (lifecycle) and `phase` (steps)."""

from __future__ import annotations

import json
from typing import Any

import attrs

from ojlang.runtime.core.ctx import Tx
from ojlang.runtime.core.graph import Phase, Pipeline

TERMINAL = frozenset({"done", "failed", "cancelled"})


@attrs.frozen(slots=False)
class Run:
    id: str
    runbook: str
    pipeline: str  # pipeline key
    graph_hash: str
    name: str
    state: str = "created"  # created queued running waiting escalated done failed cancelled
    phase: str = ""
    step: str = ""  # pre post lock slot act retry gate ("" outside a phase)
    index: int = 0  # current pre/post guard index
    child: str = ""  # guard instance, task run, strategy instance or shell effect in flight
    vars: dict[str, Any] = attrs.Factory(dict)
    attempts: dict[str, int] = attrs.Factory(dict)
    retries: dict[str, int] = attrs.Factory(dict)
    workspace: str = ""
    branch: str = ""
    item_queue: str = ""
    item_claim: str = ""
    item: dict[str, Any] | None = None
    worker: str = ""
    group_key: str = ""
    error: str = ""
    escalation: str = ""
    lock_token: int = 0
    holds_lock: bool = False
    holds_slot: bool = False
    recovering: bool = False
    gate_target: str = ""
    last_ok: bool = False
    created_us: int = 0
    phase_since_us: int = 0
    ended_us: int = 0
    checkpoint_note: str = ""

    @property
    def terminal(self) -> bool:
        return self.state in TERMINAL


def put(tx: Tx, run: Run) -> Run:
    return tx.put_run(run)


def pipeline_of(tx: Tx, run: Run) -> Pipeline:
    return tx.pipeline(run)


def phase_of(tx: Tx, run: Run) -> Phase:
    return tx.pipeline(run).phase(run.phase)


def config(tx: Tx, run: Run) -> dict[str, Any]:
    rb = tx.graph_of(run.graph_hash).runbooks.get(run.runbook)
    return rb.config if rb is not None else {}


def scope(tx: Tx, run: Run, **extra: Any) -> dict[str, Any]:
    """P scope (§L5.2): config env project runbook pipeline name id workspace branch, the
    run's inputs/defaults/outputs, phase and attempt, and `item` for worker runs."""
    s: dict[str, Any] = {
        "config": config(tx, run),
        "env": tx.graph.settings.env,
        "project": tx.graph.settings.project_root,
        "runbook": run.runbook,
        "pipeline": pipeline_of(tx, run).name,
        **run.vars,
        "name": run.vars.get("name", run.name),
        "id": run.id,
        "workspace": run.workspace,
        "branch": run.branch,
        "phase": run.phase,
        "attempt": run.attempts.get(run.phase, 0),
    }
    if run.item is not None:
        s["item"] = run.item
    s.update(extra)
    return s


def env(tx: Tx, run: Run, pipe: Pipeline | None = None) -> dict[str, str]:
    """`OJ_*` variables of shell fields and sessions (§L5.5)."""
    out = {
        "OJ_PROJECT": tx.graph.settings.project_root,
        "OJ_RUNBOOK": run.runbook,
        "OJ_PIPELINE": (pipe or pipeline_of(tx, run)).name,
        "OJ_RUN": run.id,
        "OJ_NAME": run.name,
        "OJ_PHASE": run.phase,
        "OJ_ATTEMPT": str(run.attempts.get(run.phase, 0)),
        "OJ_WORKSPACE": run.workspace,
        "OJ_BRANCH": run.branch,
    }
    if run.item is not None:
        out["OJ_ITEM"] = json.dumps(run.item, sort_keys=True, separators=(",", ":"))
    return out


def owner(run: Run) -> str:
    return f"run:{run.id}"
