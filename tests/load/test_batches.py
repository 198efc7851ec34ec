"""The loader takes a night in batches of whole files: the result is that of loading the submissions
one by one in order of arrival, whatever the batches (corrections within a batch and across nights,
sheet 03 by the dates it lists, sheet 01 by the month of its title, submissions all of whose rows were
rejected, duplicates, files rejected whole, ID-card targets). Expected figures are worked out by hand."""

from __future__ import annotations

import hashlib
import shutil
from datetime import date
from pathlib import Path

import duckdb
import pytest

from etl import reference
from etl.pipeline import run_night
from tests.builders import arrive, make_settings, query, write_sheets, write_workbook

pytestmark = pytest.mark.e2e

HD, HN = "CÔNG AN TỈNH HẢI DƯƠNG", "CÔNG AN THÀNH PHỐ HÀ NỘI"
HEADER = ["STT", "Huyện, thị xã, thành phố", "Xã, thị trấn", "Số CA chính quy đã bố trí", "Ghi chú"]
TABLES = ("dw.fact_commune_staffing", "dw.fact_security_activity", "dw.fact_id_card_applications",
          "dw.fact_id_card_target", "dw.fact_commendation", "dw.dim_submission", "audit.submission",
          "audit.quarantine", "audit.warning", "audit.file", "audit.run")
# Columns that differ between two honest loads of the same files: when they ran.
WHEN = {"loaded_at", "taken_in_at", "started_at", "finished_at"}


def _communes(code: str, count: int) -> list[tuple[str, str]]:
    """The first ``count`` (district, commune) of a province in the list in force in April 2021."""
    on = date(2021, 4, 20)
    units = reference.communes("pre2025", code, in_scope_only=True, on=on)
    districts = reference.in_force(on, "district").set_index("unit_code")
    return [(districts.loc[d, "name"], n) for d, n in zip(units.district_code, units.name, strict=True)][:count]


def _staffing(province: str, code: str, officers: list[int], month: int = 4, as_of: str = "",
              unknown: bool = False) -> list[list[object]]:
    units = [("Huyện Không Có", "Xã Không Có")] * len(officers) if unknown else _communes(code, len(officers))
    title = f"Tháng {month} năm 2021 (Số liệu tính đến ngày {as_of or f'20/{month}/2021'})"
    return [["BỘ CÔNG AN"], [province], [title], HEADER,
            *[[i + 1, d, n, o, None] for i, ((d, n), o) in enumerate(zip(units, officers, strict=True))]]


def _security(province: str, code: str, tips: list[int]) -> list[list[object]]:
    return [[province], ["Tháng 4 năm 2021"],
            ["STT", "Huyện", "Xã, thị trấn", "Tin về ANTT tiếp nhận", "Tin báo, tố giác tội phạm"],
            *[[i + 1, d, n, t, 1] for i, ((d, n), t) in enumerate(zip(_communes(code, len(tips)), tips, strict=True))]]


def _commendations(province: str) -> list[list[object]]:
    return [[province], ["Tháng 4 năm 2021"], ["STT", "Cấp khen thưởng", "Tập thể", "Cá nhân"],
            [1, "Bộ Công an", 1, 2], [2, "UBND tỉnh", 2, 3]]


def _id_cards(folder: Path, name: str, days: list[tuple[str, str, int]], target: str) -> Path:
    rows = [[HD], ["BÁO CÁO TIẾN ĐỘ THU NHẬN HỒ SƠ CCCD"], [f"Chỉ tiêu được giao: {target} hồ sơ, thời hạn 30/6/2021"],
            ["Ngày", "Huyện, thị xã, thành phố", "Số hồ sơ thu nhận trong ngày"], *[list(d) for d in days]]
    return write_workbook(folder / name, rows, "Biểu 03 - Thu nhận hồ sơ CCCD")


