# The two commands (see README, Quick start):
#   make run   — set up, migrate, seed the demo, start web + worker + beat on http://127.0.0.1:8000
#   make test  — set up, then lint, check migrations and run the whole test suite
.PHONY: run test setup lint format clean

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
