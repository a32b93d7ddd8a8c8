# PeerNet production image: gunicorn serves the app; the same image runs the worker and beat.
FROM python:3.12-slim AS app

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    UV_PROJECT_ENVIRONMENT=/opt/venv \
    UV_PYTHON_DOWNLOADS=never \
    PATH="/opt/venv/bin:$PATH" \
    PEERNET_VAR_DIR=/var/lib/peernet \
    NUMBA_CACHE_DIR=/var/lib/peernet/numba

RUN pip install --no-cache-dir uv==0.13.8 \
    && useradd --system --create-home --home-dir /home/peernet peernet \
    && mkdir -p /var/lib/peernet && chown peernet /var/lib/peernet

WORKDIR /app
COPY pyproject.toml uv.lock ./
RUN uv sync --frozen --no-dev --no-install-project --python /usr/local/bin/python
COPY . .
# Compile the formation engine into NUMBA_CACHE_DIR now, so that the first run after a deploy
# does not. (On a host whose CPU differs from the build machine's, numba recompiles once, when
# a worker starts, never inside an admin's time limit.)
RUN python -c "from groups.formation import warmup; print(f'formation engine compiled in {warmup():.0f} s')"
# collectstatic needs settings to load; these build-time values never reach a running container.
RUN DJANGO_SECRET_KEY=build-only EMAIL_URL=console:// \
    PEERNET_MFA_KEYS=$(python -c 'import base64, os; print(base64.urlsafe_b64encode(os.urandom(32)).decode())') \
    python manage.py collectstatic --noinput \
    && chown -R peernet /var/lib/peernet

USER peernet
EXPOSE 8000
CMD ["gunicorn", "peernet.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