def _first_night(folder: Path) -> None:
    """Corrections arriving the same night as what they correct, in order of arrival."""
    folder.mkdir(parents=True)
    arrive(write_workbook(folder / "hd_t4.xlsx", _staffing(HD, "30", [5, 6, 7]), "Biểu 01"), 2021, 4, 21, 9)
    arrive(write_workbook(folder / "hd_t4_sua.xlsx", _staffing(HD, "30", [5, 6, 8]), "Biểu 01"), 2021, 4, 22, 9)
    arrive(shutil.copy(folder / "hd_t4.xlsx", folder / "hd_t4 - copy.xlsx"), 2021, 4, 22, 10)
    arrive(write_workbook(folder / "hd_t4_sai.xlsx", _staffing(HD, "30", [1, 2], unknown=True), "Biểu 01"),
           2021, 4, 23, 9)
    arrive(write_sheets(folder / "hn_t4.xlsx", {"Biểu 01": _staffing(HN, "01", [2, 2]),
                                                "Biểu 02": _security(HN, "01", [10, 11]),
                                                "Biểu 04": _commendations(HN)}), 2021, 4, 25, 9)
    arrive(write_sheets(folder / "hn_t4_antt.xlsx", {"Biểu 02": _security(HN, "01", [12, 13])}), 2021, 4, 26, 9)
    # April's snapshot taken on 5/5: April's partition (the title's month), not May's.
    arrive(write_workbook(folder / "hd_t4_muon.xlsx", _staffing(HD, "30", [3, 3, 3], as_of="5/5/2021"), "Biểu 01"),
           2021, 5, 6, 9)
    arrive(_id_cards(folder, "cccd_a.xlsx", [("12/5/2021", "Huyện Tứ Kỳ", 300), ("13/5/2021", "Huyện Tứ Kỳ", 500),
                                             ("14/5/2021", "Huyện Tứ Kỳ", 150), ("15/5/2021", "TP Chí Linh", 10)],
                     "1.000"), 2021, 5, 16, 8)
    arrive(_id_cards(folder, "cccd_b.xlsx", [("14/5/2021", "Huyện Tứ Kỳ", 160)], "1.500"), 2021, 5, 16, 9)
    arrive(_id_cards(folder, "cccd_c.xlsx", [("12/5/2021", "Huyện Tứ Kỳ", 310), ("13/5/2021", "Huyện Tứ Kỳ", 510),
                                             ("15/5/2021", "TP Chí Linh", 11)], "2.000"), 2021, 5, 16, 10)
    arrive(_id_cards(folder, "cccd_d.xlsx", [("16/5/2021", "Huyện Không Có", 1)], "5.000"), 2021, 5, 17, 9)
    arrive(_id_cards(folder, "cccd_e.xlsx", [("12/5/2021", "Huyện Tứ Kỳ", 320)], "1.000"), 2021, 5, 17, 10)
    (folder / "empty.xlsx").write_bytes(b"")
    arrive(folder / "empty.xlsx", 2021, 5, 17, 11)
    arrive(write_workbook(folder / "hd_t5.xlsx", _staffing(HD, "30", [4, 4, 4], month=5), "Biểu 01"), 2021, 5, 21, 9)


def _second_night(folder: Path) -> None:
    """Corrections of what the first night loaded."""
    folder.mkdir(parents=True)
    arrive(write_workbook(folder / "hd_t4_lan3.xlsx", _staffing(HD, "30", [9, 9, 9]), "Biểu 01"), 2021, 5, 22, 9)
    arrive(_id_cards(folder, "cccd_f.xlsx", [("13/5/2021", "Huyện Tứ Kỳ", 520), ("15/5/2021", "TP Chí Linh", 12)],
                     "3.000"), 2021, 5, 22, 10)


def _tables(warehouse: Path) -> dict[str, tuple[int, str]]:
    """Per table, its row count and a checksum of its rows in any order, without when they were written."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        out = {}
        for table in TABLES:
            schema, name = table.split(".")
            columns = [c for (c,) in con.execute(
                "select column_name from information_schema.columns where table_schema = ? and table_name = ?"
                " order by ordinal_position", [schema, name]).fetchall() if c not in WHEN]
            rows = sorted(map(repr, con.execute(f"select {', '.join(columns)} from {table}").fetchall()))
            out[table] = (len(rows), hashlib.sha256("\n".join(rows).encode()).hexdigest())
        return out
    finally:
        con.close()


def _days(warehouse: Path) -> list[tuple]:
    """Hải Dương's ID-card applications by day of May 2021."""
    return query(warehouse, "select day(report_date), applications from dw.fact_id_card_applications order by 1")


@pytest.fixture(scope="module")
def nights(tmp_path_factory):
    """The two nights loaded twice: every file in its own transaction, and the night in one batch.
    (warehouse after the first night, after the second) for each."""
    root = tmp_path_factory.mktemp("batches")
    _first_night(root / "landing" / "first")
    _second_night(root / "landing" / "second")
    loaded = {}
    with pytest.MonkeyPatch.context() as patch:
        for files in ("1", "200"):
            patch.setenv("CAX_LOAD_BATCH_FILES", files)
            settings = make_settings(root / f"by_{files}")
            first = run_night([root / "landing" / "first"], settings, run_id="first")
            after_first = root / f"by_{files}_first.duckdb"
            shutil.copyfile(settings.warehouse, after_first)
            second = run_night([root / "landing" / "second"], settings, run_id="second")
            loaded[files] = (after_first, settings.warehouse, first, second)
    return loaded


