"""`python -m ojlang.runtime.daemon --root ROOT [--foreground] [--salvage]`: argv in, one daemon
for the project at ROOT run until it is stopped, its exit code out (RUNTIME.md §7.3–7.4)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ojlang.runtime.daemon")
    parser.add_argument("--root", required=True, help="the project root")
    parser.add_argument("--foreground", action="store_true", help="report to this terminal")
    parser.add_argument("--salvage", action="store_true", help="quarantine a corrupt op log tail")
    args = parser.parse_args(argv)
    root = Path(args.root)
    if not root.is_dir():
        sys.stderr.write(f"error: `{root}` is not a directory\n")
        return 72
    os.chdir(root)
    from ojlang.runtime.daemon.lifecycle import run

    return run(root, salvage=args.salvage, foreground=args.foreground)


if __name__ == "__main__":
    sys.exit(main())
