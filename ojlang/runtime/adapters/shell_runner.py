"""The shell runner (RUNTIME.md §8.3) as text: the adapter writes it to `.oj/run/oj-runner` and
starts one per `RunShell` effect, so a restarted daemon can re-attach to what it left behind.

`python -I -S oj-runner DIR EFFECT_ID TIMEOUT_S GRACE_S SCRIPT`:

1. becomes a session leader (`setsid`) and records itself in `DIR/EFFECT_ID.pid` (tmp +
   rename, JSON `{"runner", "pgid", "started_us"}`; the adapter wrote the file with nulls
   before starting it, so a crash in between is never mistaken for "never started");
2. forks `bash --noprofile --norc -eo pipefail -c SCRIPT` into a process group of its own, with
   stdin `/dev/null` and stdout/stderr to `DIR/EFFECT_ID.out` / `.err`;
3. ignores SIGTERM/SIGINT/SIGHUP from then on (so it outlives the signals it relays and always
   records how the script ended) and writes the script's process group into the pid file;
4. at `TIMEOUT_S` (0 = none) sends SIGTERM to the script's group, SIGKILL `GRACE_S` later;
5. writes `DIR/EFFECT_ID.exit.tmp`, renamed to `.exit`: JSON `{"code", "signal", "timed_out",
   "ended_us"}` (`code` null when a signal ended the script).
"""

from __future__ import annotations

RUNNER = r'''"""oj shell runner, written by ojlang (RUNTIME.md section 8.3); do not edit."""
import json
import os
import signal
import sys
import time

RELAYED = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)


def _write(path, record):
    tmp = path + ".tmp"
    with open(tmp, "w") as handle:
        json.dump(record, handle)
    os.replace(tmp, path)


def main():
    directory, effect_id, timeout_s, grace_s, script = sys.argv[1:6]
    base = os.path.join(directory, effect_id)
    try:
        os.setsid()
    except OSError:
        pass
    started_us = time.time_ns() // 1000
    meta = {"runner": os.getpid(), "pgid": None, "started_us": started_us}
    _write(base + ".pid", meta)
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC
    out = os.open(base + ".out", flags, 0o600)
    err = os.open(base + ".err", flags, 0o600)
    child = os.fork()
    if child == 0:
        try:
            os.setpgid(0, 0)
            devnull = os.open(os.devnull, os.O_RDONLY)
            os.dup2(devnull, 0)
            os.dup2(out, 1)
            os.dup2(err, 2)
            argv = ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script]
            os.execvp("bash", argv)
        finally:
            os._exit(127)
    for sig in RELAYED:
        signal.signal(sig, signal.SIG_IGN)
    try:
        os.setpgid(child, child)
    except OSError:
        pass
    meta["pgid"] = child
    _write(base + ".pid", meta)
    state = {"timed_out": False, "stage": 0}

    def on_alarm(signum, frame):
        state["timed_out"] = True
        try:
            if state["stage"] == 0:
                state["stage"] = 1
                os.killpg(child, signal.SIGTERM)
                signal.setitimer(signal.ITIMER_REAL, float(grace_s))
            else:
                os.killpg(child, signal.SIGKILL)
        except ProcessLookupError:
            pass

    if float(timeout_s) > 0:
        signal.signal(signal.SIGALRM, on_alarm)
        signal.setitimer(signal.ITIMER_REAL, float(timeout_s))
    _, status = os.waitpid(child, 0)
    signal.setitimer(signal.ITIMER_REAL, 0)
    if os.WIFSIGNALED(status):
        code, sig = None, os.WTERMSIG(status)
    else:
        code, sig = os.WEXITSTATUS(status), None
    ended_us = time.time_ns() // 1000
    record = {"code": code, "signal": sig, "timed_out": state["timed_out"], "ended_us": ended_us}
    _write(base + ".exit", record)


main()
'''
