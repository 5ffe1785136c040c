"""Clocks: the system clock reads the OS; the fake clock only moves forward and shares time."""

from __future__ import annotations

import pytest

from ojlang.runtime.clock import FAKE_START_US, FakeClock, SystemClock


def test_system_clock_is_plausible() -> None:
    c = SystemClock()
    assert c.now_us() > FAKE_START_US - 10**15
    a = c.monotonic_ns()
    assert c.monotonic_ns() >= a


def test_fake_clock_moves_forward_and_copies_share_time() -> None:
    c = FakeClock()
    twin = c.copy()
    assert c.now_us() == FAKE_START_US
    c.advance(5)
    twin.set(FAKE_START_US + 10)
    assert c.now_us() == FAKE_START_US + 10 and c.monotonic_ns() == c.now_us() * 1000
    with pytest.raises(ValueError):
        c.set(FAKE_START_US)
    with pytest.raises(ValueError):
        c.advance(-1)
