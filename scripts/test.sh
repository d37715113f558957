#!/usr/bin/env bash
# Lint, checks and the whole test suite on SQLite, then again on PostgreSQL when
# TEST_DATABASE_URL is set (REDIS_URL, when set, puts cache, sessions and the queue test on Redis).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.venv/bin:$PATH"
export DJANGO_ALLOW_ASYNC_UNSAFE=true
mkdir -p var

echo "== ruff"
ruff check .
ruff format --check .

echo "== django checks"
DJANGO_SETTINGS_MODULE=config.test_settings python manage.py check --fail-level WARNING
DJANGO_SETTINGS_MODULE=config.test_settings python manage.py makemigrations --check --dry-run
DJANGO_SETTINGS_MODULE=config.test_settings python manage.py spectacular --fail-on-warn --file /dev/null

echo "== production settings: check --deploy"
env -u DATABASE_URL -u REDIS_URL -u DJANGO_ALLOW_ASYNC_UNSAFE DEBUG=0 DEMO=0 HTTPS=1 ALLOWED_HOSTS=selfcare.example \
  SECRET_KEY="$(python -c 'import secrets; print(secrets.token_urlsafe(50))')" \
  FIELD_ENCRYPTION_KEYS="$(python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())')" \
  python manage.py check --deploy --fail-level WARNING

echo "== pytest on SQLite"
DATABASE_URL="sqlite:///$PWD/var/test.sqlite3" pytest "$@"

if [ -n "${TEST_DATABASE_URL:-}" ]; then
  echo "== pytest on PostgreSQL"
  DATABASE_URL="$TEST_DATABASE_URL" pytest "$@"
else
  echo "TEST_DATABASE_URL is not set: the PostgreSQL run is skipped (CI sets it)."
fi
