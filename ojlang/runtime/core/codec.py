"""Canonical JSON for the core's data: `World`, `Graph`, inputs and effects in, text out (and
back). The store snapshots `World` and logs inputs with these functions.

Canonical JSON = `json.dumps(x, sort_keys=True, separators=(",", ":"), ensure_ascii=False)` of
the cattrs-unstructured value (RUNTIME.md §6.1). Custom hooks, all registered on `CONVERTER`:

- `immutables.Map[str, V]` ↔ a JSON object, values (un)structured as `V`.
- Effect unions (`Effect`, `IoEffect`) and `expr.Node` are tagged: `{"type": "RunShell", …}`.
- Unions of primitives (`str | int`, `int | None`, …) pass through unchanged.
- `Any` positions (event payloads, action/response args, literals): JSON
  values pass through; an attrs instance of `ojlang.runtime.core` is tagged
  `{"__attrs__": "module:Class", …fields}` and rebuilt from its class (so templates in args
  survive); tuples in `Any` positions become lists.
- Fields declared with `data.later` are left out while they hold their default.
- Inputs are written as the op body `{name, payload}`; `Reload` stores only `graph_hash` and
  `input_from_json` takes the graphs (from `graph` ops) to rebuild it.
- attrs classes are structured by a plain closure per class (`_attrs_structure`), not by
  cattrs' generated code: same keys, field hooks and defaults, but no `compile` per class,
  which dominated a fresh process's first decode (daemon start: snapshot + tail replay).
  Errors are the field hook's own (`KeyError` for a missing field), not cattrs' grouped ones.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import types
import typing
from typing import Any

import attrs
import cattrs
from cattrs.gen import make_dict_unstructure_fn, override
from cattrs.strategies import configure_tagged_union
from immutables import Map

from ojlang.runtime.core import effects as fx
from ojlang.runtime.core import expr
from ojlang.runtime.core import inputs as i
from ojlang.runtime.core.data import LATER
from ojlang.runtime.core.graph import Graph

CONVERTER = cattrs.Converter(detailed_validation=False)
_PRIMITIVES = (str, int, float, bool, type(None))
_PACKAGE = "ojlang.runtime.core"


def _is_map(t: Any) -> bool:
    return typing.get_origin(t) is Map or t is Map


def _map_structure(t: Any) -> Any:
    args = typing.get_args(t)
    vt = args[1] if args else Any

    def structure(value: Any, _: Any) -> Map[str, Any]:
        return Map({k: CONVERTER.structure(v, vt) for k, v in value.items()})

    return structure


def _map_unstructure(t: Any) -> Any:
    args = typing.get_args(t)
    vt = args[1] if args else Any

    def unstructure(value: Map[str, Any]) -> dict[str, Any]:
        return {k: CONVERTER.unstructure(v, vt) for k, v in value.items()}

    return unstructure


def _is_primitive_union(t: Any) -> bool:
    origin = typing.get_origin(t)
    if origin not in (typing.Union, types.UnionType):
        return False
    return all(a in _PRIMITIVES for a in typing.get_args(t))


def encode_any(value: Any) -> Any:
    if attrs.has(type(value)) and type(value).__module__.startswith(_PACKAGE):
        out = {"__attrs__": f"{type(value).__module__}:{type(value).__qualname__}"}
        out.update(CONVERTER.unstructure(value))
        return out
    if isinstance(value, dict | Map):
        return {k: encode_any(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [encode_any(v) for v in value]
    return value


def decode_any(value: Any, _: Any = None) -> Any:
    if isinstance(value, dict):
        tag = value.get("__attrs__")
        if isinstance(tag, str) and tag.startswith(_PACKAGE):
            module, _, name = tag.partition(":")
            cls = getattr(importlib.import_module(module), name)
            return CONVERTER.structure({k: v for k, v in value.items() if k != "__attrs__"}, cls)
        return {k: decode_any(v) for k, v in value.items()}
    if isinstance(value, list):
        return [decode_any(v) for v in value]
    return value


def _has_later_fields(cls: Any) -> bool:
    return attrs.has(cls) and any(f.metadata.get(LATER) for f in attrs.fields(cls))


def _later_unstructure(cls: Any) -> Any:
    """Fields declared with `data.later` are omitted while they hold their default."""
    omit: dict[str, Any] = {
        f.name: override(omit_if_default=True) for f in attrs.fields(cls) if f.metadata.get(LATER)
    }
    return make_dict_unstructure_fn(cls, CONVERTER, **omit)


CONVERTER.register_unstructure_hook_factory(_has_later_fields, _later_unstructure)


_ATTRS_HOOKS: dict[type, Any] = {}


def _attrs_structure(cls: type) -> Any:
    """The structure hook of the attrs class `cls`, one per class: cattrs clears its dispatch
    cache whenever it registers a mapping hook and asks the factory again."""
    hook = _ATTRS_HOOKS.get(cls)
    if hook is None:
        hook = _ATTRS_HOOKS[cls] = _attrs_structure_hook(cls)
    return hook


def _attrs_structure_hook(cls: type) -> Any:
    """A structure hook for the attrs class `cls`: for each `init` field, the value under its
    name, structured by the converter's hook for the field type (a missing field keeps its
    default). The field plan is built on first use, so recursive types resolve lazily. Where
    cattrs would call the type itself (`str`, `int`, …), a value already of that exact type
    is taken as is (`str(v) is v`)."""
    plan: list[tuple[str, str, Any, Any, bool]] | None = None  # name, alias, hook, type, …

    def build() -> list[tuple[str, str, Any, Any, bool]]:
        attrs.resolve_types(cls)
        steps = []
        for a in attrs.fields(cls):
            if not a.init:
                continue
            t = a.type
            hook = CONVERTER.structure if t is None else CONVERTER.get_structure_hook(t)
            call = hook == CONVERTER._structure_call  # hook None: call the type
            steps.append(
                (a.name, a.alias, None if call else hook, t, a.default is not attrs.NOTHING)
            )
        return steps

    def structure(value: Any, _: Any) -> Any:
        nonlocal plan
        if plan is None:
            plan = build()  # one assignment: a thread racing here builds the same plan
        kwargs = {}
        for name, alias, hook, t, optional in plan:
            if optional and name not in value:
                continue
            v = value[name]
            if hook is not None:
                kwargs[alias] = hook(v, t)
            else:
                kwargs[alias] = v if type(v) is t else t(v)
        return cls(**kwargs)

    return structure


CONVERTER.register_structure_hook_factory(attrs.has, _attrs_structure)
CONVERTER.register_structure_hook_factory(_is_map, _map_structure)
CONVERTER.register_unstructure_hook_factory(_is_map, _map_unstructure)
CONVERTER.register_structure_hook_func(_is_primitive_union, lambda v, _: v)
CONVERTER.register_structure_hook_func(lambda t: t is Any, decode_any)
CONVERTER.register_unstructure_hook_func(lambda t: t is Any, encode_any)
configure_tagged_union(expr.Node, CONVERTER, tag_name="type", tag_generator=lambda c: c.__name__)
configure_tagged_union(fx.IoEffect, CONVERTER, tag_name="type", tag_generator=lambda c: c.__name__)
configure_tagged_union(fx.Effect, CONVERTER, tag_name="type", tag_generator=lambda c: c.__name__)


def canonical(data: Any) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def unstructure(obj: Any, t: Any = None) -> Any:
    return CONVERTER.unstructure(obj, t if t is not None else type(obj))


def to_json(obj: Any, t: Any = None) -> str:
    """Canonical JSON of any core value (pass `t` for unions such as `fx.Effect`)."""
    return canonical(unstructure(obj, t))


def graph_hash(graph: Graph) -> str:
    return hashlib.blake2b(to_json(graph).encode(), digest_size=16).hexdigest()


def world_from_json(text: str) -> Any:
    from ojlang.runtime.core.world import World

    return CONVERTER.structure(json.loads(text), World)


def graph_from_json(text: str) -> Graph:
    return CONVERTER.structure(json.loads(text), Graph)


def effect_to_json(effect: fx.Effect) -> str:
    return to_json(effect, fx.Effect)


def effect_from_json(text: str) -> fx.Effect:
    effect: fx.Effect = CONVERTER.structure(json.loads(text), fx.Effect)  # type: ignore[arg-type]
    return effect


def input_body(inp: i.Input) -> dict[str, Any]:
    """The op body `{name, payload}` of an input."""
    if isinstance(inp, i.Reload):
        return {
            "name": inp.name,
            "payload": {"graph_hash": inp.graph.content_hash(), "request_id": inp.request_id},
        }
    payload = CONVERTER.unstructure(inp)
    payload.pop("verb", None)
    return {"name": inp.name, "payload": payload}


def input_to_json(inp: i.Input) -> str:
    return canonical(input_body(inp))


_INPUTS: dict[str, tuple[Any, str | None, Any]] = {}  # name → (class, verb, structure hook)


def _input_class(name: str) -> tuple[Any, str | None, Any]:
    """The class, verb (verbed inputs) and structure hook of an input name, memoized (replay
    reads every input op); `ValueError` for an unknown name."""
    known = _INPUTS.get(name)
    if known is None:
        cls = i.class_for(name)
        if cls is None:
            raise ValueError(f"unknown input `{name}`")
        verb = name[len(cls.PREFIX) :] if issubclass(cls, i._Verbed) else None
        known = _INPUTS[name] = (cls, verb, CONVERTER.get_structure_hook(cls))
    return known


def input_from_json(text: str, graphs: typing.Mapping[str, Graph] | None = None) -> i.Input:
    """Rebuild an input from its op body; `graphs` (hash → graph) is needed for `cmd:reload`.

    Raises `ValueError` for an unknown name or a reload whose graph is not given."""
    body = json.loads(text)
    name, payload = body["name"], dict(body["payload"])
    cls, verb, hook = _input_class(name)
    if cls is i.Reload:
        graph = (graphs or {}).get(payload["graph_hash"])
        if graph is None:
            raise ValueError(f"no graph `{payload['graph_hash']}` for `cmd:reload`")
        return i.Reload(graph, payload.get("request_id", ""))
    if verb is not None:
        payload["verb"] = verb
    return typing.cast(i.Input, hook(payload, cls))
