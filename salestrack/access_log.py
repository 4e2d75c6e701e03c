"""gunicorn's access log with the secret addresses redacted (core/redaction.py): the request
line, the path and the referrer of a calendar feed's fetch are written as
`/calendar/[redacted].ics`. Named by `--logger-class` in the Dockerfile and
docker-compose.yml (docs/operations.md#calendar-feed)."""

from gunicorn.glogging import Logger

from core.redaction import redact

REDACTED_ATOMS = ("r", "U", "f", "{raw_uri}e", "{path_info}e", "{referer}i")


class RedactingLogger(Logger):
    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        for name in REDACTED_ATOMS:
            if isinstance(atoms.get(name), str):
                atoms[name] = redact(atoms[name])
        return atoms
