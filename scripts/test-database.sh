# Sourced by `make test`: choose the database and broker the suite runs against.
# DATABASE_URL / REDIS_URL win when set; else the local PostgreSQL and Redis when they answer;
# else SQLite and eager Celery, and the tests that need the real thing skip (loudly).

answers() { timeout 1 bash -c "</dev/tcp/$1/$2" 2>/dev/null; }

if [ -z "${DATABASE_URL:-}" ]; then
  if answers 127.0.0.1 5432; then
    export DATABASE_URL="postgres://postgres@127.0.0.1:5432/salestrack"
  fi
fi
if [ -z "${REDIS_URL:-}" ]; then
  if answers 127.0.0.1 6379; then
    export REDIS_URL="redis://127.0.0.1:6379/0"
  fi
fi
echo "make test: database ${DATABASE_URL:-sqlite (no PostgreSQL answered on 127.0.0.1:5432)}," \
     "broker ${REDIS_URL:-none (Celery eager; no Redis answered on 127.0.0.1:6379)}"

# `makemigrations --check` reads the migration history of the database itself (pytest makes
# its own test_ copy): create the local one if it is missing.
if [[ "${DATABASE_URL:-}" == postgres://postgres@127.0.0.1:5432/* ]] && command -v psql >/dev/null; then
  name="${DATABASE_URL##*/}"
  psql -h 127.0.0.1 -U postgres -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$name'" | grep -q 1 \
    || psql -h 127.0.0.1 -U postgres -d postgres -qc "CREATE DATABASE \"$name\""
fi
