# newsmon — every target a person or CI runs. `make help` lists them.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.DEFAULT_GOAL := help
.PHONY: help setup demo test test-unit test-integration faults bench up down status lint schemas docs clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  \033[1m%-18s\033[0m %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip==25.3
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP) ## Create .venv/ with newsmon and its development tools installed

demo: setup ## Run the whole pipeline on the seed articles in one process (no Java, no Docker)
	$(BIN)/newsmon demo

test: setup ## Install everything, start real Kafka and Elasticsearch, run every test, stop them
	$(BIN)/pytest -p no:cacheprovider --durations=30 tests

test-unit: setup ## Fast tests that need no server
	$(BIN)/pytest -p no:cacheprovider tests/unit

test-integration: setup ## Tests against the real Kafka broker and Elasticsearch node
	$(BIN)/pytest -p no:cacheprovider tests/integration tests/e2e

faults: setup ## Fault suite on the real stack: kills, restarts, outages, poison; prints the table of cases
	$(BIN)/newsmon bench faults

bench: setup ## End-to-end benchmark on the real stack, side by side with raw Kafka and Elasticsearch
	$(BIN)/newsmon bench run

up: setup ## Start the local Kafka broker and Elasticsearch node (downloads them once)
	$(BIN)/newsmon infra up

down: setup ## Stop exactly the processes `make up` started
	$(BIN)/newsmon infra down

status: setup ## Show whether the local Kafka and Elasticsearch run, with their versions
	$(BIN)/newsmon infra status

lint: setup ## ruff and mypy --strict
	$(BIN)/ruff check newsmon services tests
	$(BIN)/ruff format --check newsmon services tests
	$(BIN)/mypy

schemas: setup ## Regenerate the JSON Schemas in deploy/schemas/ from the message contracts
	$(BIN)/newsmon schemas write

docs: setup ## Regenerate docs/configuration.md from the settings
	$(BIN)/newsmon docs write

clean: ## Remove the virtualenv and local run data (not the download cache)
	rm -rf $(VENV) .newsmon
