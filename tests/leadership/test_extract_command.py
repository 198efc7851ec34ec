"""`cax extract` as the data team runs it: the three files, the headline printed, bad usage exit 2."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from etl.cli import app

pytestmark = pytest.mark.e2e


def _cax(*args: str):
    return CliRunner().invoke(app, list(args))


def test_extract_writes_the_three_files_and_prints_the_headline(sample_night, tmp_path):
    settings, _, _ = sample_night
    result = _cax("extract", "--as-of", "2021-05-31", "--province", "30", "--out", str(tmp_path),
                  "--warehouse", str(settings.published))
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["BaoCao_2021-05-31.html", "BaoCao_2021-05-31.pdf",
                                                          "TongHop_2021-05-31.xlsx"]
    assert "Tính đến ngày 23/4/2021, Công an 63 tỉnh, thành phố" in result.output
    assert "63/63 tỉnh, thành phố đã gửi đủ các báo cáo" in result.output


def test_extract_refuses_bad_usage_with_exit_2(sample_night, tmp_path):
    settings, _, _ = sample_night
    published = str(settings.published)
    bad_date = _cax("extract", "--as-of", "31/5/2021", "--out", str(tmp_path), "--warehouse", published)
    assert bad_date.exit_code == 2 and "YYYY-MM-DD" in bad_date.output
    no_warehouse = _cax("extract", "--out", str(tmp_path), "--warehouse", str(tmp_path / "none.duckdb"))
    assert no_warehouse.exit_code == 2 and "none.duckdb" in no_warehouse.output
    # Hải Dương (30) is no province of 2025: it joined Hải Phòng (31).
    old_code = _cax("extract", "--as-of", "2021-05-31", "--basis", "2025", "--province", "30", "--out",
                    str(tmp_path), "--warehouse", published)
    assert old_code.exit_code == 2 and "30" in old_code.output
    assert not any(tmp_path.iterdir())  # nothing written
    missing_out = _cax("extract", "--warehouse", published)
    assert missing_out.exit_code == 2
    a_file = tmp_path / "a file"
    a_file.write_text("not a folder, not a warehouse")
    out_is_a_file = _cax("extract", "--out", str(a_file), "--warehouse", published)
    assert out_is_a_file.exit_code == 2 and "--out" in out_is_a_file.output
    not_duckdb = _cax("extract", "--out", str(tmp_path / "out"), "--warehouse", str(a_file))
    assert not_duckdb.exit_code == 2 and "not a DuckDB warehouse" in not_duckdb.output
