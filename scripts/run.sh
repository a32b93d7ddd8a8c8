#!/usr/bin/env bash
# Sets everything up and runs PeerNet locally: web on http://127.0.0.1:8000 plus a Celery
# worker with the beat scheduler embedded. Without DATABASE_URL / REDIS_URL it uses a SQLite
# file and the filesystem broker under var/ (embedded mode). Ctrl-C stops everything.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh

export DJANGO_DEBUG="${DJANGO_DEBUG:-true}"
PY=.venv/bin/python
HOST="${PEERNET_HOST:-127.0.0.1}"
PORT="${PEERNET_PORT:-8000}"
export PEERNET_BASE_URL="${PEERNET_BASE_URL:-http://$HOST:$PORT}"
# Local files (the SQLite database first of all) go here; the settings create no folder.
mkdir -p "${PEERNET_VAR_DIR:-var}"

$PY manage.py migrate --noinput
seed_args=()
[ -n "${DEMO_PASSWORD:-}" ] && seed_args+=(--password "$DEMO_PASSWORD")
logins=$($PY manage.py seed_demo "${seed_args[@]}")

mkdir -p var/log
pids=()
cleanup() {
  trap - INT TERM EXIT
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup INT TERM EXIT

# One worker process with beat embedded (-B): enough for the demo; production runs them apart.
.venv/bin/celery -A peernet worker -B --loglevel INFO --concurrency 2 \
  --schedule var/celerybeat-schedule >var/log/worker.log 2>&1 &
pids+=($!)
$PY manage.py runserver "$HOST:$PORT" --noreload >var/log/web.log 2>&1 &
pids+=($!)

for _ in $(seq 1 60); do
  if curl -fsS -o /dev/null "http://$HOST:$PORT/healthz" 2>/dev/null; then break; fi
  sleep 0.5
done

if [ -z "${EMAIL_URL:-}" ]; then
  mail="Email (sign-up links, password resets, notifications), decoded and clickable:
http://$HOST:$PORT/dev/mail/ (the files are in ${PEERNET_VAR_DIR:-var}/mail/)."
else
  mail="Email goes to the server in EMAIL_URL."
fi

cat <<MSG

PeerNet is running at http://$HOST:$PORT
$logins

$mail
Logs: var/log/web.log and var/log/worker.log. Press Ctrl-C to stop.
MSG
wait -n "${pids[@]}"
echo "A PeerNet process stopped; see var/log/. Shutting down." >&2
exit 1
