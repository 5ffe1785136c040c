#!/usr/bin/env bash
# `make run`: the main job on the embedded default.
# Until the runtime lands, it checks every bundled runbook (examples/ and stdlib_runbooks/)
# with `oj check` and prints the report.
set -uo pipefail
cd "$(dirname "$0")/.."
OJ=.venv/bin/oj
dirs=()
for d in examples stdlib_runbooks; do
  if compgen -G "$d/*.toml" >/dev/null; then dirs+=("$d"); fi
done
echo "== oj check ${dirs[*]}"
"$OJ" check --format full "${dirs[@]}"
status=$?
echo "== oj check exited with $status"
exit $status
