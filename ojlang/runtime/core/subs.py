"""In-step event subscriptions (RUNTIME.md §5.3): (pattern, subscriber) pairs in, the
subscribers of an event out. Indexed by the pattern's first segment."""

from __future__ import annotations

import attrs

from ojlang.runtime.core.ctx import Tx
from ojlang.runtime.core.events import Event
from ojlang.runtime.core.patterns import first_segment, matches


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


def subscribers_of(tx: Tx, event: Event) -> list[str]:
    subs = tx.world.subscriptions
    found: list[str] = []
    for key in (event.scope, "*"):
        for s in subs.get(key, ()):
            if s.subscriber not in found and matches(s.pattern, event):
                found.append(s.subscriber)
    return found