def test_the_batches_change_nothing(nights):
    one_by_one, batched = nights["1"], nights["200"]
    assert _tables(one_by_one[0]) == _tables(batched[0])
    assert _tables(one_by_one[1]) == _tables(batched[1])
    assert [vars(o) for o in one_by_one[2].outcomes] == [vars(o) for o in batched[2].outcomes]
    assert [vars(o) for o in one_by_one[3].outcomes] == [vars(o) for o in batched[3].outcomes]


def test_a_correction_the_same_night_wins_and_says_what_it_replaced(nights):
    warehouse = nights["200"][0]
    why = dict(query(warehouse, "select file_name || ' ' || coalesce(template, '--'), status || ': ' ||"
                                " coalesce(reason, '') from audit.submission"))
    assert why == {
        "hd_t4.xlsx 01": "superseded: replaced by hd_t4_sua.xlsx received 22/04/2021 09:00",
        "hd_t4_sua.xlsx 01": "superseded: replaced by hd_t4_muon.xlsx received 06/05/2021 09:00",
        "hd_t4 - copy.xlsx --": "duplicate: byte-identical to 'hd_t4.xlsx', already taken in: skipped",
        "hd_t4_sai.xlsx 01": "rejected: every data row was rejected",
        "hn_t4.xlsx 01": "loaded: ",
        "hn_t4.xlsx 02": "superseded: replaced by hn_t4_antt.xlsx received 26/04/2021 09:00",
        "hn_t4.xlsx 04": "loaded: ",
        "hn_t4_antt.xlsx 02": "loaded: ",
        "hd_t4_muon.xlsx 01": "loaded: ",
        # 14/5 went to b, 12, 13 and 15/5 to c: a is empty once c is loaded.
        "cccd_a.xlsx 03": "superseded: replaced by cccd_c.xlsx received 16/05/2021 10:00",
        "cccd_b.xlsx 03": "loaded: ",
        "cccd_c.xlsx 03": "loaded: ",  # e replaced its 12/5 only
        "cccd_d.xlsx 03": "rejected: every data row was rejected",
        "cccd_e.xlsx 03": "loaded: ",
        "empty.xlsx --": "rejected: the file is empty (0 bytes)",
        "hd_t5.xlsx 01": "loaded: ",
    }
    assert dict(query(warehouse, "select file_name, status from dw.dim_submission where template = '03'")) == {
        "cccd_a.xlsx": "superseded", "cccd_b.xlsx": "loaded", "cccd_c.xlsx": "loaded", "cccd_e.xlsx": "loaded"}


def test_the_latest_rows_of_each_partition_remain(nights):
    warehouse = nights["200"][0]
    # April in Hải Dương is the late snapshot's (3 + 3 + 3), which the rejected file did not wipe; May stays.
    assert query(warehouse, "select s.file_name, sum(f.officers) from dw.fact_commune_staffing f join"
                            " dw.dim_submission s using (submission_id) group by all order by 1") == [
        ("hd_t4_muon.xlsx", 9), ("hd_t5.xlsx", 12), ("hn_t4.xlsx", 4)]
    assert query(warehouse, "select sum(tips_received) from dw.fact_security_activity") == [(25,)]
    assert query(warehouse, "select count(*), sum(collectives), sum(individuals) from dw.fact_commendation") == [
        (2, 3, 5)]
    assert _days(warehouse) == [(12, 320), (13, 510), (14, 160), (15, 11)]
    # The latest statement of the target for the deadline: e's (d's rows were all rejected).
    assert query(warehouse, "select t.target, s.file_name from dw.fact_id_card_target t"
                            " join dw.dim_submission s using (submission_id)") == [(1000, "cccd_e.xlsx")]


def test_corrections_the_next_night_supersede_what_they_empty(nights):
    warehouse = nights["200"][1]
    statuses = dict(query(warehouse, "select file_name, reason from audit.submission where status = 'superseded'"
                                     " and run_id = 'first' and template in ('01', '03')"))
    assert statuses == {
        "hd_t4.xlsx": "replaced by hd_t4_sua.xlsx received 22/04/2021 09:00",
        "hd_t4_sua.xlsx": "replaced by hd_t4_muon.xlsx received 06/05/2021 09:00",
        "hd_t4_muon.xlsx": "replaced by hd_t4_lan3.xlsx received 22/05/2021 09:00",
        "cccd_a.xlsx": "replaced by cccd_c.xlsx received 16/05/2021 10:00",
        "cccd_c.xlsx": "replaced by cccd_f.xlsx received 22/05/2021 10:00",
    }
    assert _days(warehouse) == [(12, 320), (13, 520), (14, 160), (15, 12)]
    assert query(warehouse, "select target from dw.fact_id_card_target") == [(3000,)]
