"""Nothing a hardware line needs imports the simulator or the emulator core (issue 18, item 2)."""

from __future__ import annotations

import subprocess
import sys

CODE = """
import sys
import appliance.service, appliance.cli, appliance.call
from appliance.config import LineConfig
from appliance.telephony.factory import driver_line
line = driver_line(LineConfig(name="l1", driver="gsm", port="/dev/null"), "gsm", "/dev/null", "", "auto")
line = driver_line(LineConfig(name="l2", driver="voicemodem", port="/dev/null"), "voicemodem", "/dev/null", "", "auto")
loaded = sorted(m for m in sys.modules if m.startswith(("appliance.telephony.simulator", "appliance.telephony.emulator",
                                                        "appliance.capture")))
print(",".join(loaded))
"""


def test_run_path_never_loads_the_simulator() -> None:
    r = subprocess.run([sys.executable, "-c", CODE], capture_output=True, text=True, timeout=120, check=False)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == ""
