#!/usr/bin/env bash
# Start the product: web server (gunicorn) and job consumer (Huey), both real processes.
# Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
export DEMO="${DEMO:-1}"
PORT="${PORT:-8000}"
PY=.venv/bin/python

mkdir -p var
$PY manage.py migrate --noinput -v0
# Collect (and compress) static files only when they changed since the last collection.
manifest=staticfiles/staticfiles.json
if [ ! -f "$manifest" ] || [ pyproject.toml -nt "$manifest" ] || [ -n "$(find static -newer "$manifest" -print -quit)" ]; then
  $PY manage.py collectstatic --noinput -v0
fi
# Builds the demo world only when the database does not have it yet.
$PY manage.py demo_world --quiet

if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then
  echo "Port $PORT is already in use: stop what runs there or choose another with PORT=8001 make run."
  exit 1
fi

pids=()
stop() { trap - INT TERM EXIT; kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; echo "Stopped."; }
trap stop INT TERM EXIT

$PY manage.py run_huey --quiet &
pids+=($!)
.venv/bin/gunicorn config.wsgi:application --bind "127.0.0.1:$PORT" --workers 2 --threads 4 \
  --access-logfile - --log-level warning &
pids+=($!)

for _ in $(seq 1 100); do
  curl -fsS "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && break
  kill -0 "${pids[1]}" 2>/dev/null || { echo "The web server did not start (is port $PORT free?)."; exit 1; }
  sleep 0.2
done

echo
echo "Selfcare Business is running at http://127.0.0.1:$PORT/"
echo "Dev inbox (every SMS and email sent): http://127.0.0.1:$PORT/dev/inbox/"
$PY manage.py demo_world --logins
echo "Press Ctrl-C to stop."
wait -n "${pids[@]}"
