#!/usr/bin/env bash
# Installs the system tools ojlang needs (bash, git, tmux) when they are missing.
# Uses apt-get on Debian/Ubuntu; elsewhere it says what to install and stops.
set -euo pipefail
missing=()
for tool in bash git tmux; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
# Optional: with shellcheck, `oj check` also reports OJ602 (tests that need it skip without it).
if ! command -v shellcheck >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1; then
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  { $sudo_cmd apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
      $sudo_cmd apt-get install -y -qq shellcheck >/dev/null; } 2>/dev/null \
    || echo "note: shellcheck not installed (optional)"
fi
[ ${#missing[@]} -eq 0 ] && exit 0
echo "installing missing system tools: ${missing[*]}"
if command -v apt-get >/dev/null 2>&1; then
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${missing[@]}" >/dev/null
else
  echo "error: please install ${missing[*]} with your package manager, then run make again" >&2
  exit 2
fi
