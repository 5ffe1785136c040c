"""`make bench`: run every benchmark module of `bench/` and print its figures.

Each benchmark module exposes `run() -> dict` (figures, including medians and ratios against
a baseline measured in the same run) and prints its own report when run alone. Pass module
names to run a subset: `python -m bench toml_parse check_cold`.
"""

from __future__ import annotations

import importlib
import json
import pkgutil
import sys
from pathlib import Path


def main(argv: list[str]) -> int:
    here = Path(__file__).parent
    names = argv or sorted(
        m.name for m in pkgutil.iter_modules([str(here)]) if not m.name.startswith("_")
    )
    results = {}
    for name in names:
        module = importlib.import_module(f"bench.{name}")
        print(f"== {name}", flush=True)
        figures = module.run()
        for key, value in figures.items():
            print(f"  {key}: {value}")
        results[name] = figures
    out = here / "results.json"
    out.write_text(json.dumps(results, indent=2, default=str) + "\n", encoding="utf-8")
    print(f"figures written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
