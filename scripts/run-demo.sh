#!/usr/bin/env bash
# `make run`: the main job end to end on a fresh machine, in about half a minute.
#
# It creates a demo project in a temporary git repository, starts its daemon, enables the
# stdlib workers `builds` and `mergeq`, and runs `oj run build greet "…"`. The agent is
# `oj-fake-agent` driven by stdlib_runbooks/demo/agent.toml (a `claude` shim on PATH), so the
# build plans, decomposes, executes and commits for real in a worktree; the branch lands on
# `main` through the merge queue. It then prints the graph, the phases the runs went through
# and the merged commits, stops the daemon, kills its tmux server and removes the directory.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
BIN="$repo/.venv/bin"
test -x "$BIN/oj" || { echo "error: $BIN/oj is missing: run \`make setup\`" >&2; exit 2; }
started=$(date +%s%N)

tmp="$(mktemp -d "${TMPDIR:-/tmp}/oj-demo.XXXXXX")"
proj="$tmp/demo"
mkdir -p "$proj" "$tmp/home" "$tmp/bin"

cleanup() {
  status=$?
  if [ -S "$proj/.oj/run/daemon.sock" ] || [ -f "$proj/.oj/run/daemon.json" ]; then
    (cd "$proj" && timeout 20 oj daemon stop --kill-agents --timeout 10s >/dev/null 2>&1) || true
  fi
  sock="$(cd "$proj" 2>/dev/null && "$BIN/python" -c \
    'from pathlib import Path; from ojlang.runtime.daemon.protocol import tmux_socket_path as t; print(t(Path(".oj").resolve()))' \
    2>/dev/null || true)"
  if [ -n "$sock" ] && [ -S "$sock" ]; then
    tmux -S "$sock" kill-server >/dev/null 2>&1 || true
    rm -f "$sock"
  fi
  if [ "$status" -ne 0 ] && [ -f "$proj/.oj/logs/daemon.log" ]; then
    echo "== daemon log (last 20 lines)" >&2
    tail -n 20 "$proj/.oj/logs/daemon.log" >&2 || true
  fi
  rm -rf "$tmp"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A clean, private environment: no user config, no user runbooks, a fixed git identity.
export HOME="$tmp/home" XDG_CONFIG_HOME="$tmp/home/config" XDG_STATE_HOME="$tmp/home/state"
export GIT_CONFIG_GLOBAL="$tmp/home/gitconfig" GIT_CONFIG_NOSYSTEM=1 NO_COLOR=1
export PATH="$tmp/bin:$BIN:$PATH"
unset OJ_STDLIB_DIR TMUX || true
printf '[user]\n\tname = oj demo\n\temail = demo@example.invalid\n[init]\n\tdefaultBranch = main\n' \
  >"$GIT_CONFIG_GLOBAL"

# The agent: `claude` on PATH runs the scripted fake agent (same profile, same hooks).
cat >"$tmp/bin/claude" <<EOF
#!/bin/sh
exec "$BIN/oj-fake-agent" --scenario "$repo/stdlib_runbooks/demo/agent.toml" "\$@"
EOF
chmod +x "$tmp/bin/claude"

step() { printf '\n== %s\n' "$*"; }

step "demo project in $proj"
cd "$proj"
git init -q -b main
git config user.name "oj demo"
git config user.email "demo@example.invalid"
printf '# demo\n' >README.md
git add README.md
git commit -qm "initial commit"
mkdir -p .oj
# Short polling and lingering so that the demo is quick; everything else is the default.
cat >.oj/config.toml <<'EOF'
[runtime]
poll_interval = "500ms"
linger = "1s"
idle_grace = "2s"
activity_coalesce = "1s"

[agents]
stop_gate = false
EOF
printf '.oj/\n' >.git/info/exclude

step "oj daemon start"
oj daemon start
oj worker enable builds
oj worker enable mergeq

step 'oj run build greet "Add a greeting function"'
oj run build greet "Add a greeting function"
oj graph build.build >"$tmp/graph.txt" 2>&1 &  # drawn while the build runs
graph_pid=$!
if ! oj pipeline wait build-greet --timeout 50s; then
  oj status || true
  echo "error: the build did not finish" >&2
  exit 1
fi

step "oj graph build.build"
wait "$graph_pid" || true
cat "$tmp/graph.txt"

step "what happened"
oj events tail 'pipeline:phase' -n 50 | sed 's/^/  /'
oj pipeline list --all | sed 's/^/  /'

step "main after the merge"
git log --graph --oneline --decorate main
git merge-base --is-ancestor build/greet main
echo "build/greet is on main; greet.py:"
git show main:greet.py | sed 's/^/  /'

elapsed=$((($(date +%s%N) - started) / 1000000))
step "done in $((elapsed / 1000)).$(printf '%03d' $((elapsed % 1000)))s"
