"""What ``permanence doctor`` finds, and what a check needs of it: a module below the doctor and
its checks (lines, models), so a check never imports the doctor that runs it."""

from __future__ import annotations

import dataclasses
from typing import Literal, Protocol

Status = Literal["ok", "warn", "fail", "skip"]


@dataclasses.dataclass(frozen=True)
class Finding:
    check: str
    status: Status
    detail: str
    fix: str = ""

    def to_dict(self) -> dict[str, str]:
        return dataclasses.asdict(self)


class Findings(Protocol):
    """Where a check reports (:class:`appliance.status.doctor.Doctor`), and its settings."""

    timeout: float
    load_models: bool

    def add(self, check: str, status: Status, detail: str, fix: str = "") -> Finding: ...
