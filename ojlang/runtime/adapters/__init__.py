"""Adapters (RUNTIME.md §8): blocking calls to tmux, git, shells, notifiers and agent files,
each with an in-memory fake beside it; `interfaces` holds the Protocols and plain values.

Importing this package imports nothing heavy: `tmux` (libtmux) and `git` (GitPython) load only
when their modules are imported.
"""
