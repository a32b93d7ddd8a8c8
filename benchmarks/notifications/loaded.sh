#!/bin/bash
# The notifications benchmark under a concurrent page load. Take the page benchmark's lock:
#
#     DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres REDIS_URL=redis://127.0.0.1:6379/0 \
#       flock /tmp/pagebench.lock benchmarks/notifications/loaded.sh --reminders 10000
#
# Starts the page benchmark (benchmarks/pages/run.py --scale big, two pages, rounds of 5 s, far
# more than needed: its gunicorns and wrk keep both scales busy), waits until its first round
# drives pages, runs benchmarks/notifications/run.py with the given arguments (worker phase and
# smtplib baseline), checks that the page load was still running when it ended, stops it, and
# prints the rounds the page load went through, then the notifications JSON line last.
set -u
cd "$(dirname "$0")/../.."
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
server="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
.venv/bin/python benchmarks/pages/run.py --scale big --rounds 100 --seconds 5 \
  --only "admin cohort list,pool" --server "${server%/*}/postgres" \
  > "$out/pages.out" 2> "$out/pages.err" &
pages=$!
until grep -q "round 1 of" "$out/pages.err" "$out/pages.out" 2> /dev/null; do
  kill -0 "$pages" 2> /dev/null || { cat "$out/pages.err" >&2; exit 1; }
  sleep 1
done
date -u +"notifications benchmark started %H:%M:%S UTC" >&2
.venv/bin/python benchmarks/notifications/run.py "$@" > "$out/notify.out" 2> "$out/notify.err"
date -u +"notifications benchmark ended %H:%M:%S UTC" >&2
if kill -0 "$pages" 2> /dev/null; then
  echo "page load still running at the end: yes" >&2
else
  echo "page load still running at the end: NO (the figures are not all under load)" >&2
fi
kill -TERM "$pages" 2> /dev/null  # run.py stops its gunicorns on SIGTERM
wait "$pages"
grep "^round" "$out/pages.err" | tail -n 1 >&2
tail -n 1 "$out/notify.out"
