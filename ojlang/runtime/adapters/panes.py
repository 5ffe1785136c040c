"""Pane helpers shared by the tmux adapter and its fake: session names, typing chunks, the
output hash of §8.2 and process existence.
"""

from __future__ import annotations

import hashlib
import os
import re

from ojlang.runtime.adapters.errors import InvalidArgument

NAME_RE = re.compile(r"[^.:\s=\-][^.:\s]{0,63}")
CHUNK_BYTES = 512
HASH_LINES = 50


def check_name(name: str) -> str:
    if not NAME_RE.fullmatch(name):
        raise InvalidArgument(
            f"invalid session name `{name}`: use at most 64 characters without `.`, `:` or blanks"
        )
    return name


def chunks(text: str, limit: int = CHUNK_BYTES) -> list[str]:
    """`text` cut into pieces of at most `limit` UTF-8 bytes, never inside a character."""
    out: list[str] = []
    current: list[str] = []
    size = 0
    for char in text:
        width = len(char.encode("utf-8", "surrogatepass"))
        if size + width > limit and current:
            out.append("".join(current))
            current, size = [], 0
        current.append(char)
        size += width
    if current:
        out.append("".join(current))
    return out


def output_hash(text: str) -> str:
    """blake2b of pane text with trailing blanks stripped (lines and the whole)."""
    lines = [line.rstrip() for line in text.splitlines()]
    body = "\n".join(lines).rstrip()
    return hashlib.blake2b(body.encode("utf-8", "surrogatepass"), digest_size=8).hexdigest()


def pid_exists(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
