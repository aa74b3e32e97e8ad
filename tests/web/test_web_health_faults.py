"""The health page shows the box's faults (disk nearly full, files in quarantine) and the failures
it survived, counted (issue 15, requirements 1, 2 and 9)."""

from __future__ import annotations

from typing import Any

from .conftest import Box, live_status, make_app, setup_password


def test_faults_and_survived_failures_are_on_the_health_page(box: Box) -> None:
    def live() -> dict[str, Any]:
        return {**live_status(), "problems": ["disk nearly full: 0.1 MB free, 0.1 MB kept in reserve for the call log",
                                              "calls/2026/11/2026-11-27.json: corrupt JSON (moved to quarantine/...)"],
                "faults": [{"where": "status LEDs", "count": 120, "last_error": "OSError: GPIO busy", "last_at": 0.0}],
                "disk_reserve_bytes": 100_000}

    app = make_app(box)
    app.extensions["permanence"].live = live  # what Service.live() gives the page
    client = app.test_client()
    assert setup_password(client, app).status_code == 302
    page = client.get("/health").get_data(as_text=True)
    assert "disk nearly full: 0.1 MB free" in page and "2026-11-27.json: corrupt JSON" in page
    assert "status LEDs" in page and "120" in page and "OSError: GPIO busy" in page
