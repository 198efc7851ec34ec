"""The local Airflow's settings written into airflow.cfg, so a command in another shell with only
AIRFLOW_HOME set sees the running Airflow's DAGs folder and database (found in review: `airflow dags
test` there looked in AIRFLOW_HOME/dags and loaded the example DAGs)."""

from __future__ import annotations

import ast
import configparser
import subprocess
import sys
from pathlib import Path

import pytest

from etl.airflow_local import PRELOAD, LocalAirflow, set_options

pytestmark = pytest.mark.unit

REPO = Path(__file__).resolve().parents[2]

CONFIG = """[core]
# The folder where your airflow pipelines live
dags_folder = /root/airflow/dags
load_examples = True

[logging]
base_log_folder = /root/airflow/logs
log_format = [%%(asctime)s] %%(message)s
"""


def test_options_replace_their_lines_and_are_added_where_missing_keeping_everything_else():
    written = set_options(CONFIG, {("core", "dags_folder"): "/repo/dags", ("core", "load_examples"): "False",
                                   ("logging", "worker_log_server_port"): "18793", ("api", "port"): "18080"})
    parsed = configparser.ConfigParser(interpolation=None)
    parsed.read_string(written)
    assert parsed["core"]["dags_folder"] == "/repo/dags" and parsed["core"]["load_examples"] == "False"
    assert parsed["logging"]["worker_log_server_port"] == "18793" and parsed["api"]["port"] == "18080"
    # Untouched: comments, other keys, values with % in them.
    assert "# The folder where your airflow pipelines live" in written
    assert parsed["logging"]["log_format"] == "[%%(asctime)s] %%(message)s"
    assert written.count("dags_folder") == 1


def test_the_config_file_carries_every_setting_the_running_airflow_gets(tmp_path):
    local = LocalAirflow(home=tmp_path, port=18080, worker_log_port=18793, trigger_log_port=18794, parallelism=3)
    (tmp_path / "airflow.cfg").write_text(CONFIG, encoding="utf-8")
    parsed = configparser.ConfigParser(interpolation=None)
    parsed.read(local.write_config())
    environment = local.environment({})
    for name, value in environment.items():
        if name.startswith("AIRFLOW__"):
            section, key = name[len("AIRFLOW__"):].lower().split("__", 1)
            assert parsed[section][key] == value, name
    assert parsed["core"]["execution_api_server_url"] == "http://127.0.0.1:18080/execution/"
    assert parsed["core"]["parallelism"] == "3" and parsed["core"]["load_examples"] == "False"


def test_every_etl_module_a_nightly_task_imports_is_preloaded_by_the_scheduler():
    """The scheduler imports PRELOAD once and forks every task from it; a module a task body imports
    that PRELOAD does not bring is imported again by every task (up to seconds a task). Checked in a
    fresh interpreter: this session has imported much more."""
    dag = ast.parse((REPO / "dags" / "cax_nightly.py").read_text(encoding="utf-8"))
    imported = sorted({node.module for node in ast.walk(dag)
                       if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("etl.")})
    assert "etl.validate.night" in imported and "etl.extract.sandbox" in imported  # the walk found the bodies
    preloaded = [name for name in PRELOAD if name.split(".")[0] == "etl"]
    # As multiprocessing's forkserver does: a name that does not import is skipped.
    script = (f"import sys\nfor name in {preloaded!r}:\n    try:\n        __import__(name)\n"
              f"    except ImportError:\n        pass\n"
              f"print(' '.join(name for name in {imported!r} if name not in sys.modules))")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=REPO)
    assert done.stdout.split() == []
