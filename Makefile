# Two commands on a fresh machine with only Python 3.11 and pip: `make demo` and `make test`.
PYTHON ?= python3
UV := $(PYTHON) -m uv
VENV := .venv
BIN := $(VENV)/bin
export AIRFLOW_HOME ?= $(CURDIR)/var/airflow

.PHONY: install demo test lint bench airflow-test clean

# uv comes from PyPI through pip when missing; the environment comes from the committed lock.
$(BIN)/cax: pyproject.toml uv.lock
	@$(UV) --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet uv
	$(UV) sync --frozen --python $(PYTHON)
	@touch $@

install: $(BIN)/cax

demo: install
	$(BIN)/cax demo

lint: install
	$(BIN)/ruff check etl dags tests bench
	$(BIN)/mypy etl

test: lint
	$(BIN)/pytest -q

bench: install
	$(BIN)/python bench/run.py

# The DAG run the README shows, with a project-local AIRFLOW_HOME under var/.
airflow-test: install
	$(BIN)/airflow db migrate >/dev/null
	$(BIN)/airflow dags test cax_nightly 2021-04-24

clean:
	rm -rf var .venv .pytest_cache .ruff_cache .mypy_cache
