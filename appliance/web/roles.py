"""What each role may open: technicians see the worklist and the calls; office staff every page and
every action but the settings and the accounts; the administrator everything.

>>> allowed("technician", "calls.detail", "GET"), allowed("technician", "calls.act", "POST")
(True, False)
>>> allowed("office", "settings.index", "GET"), allowed("office", "settings.save", "POST")
(True, False)
"""

from __future__ import annotations

SAFE = frozenset({"GET", "HEAD", "OPTIONS"})
# every account, whatever its role
ANYONE = frozenset({"static", "auth.logout", "accounts.mine", "accounts.change_password"})
# technicians: read the worklist and the calls
TECHNICIAN_READS = frozenset({"worklist.index", "calls.index", "calls.detail", "calls.recording",
                              "api.calls", "api.call", "api.worklist", "api.lines"})
ADMIN_ONLY = frozenset({"settings.save", "accounts.index", "accounts.act"})


def allowed(role: str, endpoint: str | None, method: str) -> bool:
    if endpoint is None:
        return True  # 404 and friends: the error page is no secret
    if role == "admin" or endpoint in ANYONE:
        return True
    if endpoint in ADMIN_ONLY:
        return False
    if role == "office":
        return True
    return role == "technician" and endpoint in TECHNICIAN_READS and method in SAFE
