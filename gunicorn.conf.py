"""How gunicorn serves SalesTrack: the Dockerfile, docker-compose.yml and `make load` run
with this file (`gunicorn -c gunicorn.conf.py salestrack.wsgi`), each adding only where it
listens and how it logs (docs/operations.md#running-with-docker-compose). Settings:
https://docs.gunicorn.org/en/stable/settings.html"""

# Threaded workers: a sync worker is killed at the timeout in the middle of a long
# streamed download (the whole activity log as CSV), answering a truncated file.
worker_class = "gthread"
workers = 3
threads = 2

# No keep-alive: each answer says "Connection: close". A gthread worker keeps every
# connection it accepted, and each later request on it, to itself: with keep-alive 10 s
# the load test's users (who come back within 1–5 s) stayed with the worker that won
# them during the ramp-up — one process, one core under the GIL, at 81 % while the other
# two idled. With gunicorn's default of 2 s the workers shared the load, but 2.8 % of
# requests failed "Remote end closed connection without response": a client reused an
# idle connection at the moment the server closed it (BENCHMARKS.md, "Load at twice the
# users"). Closing after each answer costs one local TCP handshake a request and leaves
# no connection to race for; behind the compose proxy, which opens an upstream
# connection a request anyway, it changes nothing.
keepalive = 0

# Access log: gunicorn's with secret addresses (calendar feeds) redacted.
logger_class = "salestrack.access_log.RedactingLogger"
