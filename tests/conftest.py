"""Shared fixtures. Every test runs against real components (see README, "Tests")."""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("PERMANENCE_CACHE", str(ROOT / ".cache"))
