"""MQTT link (paho-mqtt 2.x): QoS 1 publishing with per-message confirmation.

:class:`MqttLink` owns one paho client with the availability last will
(``<prefix>/<box-id>/availability``: ``offline`` retained; ``online`` is
published at every connect), reconnects by itself, re-subscribes to the
acknowledgement topic ``<prefix>/<box-id>/ack`` and republishes the retained
topics (Home Assistant discovery and states) after every connect.

Delivery is known only from paho's ``on_publish`` for that message id (the
broker's PUBACK); :meth:`MqttLink.publish` takes an ``on_confirmed`` callback
called exactly then. Nothing is queued inside paho while disconnected:
``publish`` returns ``None`` and the outbox retries later, so what must arrive
is never held only in memory. Topic names are built only from configuration
(validated prefixes, box id, line names) and fixed words; caller text goes
only in JSON payloads built with :func:`json.dumps`.

>>> mqtt_config_from_url("mqtts://bob:secret@broker.example:8883").tls
True
"""

from __future__ import annotations

import dataclasses
import json
import logging
import threading
import time
import urllib.parse
from collections.abc import Callable
from typing import Any

import paho.mqtt.client as paho
from paho.mqtt.enums import CallbackAPIVersion

from ..config import MqttConfig
from ..errors import AlertError, ConfigError

log = logging.getLogger(__name__)


def mqtt_config_from_url(url: str, base: MqttConfig | None = None) -> MqttConfig:
    """``mqtt://[user[:password]@]host[:port]`` (or ``mqtts://`` for TLS) over ``base``; enabled."""
    base = base or MqttConfig()
    u = urllib.parse.urlsplit(url)
    if u.scheme not in ("mqtt", "mqtts", "tcp", "ssl"):
        raise ConfigError(f"--mqtt {url!r}: expected mqtt://HOST:PORT or mqtts://HOST:PORT")
    if not u.hostname:
        raise ConfigError(f"--mqtt {url!r}: no host name; expected mqtt://HOST:PORT")
    tls = u.scheme in ("mqtts", "ssl")
    try:
        port = u.port or (8883 if tls else 1883)
    except ValueError:
        raise ConfigError(f"--mqtt {url!r}: the port must be a number from 1 to 65535") from None
    changes: dict[str, Any] = {"enabled": True, "host": u.hostname, "port": port, "tls": tls}
    if u.username is not None:
        changes["username"] = urllib.parse.unquote(u.username)
    if u.password is not None:
        changes["password"] = urllib.parse.unquote(u.password)
    try:
        return dataclasses.replace(base, **changes)
    except ValueError as exc:
        raise ConfigError(f"--mqtt {url!r}: {exc}") from None


def dumps(obj: Any) -> str:
    """JSON for a payload: UTF-8 kept, control characters escaped by json."""
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


