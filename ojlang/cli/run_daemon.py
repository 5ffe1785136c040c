"""`oj run PIPELINE|TASK` through a running daemon (RUNTIME.md §1, §10): a prepared run request
in; the run started by the project's daemon, and with `--wait` its events until it ends, out.

Used when a daemon already serves the project (it owns the store, so the in-process engine of
`run_local` could not start): without `--wait` the run id is printed and `oj run` returns at
once; with `--wait` it exits 0 when the run ends `done`, 1 when it fails, is cancelled or
escalates, 124 when `--timeout` expires. Returns None when no daemon answers.
"""

from __future__ import annotations

import sys
from typing import Any

from ojlang.run_api import Prepared


def via_daemon(prep: Prepared, *, wait: bool, timeout_s: float | None, as_json: bool) -> int | None:
    from ojlang.cli import common as c
    from ojlang.client import _try

    client = _try(prep.root, 5.0)
    if client is None:
        return None
    params: dict[str, Any] = {
        "pipeline": prep.pipeline_key,
        "vars": dict(prep.vars),
        "name": prep.run_name,
    }

    def body() -> int:
        from ojlang.cli.pipeline_cmd import follow
        from ojlang.runtime.daemon.protocol import RemoteError

        with client:
            if not wait:
                result = client.request("pipeline.start", params)
                if as_json:
                    c.emit_json("pipeline_start", result)
                else:
                    sys.stdout.write(f"started `{result['run']}`\n")
                return 0
            stream = client.stream(
                "pipeline.start", {**params, "timeout": timeout_s, "until_escalated": True}
            )
            try:
                return follow(stream, as_json)
            except RemoteError as err:
                if err.code == "timeout":
                    c.error(err.message)
                    return 124
                raise

    return c.guarded(body)
