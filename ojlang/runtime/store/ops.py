"""Core values ↔ op drafts and rows: inputs, intents, graphs, markers and events in, canonical
JSON bodies out (and back), all through `core/codec.py` (cattrs).

Bodies (§6.1): `input` = `{name, payload}`; `intent` = `{effect_id, effect}` (§4.2); `graph` =
`{hash, graph}`; `marker` = `{kind, details}`. Events become `events` rows
`(seq, ts, name, subject, payload)`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from ojlang.runtime.core import codec
from ojlang.runtime.core import effects as fx
from ojlang.runtime.core import inputs as i
from ojlang.runtime.core.events import Event
from ojlang.runtime.core.graph import Graph
from ojlang.runtime.store.port import MARKERS, Op, OpDraft

EventRow = tuple[int, int, str, str, str]


def input_draft(inp: i.Input, ts: int, machine_id: str) -> OpDraft:
    return OpDraft("input", codec.input_to_json(inp), ts, machine_id)


def intent_body(effect: fx.IoEffect) -> str:
    return codec.canonical(
        {"effect_id": effect.effect_id, "effect": codec.unstructure(effect, fx.Effect)}
    )


def intent_draft(effect: fx.IoEffect, ts: int, machine_id: str) -> OpDraft:
    return OpDraft("intent", intent_body(effect), ts, machine_id)


def graph_draft(graph: Graph, ts: int, machine_id: str) -> OpDraft:
    data = codec.unstructure(graph)
    body = codec.canonical({"hash": graph.content_hash(), "graph": data})
    return OpDraft("graph", body, ts, machine_id)


def marker_draft(kind: str, details: Mapping[str, Any], ts: int, machine_id: str) -> OpDraft:
    if kind not in MARKERS:
        raise ValueError(f"unknown marker `{kind}`")
    return OpDraft(
        "marker", codec.canonical({"kind": kind, "details": dict(details)}), ts, machine_id
    )


def event_row(event: Event) -> EventRow:
    payload = codec.canonical(codec.encode_any(event.payload))
    return (event.seq, event.time_us, event.name, event.subject, payload)


def events_of(effects: tuple[fx.Effect, ...]) -> list[Event]:
    return [e.event for e in effects if isinstance(e, fx.Emit)]


def io_effects(effects: tuple[fx.Effect, ...]) -> list[fx.IoEffect]:
    return [e for e in effects if isinstance(e, fx.IO_EFFECTS)]  # type: ignore[misc]


# -- decoding ---------------------------------------------------------------------------------


def decode_input(op: Op, graphs: Mapping[str, Graph]) -> i.Input:
    """The input of an `input` op; raises `ValueError` when the body does not decode."""
    try:
        return codec.input_from_json(op.body, graphs)
    except ValueError:
        raise
    except Exception as err:  # cattrs class errors, KeyError, TypeError: a body we cannot read
        raise ValueError(f"op {op.seq}: cannot decode input: {type(err).__name__}: {err}") from err


def decode_graph(op: Op) -> tuple[str, Graph]:
    try:
        data = json.loads(op.body)
        graph = codec.CONVERTER.structure(data["graph"], Graph)
        return str(data["hash"]), graph
    except Exception as err:
        raise ValueError(f"op {op.seq}: cannot decode graph: {type(err).__name__}: {err}") from err


def marker_kind(op: Op) -> str:
    try:
        return str(json.loads(op.body).get("kind", ""))
    except (ValueError, AttributeError):
        return ""


def intent_effect_id(op: Op) -> str:
    try:
        return str(json.loads(op.body)["effect_id"])
    except (ValueError, KeyError, TypeError):
        return ""


def input_name(op: Op) -> str:
    try:
        return str(json.loads(op.body)["name"])
    except (ValueError, KeyError, TypeError):
        return ""
