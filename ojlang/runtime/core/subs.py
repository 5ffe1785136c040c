"""In-step event subscriptions (RUNTIME.md §5.3): (pattern, subscriber) pairs in, the
subscribers of an event out. Indexed by the pattern's first segment.

Within a bucket, matching uses an index derived from the (immutable) bucket and memoized by its
identity, so a lookup does not try every pattern (§13: 50,000 events/s with 1,000
subscriptions): patterns with a literal name are found by name (and by subject when theirs is
literal too), wildcard names with a literal subject by subject, and only wildcard subjects are
tried one by one; buckets of fewer than `_INDEX_FROM` patterns are simply scanned. Subscribers
come out in the bucket's order, as a plain scan would give them.
"""

from __future__ import annotations

import attrs

from ojlang.runtime.core.ctx import Tx
from ojlang.runtime.core.events import Event
from ojlang.runtime.core.patterns import first_segment, is_literal, matches, parts


@attrs.frozen
class Subscription:
    pattern: str  # rendered pattern
    subscriber: str  # `guard:GID`, `worker:KEY`, `watcher:KEY`


def add(tx: Tx, pattern: str, subscriber: str) -> None:
    key = first_segment(pattern)
    subs = tx.world.subscriptions
    tx.set(subscriptions=subs.set(key, (*subs.get(key, ()), Subscription(pattern, subscriber))))
    keys = tx.world.subscribers.get(subscriber, ())
    if key not in keys:
        tx.set(subscribers=tx.world.subscribers.set(subscriber, (*keys, key)))


def remove_all(tx: Tx, subscriber: str) -> None:
    keys = tx.world.subscribers.get(subscriber)
    if keys is None:
        return
    subs = tx.world.subscriptions
    for key in keys:
        rest = tuple(s for s in subs[key] if s.subscriber != subscriber)
        subs = subs.set(key, rest) if rest else subs.delete(key)
    tx.set(subscriptions=subs, subscribers=tx.world.subscribers.delete(subscriber))


@attrs.frozen
class _Index:
    """Positions in a bucket: by (name, subject-or-None) for literal names, by subject for
    wildcard names with a literal subject; `rest` are tried one by one."""

    by_name: dict[tuple[str, str | None], tuple[int, ...]]
    by_subject: dict[str, tuple[int, ...]]
    rest: tuple[int, ...]


_INDEXES: dict[int, tuple[tuple[Subscription, ...], _Index]] = {}
_MAX_INDEXES = 512
_INDEX_FROM = 8  # buckets smaller than this are scanned: they change often and scan fast


def _index(bucket: tuple[Subscription, ...]) -> _Index:
    hit = _INDEXES.get(id(bucket))
    if hit is not None and hit[0] is bucket:
        return hit[1]
    by_name: dict[tuple[str, str | None], list[int]] = {}
    by_subject: dict[str, list[int]] = {}
    rest: list[int] = []
    for pos, sub in enumerate(bucket):
        name, subject = parts(sub.pattern)
        if subject is not None and not is_literal(subject):
            rest.append(pos)
        elif is_literal(name):
            by_name.setdefault((name, subject), []).append(pos)
        elif subject is not None:
            by_subject.setdefault(subject, []).append(pos)
        else:
            rest.append(pos)
    index = _Index(
        {k: tuple(v) for k, v in by_name.items()},
        {k: tuple(v) for k, v in by_subject.items()},
        tuple(rest),
    )
    if len(_INDEXES) >= _MAX_INDEXES:
        _INDEXES.clear()
    _INDEXES[id(bucket)] = (bucket, index)  # the bucket is kept alive, so its id stays its own
    return index


def subscribers_of(tx: Tx, event: Event) -> list[str]:
    subs = tx.world.subscriptions
    found: list[str] = []
    seen: set[str] = set()
    for key in (event.scope, "*"):
        bucket = subs.get(key)
        if not bucket:
            continue
        if len(bucket) < _INDEX_FROM:  # a scan is cheaper than indexing a small bucket
            for s in bucket:
                if s.subscriber not in seen and matches(s.pattern, event):
                    seen.add(s.subscriber)
                    found.append(s.subscriber)
            continue
        index = _index(bucket)
        hits = [
            *index.by_name.get((event.name, None), ()),
            *index.by_name.get((event.name, event.subject), ()),
            *index.by_subject.get(event.subject, ()),
            *index.rest,
        ]
        hits.sort()
        verdicts: dict[str, bool] = {}  # many subscribers share one pattern
        for pos in hits:
            s = bucket[pos]
            ok = verdicts.get(s.pattern)
            if ok is None:
                ok = verdicts[s.pattern] = matches(s.pattern, event)
            if ok and s.subscriber not in seen:
                seen.add(s.subscriber)
                found.append(s.subscriber)
    return found
