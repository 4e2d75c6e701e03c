"""How gunicorn serves SalesTrack: the Dockerfile, docker-compose.yml and `make load` run
with this file (`gunicorn -c gunicorn.conf.py salestrack.wsgi`), each adding only where it
listens and how it logs (docs/operations.md#running-with-docker-compose). Settings:
https://docs.gunicorn.org/en/stable/settings.html"""

# Threaded workers: a sync worker is killed at the timeout in the middle of a long
# streamed download (the whole activity log as CSV), answering a truncated file.
worker_class = "gthread"
workers = 3
threads = 2

# How long an idle keep-alive connection stays open. A gthread worker keeps every
# connection it accepted, and each later request on it, to itself; with a long keep-alive
# clients that come back within it (the load test's users wait 1–5 s) stay with the worker
# that won them during the ramp-up — one process, one core under the GIL, at 81 % while
# the other two idled (BENCHMARKS.md, "Issue 28: My day and the log POST"). Gunicorn's
# own default, 2 s, "in the 1–5 seconds range for servers with direct connection to the
# client": an idle connection closes and the client's next one goes to whichever worker
# accepts first. Behind the compose proxy (a new upstream connection a request) it
# changes nothing.
keepalive = 2

# Access log: gunicorn's with secret addresses (calendar feeds) redacted.
logger_class = "salestrack.access_log.RedactingLogger"
