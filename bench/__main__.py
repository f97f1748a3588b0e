"""Run every benchmark module in turn: ``python -m bench [name …]``."""

from __future__ import annotations

import importlib
import sys

# Each module has run() -> None and prints its figures with bench.common.emit.
MODULES = ["routing", "wall", "pages", "leaders", "intake", "workflow", "outbox", "growth", "uploads", "replica"]


def main(names: list[str]) -> None:
    for name in names or MODULES:
        try:
            module = importlib.import_module(f"bench.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"bench.{name}":
                print(f"# bench.{name}: not written yet", file=sys.stderr)
                continue
            raise
        module.run()


if __name__ == "__main__":
    main(sys.argv[1:])
