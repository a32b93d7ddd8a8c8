# The two commands (see README, Quick start):
#   make run   — set up, migrate, seed the demo, start web + worker + beat on http://127.0.0.1:8000
#   make test  — set up, then lint, check migrations and run the whole test suite
.PHONY: run test setup lint format clean screenshots

run:
	@bash scripts/run.sh

test:
	@bash scripts/test.sh

setup:
	@bash scripts/setup.sh

format: setup
	.venv/bin/ruff format .
	.venv/bin/ruff check --fix .

clean:
	rm -rf var/test var/celery var/cache

# Every role's key pages at 390x844 and 1280x800, checked by axe-core, photographed into
# docs/screenshots/ (the README shows them).
screenshots: setup
	mkdir -p var
	PEERNET_SCREENSHOTS=1 DJANGO_DEBUG=true .venv/bin/python -m pytest tests/browser/test_key_pages.py -q
