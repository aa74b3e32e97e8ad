from __future__ import annotations

from typing import Any

from appliance.config import Config, load_config_text


def make_config(*, mqtt_port: int = 1883, mqtt: bool = True, sms: bool = False, ack_minutes: float = 5.0,
                extra: str = "", box_id: str = "box1", digest_times: str = '["12:00", "17:30"]',
                per_caller: int = 2, per_hour: int = 20) -> Config:
    text = f"""
[company]
name = "ACME Chauffage"
language = "fr"
timezone = "Europe/Paris"

[[lines]]
name = "line1"

[rota]
ack_minutes = {ack_minutes}
digest_times = {digest_times}
people = [
  {{ name = "Ann", phone = "+33611111111" }},
  {{ name = "Bob", phone = "+33622222222" }},
  {{ name = "Cy", phone = "+33633333333" }},
]
shifts = [{{ person = "Bob" }}]  # every day, all day

[alerts]
box_id = "{box_id}"
base_url = "https://box.example"
retry_initial_seconds = 0.2
retry_max_seconds = 1.0

[alerts.mqtt]
enabled = {str(mqtt).lower()}
port = {mqtt_port}
keepalive = 5

[alerts.sms]
enabled = {str(sms).lower()}
max_per_caller_per_hour = {per_caller}
max_per_hour = {per_hour}
{extra}
"""
    return load_config_text(text, source="<test>")


def urgent_record(call_id: str, *, caller: str = "+33699999999", name: Any = "Jean Dupont",
                  summary: Any = "Chaudière en panne, plus de chauffage") -> dict[str, Any]:
    return {"id": call_id, "line": "line1", "started_at": "2026-11-27T09:00:00.000+00:00",
            "caller_number": caller, "state": "in_call",
            "qualification": {"name": name, "company": "Dupont SA", "summary": summary, "urgent": True,
                              "urgency": "critique", "category": "panne"}}
