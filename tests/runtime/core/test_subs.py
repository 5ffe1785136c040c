"""Event subscriptions: the indexed lookup gives exactly the subscribers, in the order, that
trying every pattern of the event's buckets gives."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from hypothesis import given, settings
from hypothesis import strategies as st

from ojlang.runtime.core import subs
from ojlang.runtime.core.ctx import Tx
from ojlang.runtime.core.events import Event
from ojlang.runtime.core.graph import Graph
from ojlang.runtime.core.patterns import first_segment, matches
from ojlang.runtime.core.world import initial_world


def _tx(pairs: list[tuple[str, str]]) -> Tx:
    tx = Tx(initial_world(Graph()), 0, 0, "test")
    for pattern, subscriber in pairs:
        subs.add(tx, pattern, subscriber)
    return Tx(tx.freeze(), 0, 0, "test")


def _scan(pairs: list[tuple[str, str]], event: Event) -> list[str]:
    """What a plain scan gives: buckets in lookup order, patterns in insertion order."""
    found: list[str] = []
    for key in (event.scope, "*"):
        for pattern, subscriber in pairs:
            fits = first_segment(pattern) == key and matches(pattern, event)
            if fits and subscriber not in found:
                found.append(subscriber)
    return found


@contextmanager
def _indexing_every_bucket() -> Iterator[None]:
    """Small buckets are scanned; the tests check the index on them too."""
    before = subs._INDEX_FROM
    subs._INDEX_FROM = 0
    try:
        yield
    finally:
        subs._INDEX_FROM = before


_SEGMENT = st.sampled_from(["run", "queue", "item", "done", "*", "**"])
_NAME = st.lists(_SEGMENT, min_size=1, max_size=3).map(":".join)
_SUBJECT = st.sampled_from(["", "r-1", "r-2", "r-*", "r-?", "[rq]-1", "q-1"])
_PATTERN = st.tuples(_NAME, _SUBJECT).map(lambda p: f"{p[0]}@{p[1]}" if p[1] else p[0])
_EVENT_NAME = st.lists(st.sampled_from(["run", "queue", "item", "done"]), min_size=1, max_size=3)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.tuples(_PATTERN, st.sampled_from(["a", "b", "c", "d", "e"])), max_size=12),
    _EVENT_NAME.map(":".join),
    st.sampled_from(["r-1", "r-2", "q-1", "x"]),
)
def test_the_index_finds_what_a_scan_finds(
    pairs: list[tuple[str, str]], name: str, subject: str
) -> None:
    event = Event(name=name, subject=subject, time_us=0, seq=0)
    tx = _tx(pairs)
    assert subs.subscribers_of(tx, event) == _scan(pairs, event)
    with _indexing_every_bucket():
        assert subs.subscribers_of(tx, event) == _scan(pairs, event)


def test_each_kind_of_pattern_is_found_in_bucket_order() -> None:
    with _indexing_every_bucket():
        pairs = [
            ("**@r-*", "glob"),
            ("run:done", "name"),
            ("run:*@r-1", "wild-name-literal-subject"),
            ("run:done@r-1", "name-and-subject"),
            ("run:*", "wild"),
            ("run:done@r-2", "other-subject"),
            ("queue:item:added", "other-bucket"),
        ]
        tx = _tx(pairs)
        event = Event(name="run:done", subject="r-1", time_us=0, seq=0)
        expected = ["name", "wild-name-literal-subject", "name-and-subject", "wild", "glob"]
        assert subs.subscribers_of(tx, event) == expected
        assert subs.subscribers_of(tx, event) == expected  # from the memoized index
        other = Event(name="phase:started", subject="r-3", time_us=0, seq=0)
        assert subs.subscribers_of(tx, other) == ["glob"]


def test_one_subscriber_is_found_once_and_a_changed_bucket_is_indexed_again() -> None:
    with _indexing_every_bucket():
        tx = _tx([("run:done", "guard:g"), ("run:*", "guard:g")])
        event = Event(name="run:done", subject="r-1", time_us=0, seq=0)
        assert subs.subscribers_of(tx, event) == ["guard:g"]
        subs.add(tx, "run:done@r-1", "worker:w")
        assert subs.subscribers_of(tx, event) == ["guard:g", "worker:w"]
        subs.remove_all(tx, "guard:g")
        assert subs.subscribers_of(tx, event) == ["worker:w"]


def test_the_memo_of_indexes_stays_bounded() -> None:
    with _indexing_every_bucket():
        event = Event(name="run:done", subject="r-1", time_us=0, seq=0)
        txs = [_tx([(f"run:done@r-{k % 2}", f"guard:{k}")]) for k in range(subs._MAX_INDEXES + 3)]
        for k, tx in enumerate(txs):
            assert subs.subscribers_of(tx, event) == ([f"guard:{k}"] if k % 2 == 1 else [])
        assert len(subs._INDEXES) <= subs._MAX_INDEXES
