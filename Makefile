# One command to run the platform, one to test it. Each installs what it needs.
SHELL := /bin/bash
UV := $(shell command -v uv 2>/dev/null || echo $(HOME)/.local/bin/uv)
PYTEST_ARGS ?=
# Two workers, one test file each at a time: most tests wait on I/O, and a file's
# module fixtures stay on one worker.
PYTEST_WORKERS ?= 2

.PHONY: run test lint typecheck scenario distributed install help bench soak

help:
	@echo "make run      - the platform, embedded: all services in one process (SQLite, in-process bus)"
	@echo "make test     - every test (PostgreSQL and Kafka tests use local servers, see README)"
	@echo "make lint     - ruff"
	@echo "make scenario - run scenarios/two-steps.yaml and print its events"
	@echo "make bench    - the benchmarks against their peers and limits (bench/README.md)"
	@echo "make soak     - the fault suite at full size (docs/reliability.md)"

$(UV):
	python3 -m pip install --quiet --user uv || python3 -m pip install --quiet uv

install: $(UV)
	@$(UV) sync --frozen --quiet

run: install
	$(UV) run msp up

distributed: install
	$(UV) run msp up --distributed

test: install
	$(UV) run pytest -q -n $(PYTEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

lint: install
	$(UV) run ruff check .
	$(UV) run ruff format --check .

typecheck: install
	$(UV) run mypy shared services

scenario: install
	$(UV) run msp scenario run scenarios/two-steps.yaml

bench: install
	$(UV) run python -m bench $(BENCH_ARGS)

soak: install
	MSP_SOAK=1 $(UV) run pytest -q -s tests/faults $(PYTEST_ARGS)
