"""The import graph of the package, from its source (every import, at the top or inside a function).

``python tools/imports.py`` prints the cycles (strongly connected groups of modules); ``make lint``
runs it and fails on any. A shared piece of two modules that import each other belongs in a module
below both.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "appliance"


def module_name(path: Path) -> str:
    rel = path.relative_to(ROOT).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def imports(path: Path, modules: set[str]) -> set[str]:
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                mod = ".".join([*base, node.module] if node.module else base)
            else:
                mod = node.module or ""
            targets = [mod] + [f"{mod}.{a.name}" for a in node.names]
        else:
            continue
        for t in targets:
            while t and t not in modules:
                t = t.rpartition(".")[0]
            if t and t != name and t.startswith(PACKAGE):
                out.add(t)
    return out


def graph() -> dict[str, set[str]]:
    paths = sorted((ROOT / PACKAGE).rglob("*.py"))
    modules = {module_name(p) for p in paths}
    g = {module_name(p): imports(p, modules) for p in paths}
    for m in g:  # a package's __init__ importing its own modules is not a cycle of design
        g[m] = {t for t in g[m] if not (t.startswith(m + ".") or m.startswith(t + "."))}
    return g


def cycles(g: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []
    sys.setrecursionlimit(10000)

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in g.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(g):
        if v not in index:
            visit(v)
    return out


# Cycles inside the telephony package, which its engineer is rebuilding (issue 16, issue 18 items
# 1-2: the sans-I/O protocol, one modem-emulator core): listed so that no new one goes unseen.
KNOWN = [
    ["appliance.telephony.gsm_calls", "appliance.telephony.gsm_multiparty"],
    ["appliance.telephony.emulator.commands", "appliance.telephony.emulator.modem",
     "appliance.telephony.emulator.session"],
    ["appliance.telephony.simulator.calls", "appliance.telephony.simulator.core",
     "appliance.telephony.simulator.multiparty", "appliance.telephony.simulator.tcp"],
    ["appliance.telephony.factory", "appliance.telephony.simulator.lines"],
]


def main() -> int:
    found = cycles(graph())
    new = [c for c in found if c not in KNOWN]
    for c in new:
        print("import cycle: " + " <-> ".join(c))
    for c in KNOWN:
        if c not in found:
            print(f"note: the known cycle {' <-> '.join(c)} is gone: remove it from KNOWN in {__file__}")
    return 1 if new else 0


if __name__ == "__main__":
    sys.exit(main())
