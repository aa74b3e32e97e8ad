"""Names only a framework uses (see tools/deadcode.py): vulture reads them here as used."""

from web.test_web_security import _Tags

from appliance import parts
from appliance.web.auth import Account
from appliance.web.tls import _TlsMixin

USED_BY_FRAMEWORKS = (
    parts.AlertsFactory.__call__,  # Protocols: the service calls what it was given
    parts.WebFactory.__call__,
    parts.LineFactory.__call__,
    _Tags.handle_starttag,  # html.parser.HTMLParser calls it
    _TlsMixin.handle_read,  # waitress's asyncore loop calls it
    Account.can,  # web/auth.py belongs to the staff accounts work (issue 15 items 4 and 6): left to its owner
)
