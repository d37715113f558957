#!/usr/bin/env bash
# Benchmarks on PostgreSQL (BENCH_DATABASE_URL, default a selfcare_bench database on 127.0.0.1).
# Builds the benchmark world (BENCH_LINES x BENCH_DAYS, default 10,000 x 90) in a fresh database
# and prints its rows per second; then runs every bench/bench_*.py present.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.venv/bin:$PATH"
export DEMO=1
DB_URL="${BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/selfcare_bench}"
DB_NAME="${DB_URL##*/}"
ADMIN_URL="${DB_URL%/*}/postgres"

if [ "${BENCH_KEEP_WORLD:-0}" != "1" ]; then
  psql "$ADMIN_URL" -q -c "DROP DATABASE IF EXISTS $DB_NAME" -c "CREATE DATABASE $DB_NAME"
  DATABASE_URL="$DB_URL" python manage.py migrate --noinput -v0
  DATABASE_URL="$DB_URL" python manage.py bench_world --lines "${BENCH_LINES:-10000}" --days "${BENCH_DAYS:-90}"
fi
psql "$DB_URL" -At -c "SELECT 'database size: ' || pg_size_pretty(pg_database_size(current_database()))"

# The page benchmarks serve the static files' manifest as production does.
python manage.py collectstatic --noinput -v0

shopt -s nullglob
for bench in bench/bench_*.py; do
  echo "== $bench"
  DATABASE_URL="$DB_URL" python "$bench"
done
