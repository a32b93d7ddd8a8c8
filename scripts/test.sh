#!/usr/bin/env bash
# Sets everything up and runs every check: ruff (lint + format), djlint, the import contracts
# (import-linter: layers, formation solver), makemigrations --check,
# then pytest with warnings as errors. With DATABASE_URL / REDIS_URL set it runs on PostgreSQL and
# Redis; without them on SQLite and the embedded (filesystem) broker.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh

export DJANGO_DEBUG=true
export PEERNET_VAR_DIR="${PEERNET_VAR_DIR:-$PWD/var/test}"
export DJANGO_ALLOW_ASYNC_UNSAFE=true
rm -rf "$PEERNET_VAR_DIR/celery" "$PEERNET_VAR_DIR/cache"
# The SQLite test database goes here; the settings create no folder.
mkdir -p "$PEERNET_VAR_DIR"

# The formation kernels take about a minute to compile into NUMBA_CACHE_DIR (by default next to
# the solver). Compiling them now, beside the checks below, spares the first test that solves
# from doing it; the tests of a cold cache use empty folders of their own.
.venv/bin/python -c "import groups.formation as f; f.warmup()" >/dev/null 2>&1 &
warmup=$!
trap 'kill "$warmup" 2>/dev/null || true' EXIT

echo "== ruff check"; .venv/bin/ruff check .
echo "== ruff format --check"; .venv/bin/ruff format --check .
echo "== djlint"; .venv/bin/djlint --lint templates members groups meetings peernet --quiet
echo "== import-linter"; .venv/bin/lint-imports
echo "== makemigrations --check"; .venv/bin/python manage.py makemigrations --check --dry-run
echo "== pytest (database: ${DATABASE_URL:-SQLite}, broker: ${REDIS_URL:-embedded filesystem})"
# Two processes (pytest-xdist; PEERNET_TEST_PROCESSES to change), each with its own test
# database, Redis database and var folder (tests/xdist_env.py); worksteal keeps both busy to
# the end.
.venv/bin/python -m pytest -n "${PEERNET_TEST_PROCESSES:-2}" --dist worksteal "$@"
