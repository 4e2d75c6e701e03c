# SalesTrack image: one image for web (gunicorn), worker and beat.
FROM python:3.12-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    UV_PYTHON_DOWNLOADS=never \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PROJECT_ENVIRONMENT=/app/.venv \
    PATH="/app/.venv/bin:$PATH"

RUN pip install --no-cache-dir uv \
 && groupadd --system salestrack \
 && useradd --system --gid salestrack --home-dir /app --shell /usr/sbin/nologin salestrack

WORKDIR /app

# Dependencies first, from the lock file only, so code changes reuse this layer.
COPY pyproject.toml uv.lock .python-version ./
RUN uv sync --locked --no-dev --no-install-project --python /usr/local/bin/python3

COPY . .

# Static files are collected at build time; whitenoise serves them compressed and hashed.
# The translations (locale/*.po) are compiled too, with GNU gettext's msgfmt, which leaves
# the image again once done (docs/i18n.md). The build needs a key to import settings,
# never a real one.
RUN apt-get update -qq \
 && apt-get install -y -qq --no-install-recommends gettext >/dev/null \
 && SECRET_KEY=collectstatic-only DEBUG=false RUN_TASKS_IN_PROCESS=true python manage.py compilemessages --ignore=.venv -v0 \
 && apt-get purge -y -qq --auto-remove gettext >/dev/null \
 && rm -rf /var/lib/apt/lists/* \
 && SECRET_KEY=collectstatic-only DEBUG=false RUN_TASKS_IN_PROCESS=true python manage.py collectstatic --noinput \
 && mkdir -p /app/var/imports && chmod 700 /app/var/imports \
 && chown -R salestrack:salestrack /app

USER salestrack
EXPOSE 8000

HEALTHCHECK --interval=30s --timeout=5s --start-period=20s \
  CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)" || exit 1

# Workers, threads (why threads), keep-alive and the redacting access log: gunicorn.conf.py.
CMD ["gunicorn", "-c", "gunicorn.conf.py", "salestrack.wsgi", "--bind", "0.0.0.0:8000", "--access-logfile", "-"]
