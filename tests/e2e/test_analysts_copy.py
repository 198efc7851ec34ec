"""The analysts' copy (issue 11, item 5): a DuckDB 1.5 client opens it and reads what the warehouse
says; a reader querying it in a loop while ten nights load never meets a lock, an I/O error or a
half-loaded night; what a killed publish left behind does not stop the next one.

Expected values are read from the loader's own warehouse (DuckDB 2) or from each published state
as it stood, never from the code under test.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import duckdb
import pytest

from etl.config import SettingError, Settings, load_settings
from etl.pipeline import run_night
from etl.publish import PublishError, copy_for_analysts, mart_names, publish, temporary_path
from tests.builders import make_settings, query

pytestmark = pytest.mark.e2e

NATIONAL = ("select admin_era, cast(period_start as varchar), provinces_reporting, communes_staffed, officers"
            " from mart.national_staffing order by all")


def _monthly_files(landing: Path, truth: dict) -> list[Path]:
    """The April 2021 workbooks that load whole (no seeded fault), one province each, by file name."""
    return sorted(landing / w["file"] for w in truth["workbooks"]
                  if w["kind"] == "monthly_2021" and not w.get("broken") and not w.get("corrected_by")
                  and not w.get("faults") and "01" in w["sheets"])


def _uv() -> list[str] | None:
    """A command that runs uv: on PATH, or as a module of the interpreter `make install` used."""
    if found := shutil.which("uv"):
        return [found]
    for python in (Path(sys.base_prefix) / "bin" / "python3", shutil.which("python3")):
        if python and subprocess.run([str(python), "-m", "uv", "--version"], capture_output=True).returncode == 0:
            return [str(python), "-m", "uv"]
    return None


def _unavailable(reason: str) -> None:
    """No DuckDB 1.5 client here: a skip on a developer's machine, a failure in CI (which must run it)."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI=true and no DuckDB 1.5 client: {reason}")
    pytest.skip(f"no DuckDB 1.5 client: {reason}")


# Run by the DuckDB 1.5 client: the national totals, and every mart view's row count; what it
# cannot read is its answer (exit 0), so a failing uv is told apart from a copy it cannot open.
OLD_CLIENT = """
import json, sys, duckdb
try:
    con = duckdb.connect(sys.argv[1], read_only=True)
    views = {name: con.execute(f"select count(*) from mart.{name}").fetchone()[0] for name in sys.argv[3:]}
    seen = {"national": con.execute(sys.argv[2]).fetchall(), "views": views}
except duckdb.Error as error:
    seen = {"error": f"{type(error).__name__}: {error}"}
print(json.dumps({"version": duckdb.__version__, **seen}))
"""


def _read_with_duckdb_15(published: Path) -> dict:
    uv = _uv()
    if uv is None:
        _unavailable("uv is neither on PATH nor a module of python3")
    assert uv is not None
    client = ["--no-project", "--isolated", "--quiet", "--with", "duckdb>=1.5,<1.6",
              "python", "-c", OLD_CLIENT, str(published), NATIONAL, *mart_names()]
    done = subprocess.run([*uv, "run", *client], capture_output=True, text=True, timeout=600)
    if done.returncode:  # PyPI out of reach: the client uv cached on an earlier run, if any
        done = subprocess.run([*uv, "run", "--offline", *client], capture_output=True, text=True, timeout=600)
    if done.returncode:
        _unavailable(f"uv run failed: {done.stderr[-1000:]}")
    seen = json.loads(done.stdout.splitlines()[-1])
    assert "error" not in seen, f"DuckDB {seen['version']} cannot read the analysts' copy: {seen['error']}"
    return seen


@pytest.fixture(scope="module")
def first_night(april_landing, tmp_path_factory) -> Settings:
    """A small night; the warehouse file is named apart from its copy, so each opens under another
    catalog name (a view qualified with its database's name would break in the copy)."""
    landing, truth = april_landing
    settings = make_settings(tmp_path_factory.mktemp("copy"))
    settings = replace(settings, warehouse=settings.var / "night.duckdb")
    run_night(_monthly_files(landing, truth)[:6], settings)
    return settings


def test_a_duckdb_15_client_opens_the_copy_and_reads_the_warehouse_totals(first_night):
    settings = first_night
    seen = _read_with_duckdb_15(settings.published)
    assert seen["version"].startswith("1.5.")
    national = [list(row) for row in query(settings.warehouse, NATIONAL)]
    assert national and sum(row[2] for row in national) == 6  # the six provinces of the night
    assert seen["national"] == national
    assert seen["views"] == {name: query(settings.warehouse, f"select count(*) from mart.{name}")[0][0]
                             for name in mart_names()}


