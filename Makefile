# The two Quickstart commands. Each one creates .venv and installs fmwatch on first use.
VENV ?= .venv
PYTHON ?= python3
STAMP := $(VENV)/.installed

.PHONY: run test bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)  ## the whole pipeline as a Prefect flow (local mode), offline, into warehouse/fmwatch.duckdb
	# offline means offline: Prefect's temporary local server must not try to send telemetry either.
	# On a busy machine that server can take minutes to start: wait for it (Prefect's default is 20 s).
	FMWATCH_OFFLINE=1 PREFECT_SERVER_ANALYTICS_ENABLED=false \
	PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS=$${PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS:-240} \
	$(VENV)/bin/python flows/fmwatch_flows.py

test: $(STAMP)  ## the test suite
	$(VENV)/bin/python -m pytest

bench: $(STAMP)
	$(VENV)/bin/python bench/run.py

clean:
	rm -rf $(VENV) warehouse/fmwatch.duckdb
