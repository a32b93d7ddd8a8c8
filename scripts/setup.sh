#!/usr/bin/env bash
# Creates .venv with a Python >= 3.12 found on this machine and installs the locked dependencies.
# Idempotent: re-running only re-syncs when pyproject.toml or uv.lock changed.
set -euo pipefail
cd "$(dirname "$0")/.."

python_ok() { "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' 2>/dev/null; }

find_python() {
  local candidates=()
  [ -n "${PEERNET_PYTHON:-}" ] && candidates+=("$PEERNET_PYTHON")
  candidates+=(python3.13 python3.12 python3)
  # pyenv keeps versions off PATH; look there too, newest first.
  for root in "${PYENV_ROOT:-$HOME/.pyenv}" /root/.pyenv /opt/pyenv; do
    for p in $(ls -d "$root"/versions/3.1[2-9]*/bin/python 2>/dev/null | sort -rV); do
      candidates+=("$p")
    done
  done
  candidates+=(/usr/local/bin/python3.13 /usr/local/bin/python3.12 /usr/bin/python3.13 /usr/bin/python3.12)
  for c in "${candidates[@]}"; do
    local path
    path=$(command -v "$c" 2>/dev/null) || continue
    if python_ok "$path"; then echo "$path"; return 0; fi
  done
  return 1
}

if [ -x .venv/bin/python ] && ! python_ok .venv/bin/python; then
  echo "Removing .venv: it was made with a Python older than 3.12." >&2
  rm -rf .venv
fi

if [ ! -x .venv/bin/python ]; then
  if ! PY=$(find_python); then
    echo "PeerNet needs Python 3.12 or newer, and none was found (tried PEERNET_PYTHON, python3.13," >&2
    echo "python3.12, python3 and pyenv versions). Install one, or set PEERNET_PYTHON=/path/to/python3.12." >&2
    exit 1
  fi
  echo "Creating .venv with $PY ($("$PY" -V 2>&1))"
  "$PY" -m venv .venv
fi

stamp=.venv/.peernet-synced
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ] || [ uv.lock -nt "$stamp" ]; then
  .venv/bin/python -m pip install --quiet --disable-pip-version-check "uv==0.13.8"
  # uv installs exactly what uv.lock pins into this .venv, dev group included (tests need it).
  UV_PROJECT_ENVIRONMENT=.venv UV_PYTHON_DOWNLOADS=never \
    .venv/bin/uv sync --frozen --python .venv/bin/python --quiet
  touch "$stamp"
fi