def test_every_table_and_view_answers_the_same_in_the_copy_as_in_the_warehouse(first_night):
    settings = first_night
    con = duckdb.connect()
    try:
        con.execute(f"attach '{settings.warehouse}' as wh (read_only)")
        con.execute(f"attach '{settings.published}' as pub (read_only)")
        relations = con.execute("""
            select schema_name, table_name from duckdb_tables() where database_name = 'wh'
            union all
            select schema_name, view_name from duckdb_views() where database_name = 'wh' and not internal
            order by all""").fetchall()
        assert {s for s, _ in relations} == {"ref", "dw", "audit", "mart"}
        for schema, name in relations:
            differ = con.execute(f"""select count(*) from (
                (select * from wh.{schema}.{name} except all select * from pub.{schema}.{name})
                union all
                (select * from pub.{schema}.{name} except all select * from wh.{schema}.{name}))""").fetchone()
            assert differ == (0,), f"{schema}.{name} differs in the copy"
        described = ("select count(*) filter (where comment is not null), count(*) from duckdb_columns()"
                     " where database_name = '{}' and schema_name = 'mart'")
        assert con.execute(described.format("pub")).fetchone() == con.execute(described.format("wh")).fetchone()
        assert con.execute("select count(*) from duckdb_views() where database_name = 'pub' and schema_name = 'mart'"
                           " and comment is not null").fetchone() == (len(mart_names()),)
    finally:
        con.close()


# A separate process, as an analyst re-running a query: a new read-only connection each time.
READER = """
import json, sys, time, duckdb
from pathlib import Path
published, sql, out, stop = sys.argv[1:5]
with open(out, "w") as log:
    while not Path(stop).exists():
        try:
            con = duckdb.connect(published, read_only=True)
            try:
                log.write(json.dumps({"national": con.execute(sql).fetchall()}) + "\\n")
            finally:
                con.close()
        except Exception as error:
            log.write(json.dumps({"error": f"{type(error).__name__}: {error}"}) + "\\n")
        time.sleep(0.01)  # an analyst re-running a query, not a spin that takes a core from the loads
"""


def _state(published: Path) -> str:
    return json.dumps(query(published, NATIONAL))


def test_a_reader_during_ten_loads_sees_only_whole_nights_and_never_a_lock(april_landing, tmp_path):
    landing, truth = april_landing
    files = _monthly_files(landing, truth)
    assert len(files) >= 33
    settings = make_settings(tmp_path)
    run_night(files[:3], settings)
    states = [_state(settings.published)]
    out, stop = tmp_path / "reader.jsonl", tmp_path / "stop"
    reader = subprocess.Popen([sys.executable, "-c", READER, str(settings.published), NATIONAL, str(out), str(stop)])
    try:
        for load in range(1, 11):
            run_night(files[3 * load:3 * load + 3], settings)
            states.append(_state(settings.published))
    finally:
        stop.touch()
        reader.wait(timeout=120)
    assert len(set(states)) == 11  # each load added three provinces
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    errors = [r["error"] for r in records if "error" in r]
    assert not errors, f"{len(errors)} of {len(records)} queries failed, the first: {errors[:3]}"
    seen = [json.dumps(r["national"]) for r in records]
    assert set(seen) <= set(states), "the reader saw a state that no load completed"
    assert len(set(seen)) >= 2, f"the reader saw one state in {len(seen)} queries: it did not run during the loads"


KILLED_PUBLISH = """
import os, signal, sys, duckdb
con = duckdb.connect(sys.argv[1])
con.execute(f"attach '{sys.argv[2]}' as half")
con.execute("create schema half.dw; create table half.dw.t as select 1 as i")
os.kill(os.getpid(), signal.SIGKILL)
"""


def test_a_killed_publish_does_not_stop_the_next_one(tmp_path):
    source, published = tmp_path / "source.duckdb", tmp_path / "published" / "warehouse.duckdb"
    con = duckdb.connect(str(source))
    con.execute("create schema dw; create table dw.t as select range as i from range(1000)")
    con.execute("create schema mart; create view mart.v as select count(*) as n from dw.t")
    con.close()
    published.parent.mkdir()
    # A publish killed halfway: its temporary copy holds part of the tables, with its write-ahead log.
    killed = subprocess.run([sys.executable, "-c", KILLED_PUBLISH, str(source), str(temporary_path(published))])
    assert killed.returncode == -signal.SIGKILL
    assert temporary_path(published).exists() and Path(f"{temporary_path(published)}.wal").exists()
    for _ in range(2):  # and a publish after a successful one
        con = duckdb.connect(str(source))
        try:
            copy_for_analysts(con, published)
        finally:
            con.close()
        assert query(published, "select n from mart.v") == [(1000,)]
    assert sorted(p.name for p in published.parent.iterdir()) == [".warehouse.duckdb.lock", "warehouse.duckdb"]


