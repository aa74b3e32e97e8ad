"""The status page: calls, recordings and the numbers that matter, on the LAN, secure by default.

Contract with the service (``appliance/service.py``)::

    from appliance.web import create_app, serve
    app = create_app(cfg, log, live=service.live_status, config_path=args.config, actions=service)
    server = serve(app, cfg.web.bind, cfg.web.port)     # waitress in a background thread
    print(f"status page: {server.url}")                 # server.port is the port actually bound
    ...
    server.close()                                      # stops the thread; idempotent

* ``create_app(cfg: Config, log: CallLog | CallLogReader, *, live: Callable[[], dict] | None = None,
  config_path: Path | None = None, actions: WebActions | None = None) -> flask.Flask``
* ``serve(app, host: str, port: int) -> WebServer`` (``port=0``: an ephemeral port, for tests;
  "``--web-port 0`` = off" is the caller's decision: do not call ``serve`` then).
* ``live()`` returns ``{"lines": [LineStatus or its asdict()...], "models": {name: description},
  "uptime_s": float, "errors": [recent error strings], "captures": [paths of capture files]}``;
  every key is optional. It is called on each dashboard/health request: keep it cheap.
* Writes (mark handled, converted with an amount, notes) go through ``log.update(call_id, fn)``
  and only when ``log`` is the writer :class:`~appliance.store.calllog.CallLog`; with a
  :class:`~appliance.store.calllog.CallLogReader` the pages are read-only.
* ``actions.config_changed(cfg)`` (optional) is called after the Settings page wrote a new,
  validated configuration to ``config_path``.
* Files: ``<data_dir>/web/`` (0700) holds the session key, the password hash and the setup
  code (0600); ``<data_dir>/settings-changes.jsonl`` logs settings changes.

``permanence passwd`` (see :mod:`appliance.web.cli`) prints the setup code while no password
is set; ``permanence passwd --reset`` forgets the password and prints a new code.
"""

from __future__ import annotations

from .app import create_app
from .context import WebActions
from .server import WebServer, serve

__all__ = ["WebActions", "WebServer", "create_app", "serve"]
