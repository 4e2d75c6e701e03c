"""A calendar feed's address is its credential: neither Django's logs nor gunicorn's access
log write it down (docs/operations.md#calendar-feed)."""

import logging
from datetime import timedelta
from types import SimpleNamespace

from gunicorn.config import Config

from core.redaction import redact
from salestrack.access_log import RedactingLogger

SECRET = "Zq3-_k9XbW0rTn5uLm2Yc8vAa1sDf4gHj6kLp7oIe0U"


def test_redact_hides_the_secret_of_every_feed_address_and_nothing_else():
    assert redact(f"Not Found: /calendar/{SECRET}.ics") == "Not Found: /calendar/[redacted].ics"
    assert redact(f'"GET /calendar/{SECRET}.ics?x=1 HTTP/1.1"') == (
        '"GET /calendar/[redacted].ics?x=1 HTTP/1.1"'
    )
    assert redact("GET /settings/calendar/ HTTP/1.1") == "GET /settings/calendar/ HTTP/1.1"
    assert redact("GET /my-day/?day=2026-11-18") == "GET /my-day/?day=2026-11-18"


def test_djangos_not_found_warning_does_not_log_the_secret(client, db, caplog):
    with caplog.at_level(logging.WARNING, logger="django.request"):
        assert client.get(f"/calendar/{SECRET}.ics").status_code == 404
    assert SECRET not in caplog.text
    assert [r.getMessage() for r in caplog.records if r.name == "django.request"] == [
        "Not Found: /calendar/[redacted].ics"
    ]


def test_gunicorns_access_log_does_not_log_the_secret():
    logger = RedactingLogger(Config())
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"/calendar/{SECRET}.ics",
        "PATH_INFO": f"/calendar/{SECRET}.ics",
        "QUERY_STRING": "",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "10.0.0.7",
    }
    response = SimpleNamespace(status="200 OK", sent=812, headers=[])
    request = SimpleNamespace(headers=[("USER-AGENT", "Google-Calendar-Importer")])
    atoms = logger.atoms(response, request, environ, timedelta(milliseconds=12))
    assert atoms["r"] == "GET /calendar/[redacted].ics HTTP/1.1"
    assert atoms["U"] == "/calendar/[redacted].ics"
    assert atoms["{raw_uri}e"] == "/calendar/[redacted].ics"
    assert atoms["h"] == "10.0.0.7"
    assert SECRET not in repr(atoms)
