"""Annotated classes in, slotted record classes out: the part of attrs' API ojlang's checker uses.

Theory of operation. attrs makes each class by generating Python source for all its methods
and compiling it, and importing attrs loads `inspect`, `ast` and more: for the ~130 classes
of the check path that was about a fifth of a cold `oj check`. `frozen` and `define` make
the same kind of class (slotted, typed, frozen or mutable, compared and hashed by value,
inherited fields, `kw_only`, defaults and factories, field metadata) from one small compiled
`__init__` per shape of class (compiled once, copied with each class's parameter names);
`__repr__`, `__eq__` and `__hash__` are shared functions reading the fields through an
`operator.attrgetter`. Frozen instances refuse `setattr`; `__init__` sets
the slots through their descriptors.

Each class carries `__attrs_attrs__`, attribute records with the names attrs gives them
(`name`, `alias`, `default`, `init`, `eq`, `repr`, `kw_only`, `metadata`), so `attrs.fields`,
`attrs.evolve` and `attrs.has` also work on them where attrs is imported anyway.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from functools import partial
from types import CodeType, FunctionType, MappingProxyType
from typing import Any, TypeVar, dataclass_transform, overload

T = TypeVar("T")


class _Nothing:
    """The absence of a default (attrs' `NOTHING`)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "NOTHING"

    def __bool__(self) -> bool:
        return False


NOTHING: Any = _Nothing()


class FrozenInstanceError(AttributeError):
    """An attribute of a frozen record was set or deleted."""

    msg = "can't set attribute"

    def __init__(self) -> None:
        super().__init__(self.msg)


class Factory:
    """A default computed per instance: `Factory(list)`."""

    __slots__ = ("factory", "takes_self")

    def __init__(self, factory: Callable[..., Any], takes_self: bool = False) -> None:
        self.factory = factory
        self.takes_self = takes_self


class Attribute:
    """One field of a record class, as `attrs.fields` describes it."""

    __slots__ = (
        "alias",
        "converter",
        "default",
        "eq",
        "hash",
        "inherited",
        "init",
        "kw_only",
        "metadata",
        "name",
        "on_setattr",
        "order",
        "repr",
        "type",
        "validator",
    )

    def __init__(
        self,
        name: str,
        default: Any,
        *,
        init: bool = True,
        eq: bool = True,
        repr: bool = True,
        kw_only: bool = False,
        metadata: Mapping[Any, Any] | None = None,
        type: Any = None,
        inherited: bool = False,
    ) -> None:
        self.name = name
        self.alias = name.lstrip("_")
        self.default = default
        self.init = init
        self.eq = eq
        self.hash = eq
        self.order = False
        self.repr = repr
        self.kw_only = kw_only
        self.metadata = MappingProxyType(dict(metadata or {}))
        self.type = type
        self.inherited = inherited
        self.converter = None
        self.validator = None
        self.on_setattr = None

    def _inherit(self) -> Attribute:
        return Attribute(
            self.name,
            self.default,
            init=self.init,
            eq=self.eq,
            repr=self.repr,
            kw_only=self.kw_only,
            metadata=self.metadata,
            type=self.type,
            inherited=True,
        )

    def __repr__(self) -> str:
        return f"Attribute(name={self.name!r}, default={self.default!r})"


class _Field:
    """What `field()` leaves in a class body until the decorator reads it."""

    __slots__ = ("default", "eq", "init", "kw_only", "metadata", "repr")

    def __init__(
        self,
        default: Any,
        eq: bool,
        repr: bool,
        init: bool,
        kw_only: bool,
        metadata: Mapping[Any, Any] | None,
    ) -> None:
        self.default = default
        self.eq = eq
        self.repr = repr
        self.init = init
        self.kw_only = kw_only
        self.metadata = metadata


def field(
    *,
    default: Any = NOTHING,
    factory: Callable[[], Any] | None = None,
    eq: bool = True,
    repr: bool = True,
    init: bool = True,
    kw_only: bool = False,
    metadata: Mapping[Any, Any] | None = None,
) -> Any:
    """A field with options (attrs' `field`): `default` or `factory`, comparison, repr."""
    if factory is not None:
        default = Factory(factory)
    return _Field(default, eq, repr, init, kw_only, metadata)


def fields(cls: type) -> tuple[Attribute, ...]:
    """The fields of a record class, base classes' first."""
    found: tuple[Attribute, ...] | None = getattr(cls, "__attrs_attrs__", None)
    if found is None:
        raise TypeError(f"{cls!r} is not a record class")
    return found


def has(cls: type) -> bool:
    return getattr(cls, "__attrs_attrs__", None) is not None


def evolve(inst: T, **changes: Any) -> T:
    """A copy of `inst` with `changes` (attrs' `evolve`)."""
    cls = inst.__class__
    for a in fields(cls):
        if a.init and a.alias not in changes:
            changes[a.alias] = getattr(inst, a.name)
    return cls(**changes)


# -- the shared methods ----------------------------------------------------------------------


def _repr(self: Any) -> str:
    cls = self.__class__
    parts = [f"{a.name}={getattr(self, a.name, NOTHING)!r}" for a in cls.__rec_repr__]
    return f"{cls.__qualname__.rsplit('>.', 1)[-1]}({', '.join(parts)})"


def _eq(self: Any, other: Any) -> Any:
    if other.__class__ is not self.__class__:
        return NotImplemented
    key = self.__rec_key__
    return bool(key(self) == key(other))


def _hash(self: Any) -> int:
    return hash((self.__class__.__rec_hash__, self.__rec_key__(self)))


def _frozen_setattr(self: Any, name: str, value: Any) -> None:
    raise FrozenInstanceError


def _frozen_delattr(self: Any, name: str) -> None:
    raise FrozenInstanceError


def _getstate(self: Any) -> dict[str, Any]:
    return {a.name: getattr(self, a.name) for a in self.__attrs_attrs__ if hasattr(self, a.name)}


def _setstate(self: Any, state: dict[str, Any]) -> None:
    for name, value in state.items():
        object.__setattr__(self, name, value)


def _no_key(self: Any) -> tuple[()]:
    return ()


def _key(names: list[str]) -> Callable[[Any], Any]:
    if not names:
        return _no_key
    if len(names) == 1:
        get = operator.attrgetter(names[0])
        return lambda self: (get(self),)
    return operator.attrgetter(*names)


# -- building a class --------------------------------------------------------------------------


def _own_fields(cls: type, kw_only: bool) -> list[Attribute]:
    # Not `inspect.get_annotations`: importing `inspect` costs more than the whole module.
    annotations: dict[str, Any] = cls.__dict__.get("__annotations__", {})  # noqa: RUF063
    out = []
    for name, kind in annotations.items():
        if isinstance(kind, str) and kind.startswith(("ClassVar", "typing.ClassVar")):
            continue
        value = cls.__dict__.get(name, NOTHING)
        if isinstance(value, _Field):
            out.append(
                Attribute(
                    name,
                    value.default,
                    init=value.init,
                    eq=value.eq,
                    repr=value.repr,
                    kw_only=kw_only or value.kw_only,
                    metadata=value.metadata,
                    type=kind,
                )
            )
        else:
            out.append(Attribute(name, value, kw_only=kw_only, type=kind))
    return out


def _base_fields(cls: type, taken: set[str]) -> list[Attribute]:
    """Fields of the record base classes, as attrs collects them (freshest definition)."""
    found: list[Attribute] = []
    for base in reversed(cls.__mro__[1:-1]):
        for a in base.__dict__.get("__attrs_attrs__", ()):
            if a.inherited or a.name in taken:
                continue
            found.append(a._inherit())
    out: list[Attribute] = []
    seen: set[str] = set()
    for a in reversed(found):
        if a.name not in seen:
            out.insert(0, a)
            seen.add(a.name)
    return out


# `__init__` code per shape of class (which fields are set from which kind of argument), with
# placeholder parameter names: classes of one shape share one code object, and each gets a
# copy with its own parameter names (`code.replace`), defaults and globals. The shapes of
# ojlang's own classes come precompiled from `ojlang.rec_templates` (a generated module, so
# its bytecode is cached like any other): compiling them at every start was ~10% of a cold
# `oj check`. Other shapes are compiled here.
_TEMPLATES: dict[tuple[Any, ...], CodeType] = {}
_PRECOMPILED: dict[tuple[Any, ...], Any] | None = None


def _template(shape: tuple[Any, ...]) -> CodeType:
    global _PRECOMPILED
    if _PRECOMPILED is None:
        from ojlang.rec_templates import TEMPLATES

        _PRECOMPILED = TEMPLATES
    made = _PRECOMPILED.get(shape)
    if made is not None:
        code: CodeType = made.__code__
        return code.replace(co_name="__init__")
    namespace: dict[str, Any] = {}
    exec(compile(template_source(shape), "<record>", "exec"), namespace)
    code = namespace["__init__"].__code__
    return code


def template_source(shape: tuple[Any, ...], name: str = "__init__") -> str:
    """The source of the `__init__` template of `shape`, as a function called `name`."""
    fields, post_init = shape
    positional: list[str] = []
    keywords: list[str] = []
    body: list[str] = []
    for index, (init, kw_only, kind, takes_self) in enumerate(fields):
        arg = f"p{index}"
        if init:
            (keywords if kw_only else positional).append(arg)
            value = arg
        elif kind == "value":
            value = f"_d{index}"
        elif kind != "factory":
            continue
        if kind == "factory":
            call = f"_f{index}(self)" if takes_self else f"_f{index}()"
            if init:
                body.append(f"    if {arg} is NOTHING:\n        {arg} = {call}")
            else:
                value = call
        body.append(f"    _set{index}(self, {value})")
    if post_init:
        body.append("    self.__attrs_post_init__()")
    args = ["self", *positional]
    if keywords:
        args += ["*", *keywords]
    return f"def {name}({', '.join(args)}):\n" + ("\n".join(body) or "    pass") + "\n"


def shape_of(cls: type) -> tuple[Any, ...]:
    """The shape of a record class: the key of its `__init__` template."""
    fields = []
    for a in cls.__attrs_attrs__:  # type: ignore[attr-defined]
        default = a.default
        if isinstance(default, Factory):
            fields.append((a.init, a.kw_only, "factory", default.takes_self))
        else:
            fields.append((a.init, a.kw_only, "none" if default is NOTHING else "value", False))
    return (tuple(fields), "__attrs_post_init__" in cls.__dict__)


def _init(
    cls: type, attributes: list[Attribute], setters: list[Any], post_init: bool
) -> Callable[..., None]:
    """The `__init__` of a record class, from the template of its shape."""
    names: dict[str, Any] = {"NOTHING": NOTHING}
    fields = []
    positional: list[Attribute] = []
    keywords: list[Attribute] = []
    for index, a in enumerate(attributes):
        default = a.default
        if isinstance(default, Factory):
            kind, takes_self = "factory", default.takes_self
            names[f"_f{index}"] = default.factory
        else:
            kind, takes_self = ("none" if default is NOTHING else "value"), False
            names[f"_d{index}"] = default
        fields.append((a.init, a.kw_only, kind, takes_self))
        names[f"_set{index}"] = setters[index]
        if a.init:
            (keywords if a.kw_only else positional).append(a)
    shape = (tuple(fields), post_init)
    code = _TEMPLATES.get(shape)
    if code is None:
        code = _TEMPLATES[shape] = _template(shape)
    qualname = f"{cls.__qualname__}.__init__"
    code = code.replace(
        co_varnames=("self", *(a.alias for a in positional), *(a.alias for a in keywords)),
        co_qualname=qualname,
        co_filename=f"<record {cls.__module__}.{cls.__qualname__}>",
    )
    defaults = []
    for a in reversed(positional):
        if a.default is NOTHING:
            break
        defaults.append(NOTHING if isinstance(a.default, Factory) else a.default)
    if len(defaults) < sum(a.default is not NOTHING for a in positional):
        raise TypeError(f"{cls.__qualname__}: a field without a default follows one with")
    init = FunctionType(code, names, "__init__", tuple(reversed(defaults)) or None)
    kwdefaults = {
        a.alias: NOTHING if isinstance(a.default, Factory) else a.default
        for a in keywords
        if a.default is not NOTHING
    }
    init.__kwdefaults__ = kwdefaults or None
    init.__qualname__ = qualname
    return init


def _setters(cls: type, attributes: list[Attribute]) -> list[Any]:
    """Per field: sets it on an instance, past a frozen class's `__setattr__`."""
    out: list[Any] = []
    for a in attributes:
        slot: Any = None
        for klass in cls.__mro__:
            candidate = klass.__dict__.get(a.name)
            if candidate is not None:
                slot = candidate
                break
        if type(slot) is _MEMBER:
            out.append(slot.__set__)
        else:
            out.append(partial(_object_setattr, name=a.name))
    return out


_MEMBER: Any = type(vars(Factory)["factory"])  # the descriptor of a slot


def _object_setattr(self: Any, value: Any, *, name: str) -> None:
    object.__setattr__(self, name, value)


def _build(cls: type, *, frozen: bool, slots: bool, eq: bool, kw_only: bool) -> type:
    own = _own_fields(cls, kw_only)
    attributes = _base_fields(cls, {a.name for a in own}) + own
    body = dict(cls.__dict__)
    for a in own:
        body.pop(a.name, None)
    body.pop("__dict__", None)
    body.pop("__weakref__", None)
    if slots:
        inherited_slots: set[str] = set()
        for base in cls.__mro__[1:]:
            inherited_slots.update(base.__dict__.get("__slots__", ()))
        slot_names = [a.name for a in own if a.name not in inherited_slots]
        if "__weakref__" not in inherited_slots and not any(
            "__weakref__" in base.__dict__ for base in cls.__mro__[1:]
        ):
            slot_names.append("__weakref__")
        body["__slots__"] = tuple(slot_names)
    body["__attrs_attrs__"] = tuple(attributes)
    body["__rec_repr__"] = tuple(a for a in attributes if a.repr)
    body["__match_args__"] = tuple(a.name for a in attributes if a.init and not a.kw_only)
    if "__repr__" not in cls.__dict__:
        body["__repr__"] = _repr
    if eq:
        body["__rec_key__"] = staticmethod(_key([a.name for a in attributes if a.eq]))
        body["__eq__"] = _eq
        if frozen:
            body["__rec_hash__"] = hash(f"{cls.__module__}.{cls.__qualname__}")
            body["__hash__"] = _hash
        else:
            body["__hash__"] = None
    if frozen:
        body["__setattr__"] = _frozen_setattr
        body["__delattr__"] = _frozen_delattr
    if slots:
        body["__getstate__"] = _getstate
        body["__setstate__"] = _setstate
    made: type = type(cls)(cls.__name__, cls.__bases__, body) if slots else cls
    if not slots:
        for key, value in body.items():
            if key not in ("__dict__", "__weakref__"):
                setattr(made, key, value)
    post_init = "__attrs_post_init__" in body
    made.__init__ = _init(made, attributes, _setters(made, attributes), post_init)  # type: ignore[misc]
    return made


@overload
def frozen(maybe_cls: type[T], /) -> type[T]: ...


@overload
def frozen(
    *, slots: bool = True, eq: bool = True, kw_only: bool = False
) -> Callable[[type[T]], type[T]]: ...


@dataclass_transform(frozen_default=True, field_specifiers=(field,))
def frozen(
    maybe_cls: type[T] | None = None,
    /,
    *,
    slots: bool = True,
    eq: bool = True,
    kw_only: bool = False,
) -> Any:
    """A frozen record class (attrs' `frozen`)."""

    def wrap(cls: type[T]) -> type[T]:
        return _build(cls, frozen=True, slots=slots, eq=eq, kw_only=kw_only)

    return wrap if maybe_cls is None else wrap(maybe_cls)


@overload
def define(maybe_cls: type[T], /) -> type[T]: ...


@overload
def define(
    *, slots: bool = True, eq: bool = True, kw_only: bool = False
) -> Callable[[type[T]], type[T]]: ...


@dataclass_transform(field_specifiers=(field,))
def define(
    maybe_cls: type[T] | None = None,
    /,
    *,
    slots: bool = True,
    eq: bool = True,
    kw_only: bool = False,
) -> Any:
    """A mutable record class (attrs' `define`): unhashable when compared by value."""

    def wrap(cls: type[T]) -> type[T]:
        return _build(cls, frozen=False, slots=slots, eq=eq, kw_only=kw_only)

    return wrap if maybe_cls is None else wrap(maybe_cls)
