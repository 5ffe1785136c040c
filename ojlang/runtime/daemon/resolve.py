"""Id matching (RUNTIME.md §2.3): what the user typed and the ids of one kind in, the one id
meant out, or a `not_found`/`ambiguous` error (CLI exit 5) that helps.

An exact id wins; else a unique prefix among the ids; else, for runs, a unique run NAME (a
name shared by several runs prefers the one still live); else, for loops and definitions keyed
`RUNBOOK.NAME`, a unique bare name, then a unique prefix of a bare name. Ambiguous input lists
up to 10 candidates; unknown input names a close match, or some of the ids.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from ojlang.runtime.daemon.protocol import RemoteError

MAX_CANDIDATES = 10


def _ambiguous(kind: str, text: str, found: list[str]) -> RemoteError:
    shown = sorted(found)[:MAX_CANDIDATES]
    more = f" (and {len(found) - len(shown)} more)" if len(found) > len(shown) else ""
    return RemoteError(
        "ambiguous",
        f"`{text}` matches {len(found)} {kind}s",
        "candidates: " + ", ".join(f"`{c}`" for c in shown) + more,
        {"candidates": shown},
    )


def unknown(kind: str, text: str, pool: Iterable[str]) -> RemoteError:
    from ojlang.parser.mini import close_match

    ids = sorted(set(pool))
    best = close_match(text, ids)
    if best is not None:
        help = f"a {kind} with a similar id exists: `{best}`"
    elif ids:
        shown = ", ".join(f"`{i}`" for i in ids[:8])
        help = f"known {kind}s: {shown}" + (", …" if len(ids) > 8 else "")
    else:
        help = f"there is no {kind} yet"
    return RemoteError("not_found", f"no {kind} `{text}`", help)


def resolve(
    kind: str,
    text: str,
    ids: Iterable[str],
    *,
    names: Mapping[str, Iterable[str]] | None = None,
    live: Iterable[str] = (),
    bare: bool = False,
) -> str:
    """The id `text` stands for among `ids` (see the module docstring)."""
    pool = list(ids)
    if text in pool:
        return text
    if text:
        hits = [i for i in pool if i.startswith(text)]
        if len(hits) == 1:
            return hits[0]
        if len(hits) > 1:
            raise _ambiguous(kind, text, hits)
        if names is not None and text in names:
            owners = sorted(set(names[text]))
            if len(owners) == 1:
                return owners[0]
            alive = [o for o in owners if o in set(live)]
            if len(alive) == 1:
                return alive[0]
            if owners:
                raise _ambiguous(kind, text, owners)
        if bare:
            for test in (str.__eq__, str.startswith):
                short = [i for i in pool if test(i.rpartition(".")[2], text)]
                if len(short) == 1:
                    return short[0]
                if len(short) > 1:
                    raise _ambiguous(kind, text, short)
    raise unknown(kind, text, pool)