def test_the_copy_keeps_the_last_night_when_publishing_fails(first_night, monkeypatch):
    settings = first_night
    before = _state(settings.published)
    inode = settings.published.stat().st_ino
    def disk_full(*args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", disk_full)
    with pytest.raises(PublishError, match="analysts still see the previous one"):
        publish(settings)
    assert settings.published.stat().st_ino == inode and _state(settings.published) == before
    assert not temporary_path(settings.published).exists()


@pytest.mark.parametrize("value", ["v9.9.9", "1.5.0", "v1.5.0'; drop table x; --"])
def test_an_unknown_storage_version_is_refused_naming_the_variable(monkeypatch, value):
    monkeypatch.setenv("CAX_PUBLISHED_STORAGE_VERSION", value)
    with pytest.raises(SettingError, match="CAX_PUBLISHED_STORAGE_VERSION"):
        load_settings()


def _storage_tag(path: Path) -> str:
    con = duckdb.connect()
    try:
        con.execute(f"attach '{path}' as db (read_only)")
        return con.execute("select tags['storage_version'] from duckdb_databases() where database_name = 'db'"
                           ).fetchone()[0]
    finally:
        con.close()


def test_the_copy_is_written_in_the_storage_version_of_the_setting(first_night, tmp_path, monkeypatch):
    assert _storage_tag(first_night.published) == "v1.5.0+"  # the default: DuckDB 1.5 opens it
    monkeypatch.setenv("CAX_PUBLISHED_STORAGE_VERSION", "v1.4.0")
    published = tmp_path / "old.duckdb"
    con = duckdb.connect()  # the warehouse attached read-only: the copy itself is still written
    try:
        con.execute(f"attach '{first_night.warehouse}' as night (read_only); use night")
        copy_for_analysts(con, published, load_settings().published_storage_version)
    finally:
        con.close()
    assert _storage_tag(published) == "v1.4.0+"


# --- The README's "For analysts": its snippets run, and what it says DuckDB 2 does is what it does ---

README = Path(__file__).resolve().parents[2] / "README.md"
README_PATH = "var/published/warehouse.duckdb"


def _for_analysts() -> str:
    text = README.read_text(encoding="utf-8")
    return text[text.index("## For analysts\n"):text.index("\n## ", text.index("## For analysts\n") + 1)]


def _said(message: str) -> str:
    """``message``, after checking the README's "For analysts" quotes it (wrapped lines joined)."""
    assert message in " ".join(_for_analysts().split()), f"the README no longer says {message!r}"
    return message


# Each python block of the section, in a fresh namespace, on the copy; prints each DataFrame's rows.
SNIPPETS = """
import json, sys
published, blocks = sys.argv[1], json.loads(sys.argv[2])
seen = []
for block in blocks:
    names = {}
    exec(block.replace(sys.argv[3], published), names)
    seen.append({k: len(v) for k, v in names.items() if type(v).__name__ == "DataFrame"})
print(json.dumps(seen))
"""


def test_the_readme_snippets_for_analysts_run_on_the_copy(first_night):
    blocks = re.findall(r"```python\n(.*?)```", _for_analysts(), re.S)
    assert len(blocks) >= 2 and all(README_PATH in b for b in blocks)
    done = subprocess.run([sys.executable, "-c", SNIPPETS, str(first_night.published), json.dumps(blocks),
                           README_PATH], capture_output=True, text=True, timeout=120, cwd=README.parent)
    assert done.returncode == 0, done.stderr[-2000:]
    seen = json.loads(done.stdout.splitlines()[-1])
    assert seen[0] == {"national": query(first_night.published, "select count(*) from mart.national_staffing")[0][0]}
    assert seen[1] == {"provinces": 6}  # the six provinces of the night
    # The example query's snippet reads its file from the project's root, where analysts run it.
    assert seen[2] == {"answer": query(first_night.published, "select count(*) from (select distinct admin_era,"
                                       " province_code, target_deadline from mart.id_card_progress)")[0][0]}


def test_the_duckdb_2_idioms_the_readme_shows(first_night):
    published = str(first_night.published)
    sql = "select province_code, officers from mart.staffing_by_province order by province_code"
    rows = query(first_night.published, sql)
    con = duckdb.connect(published, read_only=True)
    try:
        with pytest.raises(AttributeError, match=re.escape(_said("Relations no longer have fetchone()"))):
            con.sql(sql).fetchone()
        assert con.sql(sql).fetchall() == rows and len(con.sql(sql).df()) == len(rows)
        assert con.sql(sql).limit(1).fetchall() == rows[:1]
        assert con.execute("select officers from mart.staffing_by_province where province_code = ?",
                           [rows[0][0]]).fetchall() == [(rows[0][1],)]
        assert con.sql(sql).to_arrow_table().num_rows == len(rows)
        with pytest.raises(AttributeError):
            con.execute(sql).arrow()
        con.abort()
        assert con.execute(sql).fetchone() == rows[0]
        with pytest.raises(duckdb.Error, match=re.escape(_said("connection has an unfinished result from execute()"))):
            con.sql(sql).fetchall()
        con.complete()
        assert con.sql(sql).fetchall() == rows
        with pytest.raises(duckdb.Error, match="read-only"):
            con.execute("create table mart.mine as select 1 as x")
    finally:
        con.close()


def test_the_sqlalchemy_idioms_the_readme_shows(first_night):
    import sqlalchemy as sa
    from sqlalchemy.pool import NullPool

    sql = sa.text("select province_code from mart.staffing_by_province order by province_code")
    engine = sa.create_engine(f"duckdb:///{first_night.published}", connect_args={"read_only": True},
                              poolclass=NullPool)
    with engine.connect() as conn:
        result = conn.execute(sql)
    with pytest.raises(sa.exc.DBAPIError, match=_said("No open result set")):
        result.fetchall()
    with engine.connect() as conn:
        half = conn.execute(sql)
        first = half.fetchone()
        assert conn.execute(sa.text("select 1")).fetchall() == [(1,)]
        # _said: "the next query ends it, and its fetchone() then returns None"
        assert first is not None and half.fetchone() is None
    _said("its `fetchone()` then returns `None` as if the rows had run out")
    engine.dispose()


HOLD_WRITER = """
import sys, time, duckdb
con = duckdb.connect(sys.argv[1])
print("holding", flush=True)
time.sleep(60)
"""


def test_one_writer_or_many_readers_as_the_readme_says(first_night, tmp_path):
    copy = Path(shutil.copy(first_night.published, tmp_path / "copy.duckdb"))
    holder = subprocess.Popen([sys.executable, "-c", HOLD_WRITER, str(copy)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "holding"
        with pytest.raises(duckdb.IOException) as refused:
            duckdb.connect(str(copy), read_only=True)
        assert _said("Could not set lock on file") in str(refused.value)
        assert "Conflicting lock is held" in str(refused.value)
    finally:
        holder.kill()
        holder.wait(timeout=30)
    writer = duckdb.connect(str(copy))
    try:
        with pytest.raises(duckdb.Error, match=re.escape(_said(
                "Can't open a connection to same database file with a different configuration than existing "
                "connections"))):
            duckdb.connect(str(copy), read_only=True)
    finally:
        writer.close()


def test_a_duckdb_15_client_refuses_the_loaders_file_and_its_cli_opens_the_copy(first_night):
    uv = _uv()
    if uv is None:
        _unavailable("uv is neither on PATH nor a module of python3")
    assert uv is not None
    probe = "import sys, duckdb\ntry:\n    duckdb.connect(sys.argv[1], read_only=True)\nexcept duckdb.Error as e:\n" \
            "    print(e)"
    done = subprocess.run([*uv, "run", "--no-project", "--isolated", "--quiet", "--with", "duckdb>=1.5,<1.6",
                           "python", "-c", probe, str(first_night.warehouse)],
                          capture_output=True, text=True, timeout=600)
    if done.returncode:
        _unavailable(f"uv run failed: {done.stderr[-1000:]}")
    assert _said("Trying to read a database file with version number 69, but we can only read versions between "
                 "64 and 68") in " ".join(done.stdout.split())
    cli = subprocess.run([*uv, "tool", "run", "--quiet", "--from", "duckdb-cli==1.5.6", "duckdb", "-readonly",
                          "-csv", str(first_night.published), "-c", "select count(*) from mart.staffing_by_province"],
                         capture_output=True, text=True, timeout=600)
    if cli.returncode and "version number" not in cli.stdout + cli.stderr:
        _unavailable(f"the DuckDB 1.5.6 CLI could not be run: {cli.stderr[-1000:]}")
    assert cli.returncode == 0, cli.stderr
    assert cli.stdout.split()[-1] == "6"
    assert "uvx --from duckdb-cli==1.5.6 duckdb -readonly" in _for_analysts()
