"""Pure id generation and id formats (RUNTIME.md §2.2–2.3): seeds in, lowercase ids out.

`SeededIdGen` derives ids from the op's machine id and seq, so replay issues the same ids;
`SequentialIdGen` gives readable ids in tests. The format helpers never read time or randomness.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Container
from typing import Protocol

SESSION_MAX = 64
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")


class IdGen(Protocol):
    def hex(self, digits: int) -> str: ...


class SeededIdGen:
    """`blake2b(f"{machine_id}:{seq}:{n}")`, `n` counting calls within one step."""

    def __init__(self, machine_id: str, seq: int) -> None:
        self.machine_id = machine_id
        self.seq = seq
        self.n = 0

    def hex(self, digits: int) -> str:
        self.n += 1
        seed = f"{self.machine_id}:{self.seq}:{self.n}".encode()
        return hashlib.blake2b(seed, digest_size=32).hexdigest()[:digits]


class SequentialIdGen:
    """`0001`, `0002`, … left-padded to the asked width (the prefix is prepended)."""

    def __init__(self, prefix: str = "") -> None:
        self.prefix = prefix
        self.n = 0

    def hex(self, digits: int) -> str:
        self.n += 1
        return f"{self.prefix}{self.n:0{digits}d}"


def short_hash(text: str, digits: int = 8) -> str:
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()[:digits]


def sanitize(text: str) -> str:
    """Characters outside `[A-Za-z0-9._-]` become `-` (§L5.2 `id`)."""
    return _UNSAFE.sub("-", text)


def run_id(pipeline: str, name: str, issued: int) -> str:
    """`PIPELINE-NAME`, then `-2`, `-3`… when `issued` earlier runs took the base id."""
    return numbered(sanitize(f"{pipeline}-{name}"), issued)


def numbered(base: str, issued: int) -> str:
    """`base` for the first run that takes it, then `base-2`, `base-3`…"""
    return base if issued == 0 else f"{base}-{issued + 1}"


def task_run_id(run: str, phase: str, attempt: int, strategy_attempt: int | None = None) -> str:
    """`RUN.PHASE.ATTEMPT`, plus `.aK` for strategy attempts (K counts from 1)."""
    base = f"{run}.{phase}.{attempt}"
    return base if strategy_attempt is None else f"{base}.a{strategy_attempt + 1}"


def session_name(task_run: str, generation: int) -> str:
    """tmux name: `.`/`:` → `-`, `-gN` for N ≥ 2; over 64 chars keeps 55 + `-` + 8 hex."""
    name = task_run.replace(".", "-").replace(":", "-")
    if generation >= 2:
        name = f"{name}-g{generation}"
    if len(name) > SESSION_MAX:
        name = f"{name[-55:]}-{short_hash(name)}"
    return name


def claim_id(item: str, claims: int) -> str:
    return f"{item}~{claims}"


def effect_id(seq: int, k: int) -> str:
    return f"{seq}.{k}"


def cron_tick_id(cron: str, tick: int) -> str:
    return f"{cron}-t{tick}"


def escalation_id(gen: IdGen, taken: Container[str]) -> str:
    """`esc-<4 hex>`, widening to 6, then 8 hex digits on collision."""
    for digits in (4, 6):
        candidate = f"esc-{gen.hex(digits)}"
        if candidate not in taken:
            return candidate
    return f"esc-{gen.hex(8)}"


def item_id(queue: str, gen: IdGen) -> str:
    return f"{queue}-{gen.hex(8)}"
