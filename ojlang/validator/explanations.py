"""Long explanations of every diagnostic code: code in, trigger, reason, examples, related out.

`oj explain` prints them (see `explain.py`). Each `Explanation` carries a failing runbook
(`bad`) and its fixed version (`good`) as TOML text, so tests can run `oj check` over both:
write `bad` (or `good`) to `path` (or `good_path`) under a fresh project root, write every
entry of `files` beside it, and check. The failing example triggers the code; the fixed one
does not. `checkable` is false when the failure needs more than files (OJ004: a file the
checker cannot read). OJ001-OJ003 have failing examples that are not valid TOML by design.

The texts live in `explanations_data/`, one module per family of codes.
"""

from __future__ import annotations

from typing import Final

from ojlang import rec

DEFAULT_PATH: Final = "runbooks/example.toml"


@rec.frozen(slots=True)
class Explanation:
    """What `oj explain CODE` says about one code."""

    code: str
    trigger: str
    why: str
    bad: str
    good: str
    related: tuple[str, ...] = ()
    path: str = DEFAULT_PATH
    good_path: str | None = None
    files: tuple[tuple[str, str], ...] = ()
    checkable: bool = True

    @property
    def fixed_path(self) -> str:
        """Where the fixed example lives (the failing example's path unless renamed)."""
        return self.good_path or self.path


def _collect() -> dict[str, Explanation]:
    from ojlang.validator.explanations_data import (
        graph,
        minilang,
        references,
        schema,
        shell_style,
        syntax,
        templates,
    )

    families = (syntax, schema, references, templates, minilang, graph, shell_style)
    entries = [entry for family in families for entry in family.ENTRIES]
    return {entry.code: entry for entry in entries}


EXPLANATIONS: Final[dict[str, Explanation]] = _collect()
