"""Long functions: the house style allows no function over 60 lines (``end_lineno - lineno + 1``
of its ``def``, decorators left out). ``python tools/funclen.py`` prints each one as
``path:line name length`` and exits 1 if any; ``make lint`` runs it.

A long function is split into well-named smaller ones, one concern each.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PATHS = ["appliance", "bench", "tools", "tests"]
LIMIT = 60


def long_functions(path: Path) -> list[tuple[int, str, int]]:
    """(line, name, length) of every function or method of ``path`` longer than ``LIMIT``."""
    out: list[tuple[int, str, int]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.end_lineno is not None:
            length = node.end_lineno - node.lineno + 1
            if length > LIMIT:
                out.append((node.lineno, node.name, length))
    return sorted(out)


def report() -> list[str]:
    lines: list[str] = []
    for top in PATHS:
        for path in sorted((ROOT / top).rglob("*.py")):
            rel = path.relative_to(ROOT)
            lines += [f"{rel}:{line} {name} {length}" for line, name, length in long_functions(path)]
    return lines


def main() -> int:
    found = report()
    for line in found:
        print(line)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
