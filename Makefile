# Two commands for a new user: `make run` (set up, ingest the bundled reports, serve) and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
export HF_HUB_OFFLINE := 1
export GRADIO_ANALYTICS_ENABLED := False

.PHONY: run test install lint bench clean

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/qa ingest data/reports
	$(BIN)/python app.py

test: $(STAMP)
	$(BIN)/ruff check core stores index qa eval cli web tests bench app.py
	$(BIN)/mypy
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check core stores index qa eval cli web tests bench app.py
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python bench/ingest_speed.py
	$(BIN)/python bench/app_latency.py

clean:
	rm -rf .qa build *.egg-info
