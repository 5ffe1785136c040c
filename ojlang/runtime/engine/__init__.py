"""The engine (RUNTIME.md §1, §4, §5.3, §7.5): inputs in; ops committed through the journal,
effects executed by the adapters and fed back as inputs, events published, replies sent out.

`Engine(root, graph, adapters)` owns one loop thread (`loop.py`): group commit, the timer wheel
(`timers.py`), keyed thread pools for adapter calls (`pool.py`, `execute.py`), the event bus
for engine subscribers (`bus.py`), recovery of intents by class and reconcile on start
(`recovery.py`), and the liveness poll of agent sessions (`monitor.py`). `settings.py` reads
`.oj/config.toml`; `wiring.py` builds the real adapter bundle; `signals.py` maps agent signals
to inputs.
"""

from __future__ import annotations

from typing import Any

__all__ = ["Engine", "EngineError", "EngineSettings", "SettingsError", "load_settings"]
_WHERE = {
    "Engine": "loop",
    "EngineError": "loop",
    "EngineSettings": "settings",
    "SettingsError": "settings",
    "load_settings": "settings",
}


def __getattr__(name: str) -> Any:
    """Lazy exports: importing `engine.settings` must not load the loop and the core."""
    if name not in _WHERE:
        raise AttributeError(name)
    import importlib

    return getattr(importlib.import_module(f"ojlang.runtime.engine.{_WHERE[name]}"), name)
