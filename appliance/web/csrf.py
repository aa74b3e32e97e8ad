"""CSRF protection: a per-session token required on every state-changing request.

Forms carry it in a hidden ``csrf_token`` field; ``fetch`` calls send it in the
``X-CSRF-Token`` header (pages expose it in ``<meta name="csrf-token">``). The
session cookie is also ``SameSite=Strict``; the token is the second lock.
"""

from __future__ import annotations

import hmac
import secrets

from flask import abort, request, session

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
HEADER = "X-CSRF-Token"
FIELD = "csrf_token"


def csrf_token() -> str:
    """The session's token, created on first use."""
    token = session.get("csrf")
    if not isinstance(token, str) or len(token) < 32:
        token = secrets.token_urlsafe(32)
        session["csrf"] = token
    return token


def check_csrf() -> None:
    """Abort with 403 unless a state-changing request carries the session's token."""
    if request.method in SAFE_METHODS:
        return
    expected = session.get("csrf")
    sent = request.headers.get(HEADER) or request.form.get(FIELD) or ""
    if not isinstance(expected, str) or not expected or not hmac.compare_digest(sent.encode(),
                                                                                 expected.encode()):
        abort(403, description="missing or wrong CSRF token: reload the page and try again")
