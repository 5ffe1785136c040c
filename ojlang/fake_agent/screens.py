"""What the fake agent prints (RUNTIME.md §9.6): failure kinds in, the screen text claude shows
for them out (so the agent adapter's `read_screen` recognises both the same way).
"""

from __future__ import annotations

import json

from ojlang.fake_agent.scenario import Failure

BANNER = "✻ Welcome to oj-fake-agent ({name})"
PROMPT = "> "
NO_RULE = "⏺ (no response matches this message)"


def _api_error(status: int, kind: str, message: str) -> str:
    body = json.dumps({"type": "error", "error": {"type": kind, "message": message}})
    return f"API Error: {status} {body}"


def failure_text(failure: Failure) -> str:
    """The error line for a printing failure (not `hang`, `crash`)."""
    kind = failure.type
    if kind == "network_unreachable":
        return "  ⎿  API Error: Connection error."
    if kind == "auth_error":
        return f"  ⎿  {_api_error(401, 'authentication_error', failure.message)}"
    if kind == "rate_limit":
        seconds = f"{failure.retry_after:g}"
        error = _api_error(429, "rate_limit_error", "Number of requests exceeds the rate limit")
        return f"  ⎿  {error} · retry after {seconds}s"
    if kind == "connection_timeout":
        return "  ⎿  API Error: Request timed out."
    if kind == "malformed_json":
        return f"  ⎿  API Error: Unexpected token in JSON response: {failure.raw}"
    if kind == "out_of_credits":
        return "  ⎿  Credit balance is too low · Add funds to continue"
    raise ValueError(f"failure `{kind}` prints nothing")
