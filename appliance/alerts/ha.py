"""Home Assistant MQTT discovery: the retained config topics and the state topics they read.

The box appears as one device with sensors *calls today*, *abandoned today*,
*last urgent call*, one *line state* sensor per configured line, and the
binary sensors *urgent pending* and *health* (on with the box's faults, such as
"disk nearly full", as attributes). All read retained state topics under
``<prefix>/<box-id>/state/...`` and the availability topic.

>>> topics = discovery_messages("homeassistant", "permanence/box1", "permanence/box1/availability",
...                              "box1", "ACME", ("line1",))
>>> sorted(t.split("/")[1] for t, _ in topics)
['binary_sensor', 'binary_sensor', 'sensor', 'sensor', 'sensor', 'sensor']
"""

from __future__ import annotations

from typing import Any


def state_topic(base: str, name: str) -> str:
    return f"{base}/state/{name}"


def discovery_messages(discovery_prefix: str, base: str, availability_topic: str, box_id: str,
                       company: str, lines: tuple[str, ...], version: str = "0.1.0"
                       ) -> list[tuple[str, dict[str, Any]]]:
    """``(topic, payload)`` pairs to publish retained. Line names and box id are config-validated."""
    device = {
        "identifiers": [f"permanence_{box_id}"],
        "name": f"Permanence {company}"[:64],
        "manufacturer": "Permanence",
        "model": "Permanence answering box",
        "sw_version": version,
    }
    common = {"availability_topic": availability_topic, "payload_available": "online",
              "payload_not_available": "offline", "device": device}
    out: list[tuple[str, dict[str, Any]]] = []

    def sensor(component: str, object_id: str, name: str, extra: dict[str, Any]) -> None:
        uid = f"permanence_{box_id}_{object_id}"
        payload = {"name": name, "unique_id": uid, "object_id": uid, **common, **extra}
        out.append((f"{discovery_prefix}/{component}/permanence_{box_id}/{object_id}/config", payload))

    sensor("sensor", "calls_today", "Calls today",
           {"state_topic": state_topic(base, "calls_today"), "state_class": "measurement",
            "unit_of_measurement": "calls", "icon": "mdi:phone-incoming"})
    sensor("sensor", "abandoned_today", "Abandoned calls today",
           {"state_topic": state_topic(base, "abandoned_today"), "state_class": "measurement",
            "unit_of_measurement": "calls", "icon": "mdi:phone-missed"})
    sensor("sensor", "last_urgent", "Last urgent call",
           {"state_topic": state_topic(base, "last_urgent"), "value_template": "{{ value_json.summary }}",
            "json_attributes_topic": state_topic(base, "last_urgent"), "icon": "mdi:alert"})
    for line in lines:
        sensor("sensor", f"line_{line}", f"Line {line}",
               {"state_topic": state_topic(base, f"line/{line}"), "icon": "mdi:phone-classic"})
    sensor("binary_sensor", "urgent_pending", "Urgent call pending",
           {"state_topic": state_topic(base, "urgent_pending"), "payload_on": "ON", "payload_off": "OFF",
            "device_class": "problem"})
    sensor("binary_sensor", "health", "Box health",
           {"state_topic": state_topic(base, "health"), "value_template": "{{ value_json.state }}",
            "json_attributes_topic": state_topic(base, "health"), "payload_on": "ON", "payload_off": "OFF",
            "device_class": "problem"})
    return out
