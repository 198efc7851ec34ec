# Two commands on a fresh machine with only Python 3.11 and pip: `make demo` and `make test`.
PYTHON ?= python3
UV := $(PYTHON) -m uv
VENV := .venv
BIN := $(VENV)/bin
export AIRFLOW_HOME ?= $(CURDIR)/var/airflow

.PHONY: install demo test test-fast lint bench bench-quick airflow clean

# uv comes from PyPI through pip when missing; the environment comes from the committed lock,
# with the sample generator's optional group. Synced on every call (0.2 s when nothing changed),
# so an environment synced by hand without the group is mended. Bytecode is compiled at install:
# where PYTHONDONTWRITEBYTECODE is set (this machine sets it), every process would otherwise
# compile every module it imports (2.2 s of a `cax ingest`, and as much per Airflow task).
install:
	@$(UV) --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet uv
	@$(UV) sync --frozen --extra samples --compile-bytecode --python $(PYTHON) --quiet

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

# Every benchmark of issue 13 in one run (under 45 minutes; generated inputs are cached under
# var/bench/cache, built once): the table is printed and saved to bench/results/latest.{md,json}.
bench: install
	$(BIN)/python bench/run.py

# A smaller version of every part (under two minutes once its inputs are cached), written to
# bench/results/quick.{md,json}.
bench-quick: install
	$(BIN)/python bench/run.py --quick

# A local Airflow (airflow standalone: API server and UI, scheduler, DAG processor, triggerer) on
# 127.0.0.1, AIRFLOW_HOME=var/airflow, the DAGs of dags/ and the pool duckdb_writer; prints the URL
# and the login; Ctrl-C stops every process it started. Settings: CAX_AIRFLOW_PORT (8080),
# CAX_AIRFLOW_WORKER_LOG_PORT (8793), CAX_AIRFLOW_TRIGGER_LOG_PORT (8794), CAX_AIRFLOW_PARALLELISM (2),
# and the CAX_* settings the tasks read (CAX_LANDING, CAX_VAR, ...).
airflow: install
	$(BIN)/python -m etl.airflow_local up

clean:
	rm -rf var .venv .pytest_cache .ruff_cache .mypy_cache
