"""Addresses that are credentials, kept out of the logs: a calendar feed's address holds its
secret (docs/operations.md#calendar-feed), and Django's "Not Found" warning or gunicorn's
access log would otherwise write it down for anyone who reads them."""

import logging
import re

SECRET_PATHS = re.compile(r"(/calendar/)[^/\s?#\"']+(\.ics)")
REDACTED = r"\1[redacted]\2"


def redact(text: str) -> str:
    return SECRET_PATHS.sub(REDACTED, text)


class RedactSecretPaths(logging.Filter):
    """A logging filter (`LOGGING` in salestrack/settings.py) that rewrites a record's
    message with every secret address redacted; it drops nothing."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        return True
