"""Unreferenced code: every function, method, class, property and import of the package must be
used by the package, its tests, its benchmarks or these tools (``make lint`` runs this; vulture).

Variables and attributes are left out (dataclass fields are read through ``asdict``, JSON keys
through templates). What only a framework calls — Flask views, pytest fixtures, the Protocols'
``__call__``, an ``HTMLParser`` hook — is named in ``tools/vulture_whitelist.py``.
"""

from __future__ import annotations

import sys
from pathlib import Path

from vulture import Vulture

ROOT = Path(__file__).resolve().parent.parent
PATHS = ["appliance", "tests", "bench", "tools"]
KINDS = {"function", "method", "class", "property", "import", "unreachable_code"}


def unused() -> list[str]:
    v = Vulture(ignore_decorators=["@bp.route", "@*.route", "@pytest.fixture", "@*.fixture"])
    v.scavenge([str(ROOT / p) for p in PATHS])
    return [item.get_report() for item in v.get_unused_code(min_confidence=60) if item.typ in KINDS]


def main() -> int:
    found = unused()
    for line in found:
        print(line)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
