"""Alerts that always arrive: durable outbox, MQTT, SMS, on-call rota, acknowledgement, escalation.

Modules, one concern each:

* :mod:`.model`      the frozen :class:`~.model.Alert` record and its idempotency key
* :mod:`.outbox`     one JSON file per alert in ``data_dir/outbox``, written before any send
* :mod:`.mqtt`       paho-mqtt 2.x link: QoS 1, PUBACK confirmation, last will, reconnect;
  :func:`~.mqtt.mqtt_config_from_url` for ``--mqtt mqtt://HOST:PORT``
* :mod:`.ha`         Home Assistant MQTT discovery topics
* :mod:`.sms`        python-gammu over an AT port (SIM7600 second port; SIM800 between calls)
* :mod:`.rota`       weekly shifts, overrides, who is on call: :func:`~.rota.rota_from_config`
* :mod:`.text`       SMS texts, cleaning of caller text, ack words
* :mod:`.ratelimit`  per-caller and global SMS limits
* :mod:`.escalation` durable escalation and digest state
* :mod:`.manager`    :class:`~.manager.AlertManager`, the public API for the service
* :mod:`.wiring`     :func:`~.wiring.build_alert_manager` (call log, lines, ``--mqtt``)
* :mod:`.cli`        ``permanence rota`` and ``permanence outbox``
"""
