"""Names only a framework uses (see tools/deadcode.py): vulture reads them here as used."""

from appliance import parts
from tests.web.test_web_security import _Tags

USED_BY_FRAMEWORKS = (
    parts.AlertsFactory.__call__,  # Protocols: the service calls what it was given
    parts.WebFactory.__call__,
    parts.LineFactory.__call__,
    _Tags.handle_starttag,  # html.parser.HTMLParser calls it
)
