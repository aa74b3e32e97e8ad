"""Security headers, no inline script, recordings and captures only through authenticated views,
and caller-controlled text escaped in HTML, SVG, JSON, CSV and JSONL."""

from __future__ import annotations

import csv
import html
import io
import json
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from typing import Any

import pytest
from markupsafe import escape

from appliance.web import charts

from .calldata import FORMULA, HOSTILE_NAME, HOSTILE_SAID, HOSTILE_SUMMARY
from .conftest import Box, make_app, setup_password

PAGES = ["/", "/calls", "/calls?q=bob", "/stats", "/stats?weeks=4", "/health", "/settings"]


def _pages(b: Box) -> list[str]:
    return [*PAGES, f"/calls/{b.notable.hostile}", f"/calls/{b.notable.urgent_acked}"]


def test_security_headers_on_every_page(shared_client: Any, filled_box: Box) -> None:
    for path in [*_pages(filled_box), "/api/calls", "/api/stats", "/login", "/nope"]:
        r = shared_client.get(path)
        h = r.headers
        csp = h["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp, path
        assert "frame-ancestors 'none'" in csp and "default-src 'none'" in csp
        assert h["X-Content-Type-Options"] == "nosniff"
        assert h["X-Frame-Options"] == "DENY"
        assert h["Referrer-Policy"] == "no-referrer"
        assert h["Cache-Control"] == "no-store", path


def test_static_assets_are_cacheable_and_local(shared_client: Any) -> None:
    for asset, mime in (("/static/style.css", "text/css"), ("/static/app.js", "text/javascript"),
                        ("/static/favicon.svg", "image/svg+xml")):
        r = shared_client.get(asset)
        assert r.status_code == 200 and r.mimetype == mime
        assert "no-store" not in r.headers.get("Cache-Control", "")
        assert not re.search(rb"https?://", r.data.replace(b"http://www.w3.org/2000/svg", b"")), asset


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def test_no_inline_script_style_or_external_asset_in_pages(shared_client: Any, filled_box: Box) -> None:
    for path in _pages(filled_box):
        parser = _Tags()
        parser.feed(shared_client.get(path).text)
        scripts = [a for t, a in parser.tags if t == "script"]
        assert scripts == [{"src": "/static/app.js", "defer": None}], path
        for tag, attrs in parser.tags:
            assert not [k for k in attrs if k.startswith("on")], (path, tag, attrs)  # no event handlers
            assert "style" not in attrs and tag not in ("style", "img", "iframe", "object", "embed"), (path, tag)
            for k in ("src", "href", "action"):
                url = attrs.get(k)
                if url is not None:
                    assert url.startswith("/") and not url.startswith("//"), (path, tag, url)


def test_recording_needs_login(filled_box: Box) -> None:
    app = make_app(filled_box)
    url = f"/calls/{filled_box.notable.recorded}/recording"
    anon = app.test_client()
    r = anon.get(url)
    assert r.status_code == 302 and "/login" in r.headers["Location"] and b"RIFF" not in r.data
    assert anon.get(f"/api/calls/{filled_box.notable.recorded}").status_code == 401


def test_recording_with_login_is_wav_and_supports_ranges(shared_client: Any, filled_box: Box) -> None:
    url = f"/calls/{filled_box.notable.recorded}/recording"
    r = shared_client.get(url)
    assert r.status_code == 200 and r.mimetype == "audio/wav" and r.data[:4] == b"RIFF"
    assert r.headers["Cache-Control"] == "no-store"
    part = shared_client.get(url, headers={"Range": "bytes=0-99"})
    assert part.status_code == 206 and len(part.data) == 100


@pytest.mark.parametrize("call_id, status", [
    ("20261127T091403-line1-7f3a9c", 404),          # well formed, not in the log
    ("..%2F..%2Fweb%2Fpassword.json", 404),         # traversal attempt
    ("20261127T091403-line1-7f3a9c%2F..%2F..", 404),
    ("x" * 300, 404),
])
def test_recording_of_unknown_or_malformed_call(shared_client: Any, call_id: str, status: int) -> None:
    assert shared_client.get(f"/calls/{call_id}/recording").status_code == status


def test_call_without_recording_has_no_player(shared_client: Any, filled_box: Box) -> None:
    page = shared_client.get(f"/calls/{filled_box.notable.urgent_acked}").text
    assert "<audio" not in page
    assert shared_client.get(f"/calls/{filled_box.notable.urgent_acked}/recording").status_code == 404


def test_captures_only_those_listed_by_the_service(filled_box: Box, tmp_path: Any) -> None:
    cap = tmp_path / "line1-20261127.cap"
    cap.write_bytes(b"AT\r\nOK\r\n")
    from appliance.web import create_app

    app = create_app(filled_box.cfg, filled_box.log, live=lambda: {"captures": [str(cap)]})
    c = app.test_client()
    assert c.get("/health/captures/0").status_code == 302  # not logged in
    setup_password(c, app) if not app.extensions["permanence"].auth.has_password() else None
    from .conftest import PASSWORD, csrf_from

    page = c.get("/login")
    c.post("/login", data={"csrf_token": csrf_from(page.text), "password": PASSWORD})
    r = c.get("/health/captures/0")
    assert r.status_code == 200 and r.data == b"AT\r\nOK\r\n" and "attachment" in r.headers["Content-Disposition"]
    assert c.get("/health/captures/1").status_code == 404
    assert c.get("/health/captures/-1").status_code == 404
    assert "line1-20261127.cap" in c.get("/health").text


# --------------------------------------------------------------------------- XSS

def test_hostile_text_is_escaped_in_html(shared_client: Any, filled_box: Box) -> None:
    for path in ["/", "/calls", "/calls?q=Bob", f"/calls/{filled_box.notable.hostile}"]:
        page = shared_client.get(path).text
        assert "<script>alert" not in page and "<img src=x" not in page, path
        assert "</svg><script>" not in page, path
        assert str(escape(HOSTILE_NAME)) in page, path
    detail = shared_client.get(f"/calls/{filled_box.notable.hostile}").text
    assert str(escape(HOSTILE_SAID)) in detail
    assert str(escape(HOSTILE_SUMMARY)) in detail


def test_hostile_text_is_escaped_in_json(shared_client: Any, filled_box: Box) -> None:
    for path in ["/api/calls", f"/api/calls/{filled_box.notable.hostile}", "/api/dashboard", "/api/health"]:
        r = shared_client.get(path)
        assert r.mimetype == "application/json"
        assert b"<" not in r.data and b">" not in r.data, path  # written \u003c ... \u003e
    detail = shared_client.get(f"/api/calls/{filled_box.notable.hostile}").get_json()
    assert detail["call"]["caller_name"] == HOSTILE_NAME  # and the data is intact
    assert detail["call"]["turns"][1]["text"] == HOSTILE_SAID
    health = shared_client.get("/api/health").get_json()
    assert health["errors"] == ["line2: no answer to AT <script>x</script>"]


def test_hostile_text_in_csv_and_jsonl(shared_client: Any, filled_box: Box) -> None:
    r = shared_client.get("/calls/export?format=csv")
    assert r.mimetype == "text/csv" and "attachment" in r.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(r.text)))
    hostile = next(row for row in rows if row["id"] == filled_box.notable.hostile)
    assert hostile["caller_name"] == HOSTILE_NAME
    assert HOSTILE_SAID in hostile["transcript"]
    assert hostile["notes"] == "'" + FORMULA  # a spreadsheet shows it as text, never runs it
    cells = [v for row in rows for v in row.values()]
    assert not [v for v in cells if v.startswith(("=", "@", "\t", "\r"))]
    # "+33612345678" or "-3.5" are plain numbers to a spreadsheet; nothing else may start with + or -
    assert not [v for v in cells if v.startswith(("+", "-")) and not re.fullmatch(r"[+-][\d.]+", v)]
    r = shared_client.get("/api/export?format=jsonl")
    assert b"<" not in r.data
    recs = [json.loads(line) for line in r.text.splitlines()]
    assert len(recs) == len(rows)
    assert next(x for x in recs if x["id"] == filled_box.notable.hostile)["caller_name"] == HOSTILE_NAME


def test_svg_charts_escape_every_text() -> None:
    evil = '</text><script>alert(1)</script>&"'
    svg = charts.stacked_bars([evil, "b"], [("answered", evil, [1, 2])], title=evil,
                              trend=lambda i: float(i), trend_label=evil)
    heat = charts.heatmap([[1] * 24 for _ in range(7)], [evil] * 7, title=evil)
    for doc in (str(svg), str(heat)):
        assert "<script>" not in doc
        root = ET.fromstring(doc)  # well-formed XML: nothing broke out of its element
        texts = [el.text for el in root.iter() if el.text]
        assert any(evil in t for t in texts)


def test_error_pages_escape_the_path(shared_client: Any) -> None:
    r = shared_client.get("/calls?since=<script>alert(1)</script>")
    assert r.status_code == 400 and "<script>alert(1)" not in r.text
    assert "since: expected a date YYYY-MM-DD" in html.unescape(r.text)
