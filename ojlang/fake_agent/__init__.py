"""`oj-fake-agent` (RUNTIME.md §9.6): a scripted stand-in for an interactive claude session,
driven by a scenario TOML, that runs the claude hooks of its workspace; no network.
"""
