"""The engine (RUNTIME.md §1, §4, §5.3, §7.5): inputs in; ops committed through the journal,
effects executed by the adapters and fed back as inputs, events published, replies sent out.

`Engine(root, graph, adapters)` owns one loop thread (`loop.py`): group commit, the timer wheel
(`timers.py`), keyed thread pools for adapter calls (`pool.py`, `execute.py`), the event bus
for engine subscribers (`bus.py`), recovery of intents by class and reconcile on start
(`recovery.py`), and the liveness poll of agent sessions (`monitor.py`). `settings.py` reads
`.oj/config.toml`; `wiring.py` builds the real adapter bundle; `signals.py` maps agent signals
to inputs.
"""

from ojlang.runtime.engine.loop import Engine, EngineError
from ojlang.runtime.engine.settings import EngineSettings, SettingsError, load_settings

__all__ = ["Engine", "EngineError", "EngineSettings", "SettingsError", "load_settings"]
