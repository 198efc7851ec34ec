# Two commands on a fresh machine with only Python 3.11 and pip: `make demo` and `make test`.
PYTHON ?= python3
UV := $(PYTHON) -m uv
VENV := .venv
BIN := $(VENV)/bin
export AIRFLOW_HOME ?= $(CURDIR)/var/airflow

.PHONY: install demo test test-fast lint bench airflow-test clean

# uv comes from PyPI through pip when missing; the environment comes from the committed lock,
# with the sample generator's optional group. Synced on every call (0.2 s when nothing changed),
# so an environment synced by hand without the group is mended.
install:
	@$(UV) --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet uv
	@$(UV) sync --frozen --extra samples --python $(PYTHON) --quiet

demo: install
	$(BIN)/cax demo

lint: install
	$(BIN)/ruff check etl samples dags tests bench reference
	$(BIN)/mypy etl samples
	$(BIN)/sqlfluff lint warehouse --processes 2 --disable-progress-bar --nocolor

# Every tier: unit, sql, e2e (whole nights) and airflow.
test: lint
	$(BIN)/pytest -q

# For every edit: unit and SQL tests, no workbook night and no Airflow (under a minute).
test-fast: install
	$(BIN)/pytest -q -m "unit or sql"

bench: install
	$(BIN)/python bench/run.py

# The DAG run the README shows: project-local AIRFLOW_HOME under var/, sample files in
# var/airflow-landing, the night of 24/4/2021 (it takes the files received by then).
airflow-test: export AIRFLOW__CORE__DAGS_FOLDER = $(CURDIR)/dags
airflow-test: export AIRFLOW__CORE__LOAD_EXAMPLES = False
airflow-test: export CAX_LANDING = $(CURDIR)/var/airflow-landing
airflow-test: install
	rm -rf $(CAX_LANDING) && $(BIN)/cax sample --out $(CAX_LANDING)
	$(BIN)/airflow db migrate >/dev/null
	$(BIN)/airflow pools set duckdb_writer 1 "DuckDB takes one writer at a time" >/dev/null
	$(BIN)/airflow dags test cax_nightly 2021-04-24
	$(BIN)/cax indicators

clean:
	rm -rf var .venv .pytest_cache .ruff_cache .mypy_cache
