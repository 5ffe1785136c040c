"""The machine id (RUNTIME.md §2.4): the environment in, a stable id per machine and user out.

`$OJ_MACHINE_ID` when set (tests); else the content of
`${XDG_STATE_HOME:-~/.local/state}/oj/machine-id`, created once with 16 random hex digits
(mode 0600). Creation writes a temporary file and links it into place, so two processes racing
agree on one id and a crash never leaves an empty file. Never derived from the hostname, never
regenerated.
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Mapping
from pathlib import Path

from ojlang.runtime.store.errors import StoreRefused

ENV = "OJ_MACHINE_ID"
_VALID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


def machine_id_path(env: Mapping[str, str] | None = None) -> Path:
    env = os.environ if env is None else env
    base = env.get("XDG_STATE_HOME") or str(
        Path(env.get("HOME") or "~").expanduser() / ".local" / "state"
    )
    return Path(base) / "oj" / "machine-id"


def machine_id(env: Mapping[str, str] | None = None) -> str:
    """The machine id; raises `StoreRefused` when the file exists but is not an id."""
    env = os.environ if env is None else env
    given = env.get(ENV, "").strip()
    if given:
        if not _VALID.match(given):
            raise StoreRefused(
                f"`{ENV}` is not a valid machine id: {given!r}",
                help="use 1 to 64 letters, digits, `.`, `_` or `-`",
            )
        return given
    path = machine_id_path(env)
    if not path.exists():
        _create(path)
    text = path.read_text(encoding="utf-8", errors="replace").strip()
    if not _VALID.match(text):
        raise StoreRefused(
            f"`{path}` does not hold a machine id",
            help="delete the file; a new id is created on the next start",
        )
    return text


def _create(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".machine-id.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.write(fd, f"{secrets.token_hex(8)}\n".encode())
        os.fsync(fd)
    finally:
        os.close(fd)
    try:
        os.link(tmp, path)  # fails if another process won the race: keep its id
    except FileExistsError:
        pass
    finally:
        tmp.unlink(missing_ok=True)