class MqttLink:
    """One connection to the broker. Thread-safe; ``start()`` then ``close()``."""

    def __init__(self, cfg: MqttConfig, box_id: str, *,
                 on_ack_message: Callable[[Any], None] | None = None,
                 on_connection: Callable[[bool], None] | None = None,
                 reconnect_min: float = 1.0, reconnect_max: float = 10.0,
                 client_id: str | None = None) -> None:
        self.cfg = cfg
        self.box_id = box_id
        self.base = f"{cfg.topic_prefix}/{box_id}"
        self.availability_topic = f"{self.base}/availability"
        self.ack_topic = f"{self.base}/ack"
        self.on_ack_message = on_ack_message
        self.on_connection = on_connection
        self._lock = threading.Lock()
        self._waiting: dict[int, Callable[[], None] | None] = {}
        self._early: dict[int, float] = {}  # mid -> when its PUBACK came before registration
        self._retained: dict[str, str] = {}
        self._connected = threading.Event()
        self._closed = False
        self._started = False
        c = paho.Client(callback_api_version=CallbackAPIVersion.VERSION2,
                        client_id=client_id or f"permanence-{box_id}", protocol=paho.MQTTv311,
                        clean_session=True)
        c.enable_logger(logging.getLogger(__name__ + ".paho"))
        if cfg.username:
            c.username_pw_set(cfg.username, cfg.password or None)
        if cfg.tls:
            try:
                c.tls_set(ca_certs=cfg.ca_file or None)
            except (OSError, ValueError) as exc:
                raise ConfigError(f"alerts.mqtt.ca_file: cannot use {cfg.ca_file!r} for TLS: {exc}") from None
        c.will_set(self.availability_topic, "offline", qos=1, retain=True)
        c.reconnect_delay_set(min_delay=reconnect_min, max_delay=reconnect_max)  # type: ignore[arg-type]
        c.on_connect = self._on_connect
        c.on_disconnect = self._on_disconnect
        c.on_publish = self._on_publish
        c.on_message = self._on_message
        self._client = c

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> None:
        if self._started:
            return
        self._started = True
        try:
            self._client.connect_async(self.cfg.host, self.cfg.port, keepalive=self.cfg.keepalive)
        except (OSError, ValueError) as exc:
            raise AlertError(f"mqtt {self.cfg.host}:{self.cfg.port}: cannot start connecting: {exc}; "
                             "check alerts.mqtt.host") from None
        self._client.loop_start()

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        if self._started:
            if self._connected.is_set():
                info = self._client.publish(self.availability_topic, "offline", qos=1, retain=True)
                with self._lock:
                    self._waiting[info.mid] = None
                try:
                    info.wait_for_publish(timeout=2.0)
                except (RuntimeError, ValueError):
                    pass
            self._client.disconnect()
            self._client.loop_stop()

    def __enter__(self) -> MqttLink:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def connected(self) -> bool:
        return self._connected.is_set()

    def wait_connected(self, timeout: float) -> bool:
        return self._connected.wait(timeout)

    def topic(self, *parts: str) -> str:
        return "/".join((self.base, *parts))

    # ------------------------------------------------------------------ publishing
    def publish(self, topic: str, payload: Any, *, retain: bool = False,
                on_confirmed: Callable[[], None] | None = None) -> int | None:
        """Publish QoS 1; returns the message id, or ``None`` when not connected.

        ``on_confirmed`` runs in paho's thread when the broker acknowledges."""
        if any(c in topic for c in "#+\0") or not topic:
            raise AlertError(f"mqtt: invalid topic {topic!r}")
        text = payload if isinstance(payload, str) else dumps(payload)
        if not self._connected.is_set():
            return None
        return self._publish_raw(topic, text, retain, on_confirmed, check=True)

    def _publish_raw(self, topic: str, text: str, retain: bool,
                     on_confirmed: Callable[[], None] | None, *, check: bool = False) -> int | None:
        info = self._client.publish(topic, text, qos=1, retain=retain)
        if info.rc != paho.MQTT_ERR_SUCCESS:
            log.info("mqtt: publish to %s not accepted now (%s)", topic, paho.error_string(info.rc))
            if check and info.rc == paho.MQTT_ERR_NO_CONN:
                return None
        mid = info.mid
        fire = False
        with self._lock:
            now = time.monotonic()
            for old in [m for m, t in self._early.items() if now - t > 30.0]:
                del self._early[old]  # acks of messages paho re-sent after a reconnect
            if self._early.pop(mid, None) is not None:  # PUBACK came before we got here
                fire = True
            else:
                self._waiting[mid] = on_confirmed
        if fire and on_confirmed is not None:
            on_confirmed()
        return mid

    def set_retained(self, topic: str, payload: Any) -> None:
        """Publish a retained topic now (if connected and changed) and again after every reconnect."""
        text = payload if isinstance(payload, str) else dumps(payload)
        with self._lock:
            if self._retained.get(topic) == text:
                return  # unchanged: the broker already holds it (and it is re-sent at reconnect)
            self._retained[topic] = text
        if self._connected.is_set():
            self._publish_raw(topic, text, True, None)

    # ------------------------------------------------------------------ paho callbacks
    def _on_connect(self, client: paho.Client, userdata: Any, flags: Any, reason_code: Any,
                    properties: Any) -> None:
        if getattr(reason_code, "is_failure", False):
            log.warning("mqtt %s:%s refused the connection: %s", self.cfg.host, self.cfg.port, reason_code)
            return
        log.info("mqtt: connected to %s:%s", self.cfg.host, self.cfg.port)
        with self._lock:
            retained = dict(self._retained)
            self._early.clear()
        self._publish_raw(self.availability_topic, "online", True, None)
        client.subscribe(self.ack_topic, qos=1)
        for t, text in retained.items():
            self._publish_raw(t, text, True, None)
        self._connected.set()
        if self.on_connection is not None:
            self.on_connection(True)

    def _on_disconnect(self, client: paho.Client, userdata: Any, flags: Any, reason_code: Any,
                       properties: Any) -> None:
        was = self._connected.is_set()
        self._connected.clear()
        with self._lock:
            self._waiting.clear()  # the outbox re-sends whatever was not confirmed
            self._early.clear()
        if was and not self._closed:
            log.warning("mqtt: connection to %s:%s lost (%s); reconnecting", self.cfg.host,
                        self.cfg.port, reason_code)
        if self.on_connection is not None and was:
            self.on_connection(False)

    def _on_publish(self, client: paho.Client, userdata: Any, mid: int, reason_code: Any,
                    properties: Any) -> None:
        with self._lock:
            if mid in self._waiting:
                cb = self._waiting.pop(mid)
            else:
                self._early[mid] = time.monotonic()
                return
        if cb is not None:
            try:
                cb()
            except Exception:  # a callback bug must not kill paho's thread
                log.exception("mqtt: confirmation callback for message %s failed", mid)

    def _on_message(self, client: paho.Client, userdata: Any, msg: paho.MQTTMessage) -> None:
        if msg.topic != self.ack_topic or self.on_ack_message is None:
            return
        raw = msg.payload.decode("utf-8", errors="replace").strip()
        try:
            obj: Any = json.loads(raw)
        except json.JSONDecodeError:
            obj = raw
        try:
            self.on_ack_message(obj)
        except Exception:
            log.exception("mqtt: acknowledgement %r could not be handled", raw[:200])
