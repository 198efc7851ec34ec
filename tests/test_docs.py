"""The data dictionary (cax docs, etl/docs.py): both files hold every relation and column of the
warehouse with its comment, compared with DuckDB's own catalogue; the HTML page is well formed,
self-contained, its contents link to every relation, and a comment with quotes, <, & or a line break
is shown as text, never as markup; Vietnamese text comes out NFC."""

from __future__ import annotations

import html
import re
import shutil
import unicodedata
from html.parser import HTMLParser
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from etl.cli import app
from etl.docs import write_dictionary
from tests.builders import query

pytestmark = pytest.mark.unit

IN_SCHEMAS = "schema_name in ('mart', 'dw', 'audit', 'ref')"
VOID = {"meta", "br", "hr", "img", "input", "link", "wbr", "col", "area", "base", "source", "track", "embed"}


def _catalogue(warehouse: Path) -> dict[str, tuple[str, str, list[tuple[str, str, str]]]]:
    """schema.relation -> (kind, comment, [(column, type, comment)]), from DuckDB's catalogue."""
    relations = query(warehouse, f"""
        select schema_name || '.' || view_name, 'view', comment from duckdb_views() where not internal and {IN_SCHEMAS}
        union all
        select schema_name || '.' || table_name, 'table', comment from duckdb_tables() where {IN_SCHEMAS}""")
    columns = query(warehouse, f"""select schema_name || '.' || table_name, column_name, data_type, comment
                                   from duckdb_columns() where {IN_SCHEMAS} order by column_index""")
    return {name: (kind, comment or "", [(c, t, k or "") for r, c, t, k in columns if r == name])
            for name, kind, comment in relations}


class Page(HTMLParser):
    """Reads the page back: checks every element is closed in order, and collects each relation's
    section (its heading, kind, comment and column rows), the ids, the links and what could fetch."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.ids: list[str] = []
        self.links: list[str] = []
        self.fetching: list[str] = []
        self.tags: set[str] = set()
        self.sections: dict[str, dict] = {}
        self._section: dict | None = None
        self._cell: list[str] | None = None
        self._row: list[str] | None = None
        self._text: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        self.tags.add(tag)
        if tag not in VOID:
            self.stack.append(tag)
        if values.get("id"):
            self.ids.append(values["id"] or "")
        if tag == "a":
            self.links.append(values.get("href") or "")
        if values.get("src") or tag in ("link", "script", "iframe", "object") or (
                tag == "a" and not (values.get("href") or "").startswith("#")):
            self.fetching.append(f"<{tag} {attrs}>")
        if tag == "section" and values.get("id", "").count("-") == 1:
            self._section = {"heading": "", "kind": "", "comment": "", "rows": []}
            self.sections[values["id"] or ""] = self._section
        elif self._section is not None:
            if tag in ("h3", "p", "span"):
                self._text = []
            elif tag == "tr":
                self._row = []
            elif tag == "td":
                self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes <{self.stack[-1] if self.stack else 'nothing'}>")
            return
        self.stack.pop()
        section = self._section
        if section is None:
            return
        if tag == "h3" and self._text is not None:
            section["heading"] = "".join(self._text)
        elif tag == "span" and self._text is not None:
            section["kind"] = "".join(self._text)
            self._text = []
        elif tag == "p" and self._text is not None:
            section["comment"] = "".join(self._text)
        elif tag == "td" and self._cell is not None and self._row is not None:
            self._row.append("".join(self._cell))
            self._cell = None
        elif tag == "tr" and self._row:
            section["rows"].append(tuple(self._row))
            self._row = None
        elif tag == "section":
            self._section = None
        if tag in ("h3", "p"):
            self._text = None

    def handle_data(self, data: str) -> None:
        for sink in (self._cell, self._text):
            if sink is not None:
                sink.append(data)


def _page(path: Path) -> Page:
    page = Page()
    page.feed(path.read_text(encoding="utf-8"))
    page.close()
    return page


def _markdown(path: Path) -> dict[str, dict]:
    """schema.relation -> its kind, comment and column rows, read back from the Markdown (cells un-escaped)."""
    def cell(text: str) -> str:
        return html.unescape(text.strip().replace("\\|", "|").replace("<br>", "\n")).strip("`")

    relations: dict[str, dict] = {}
    current: dict | None = None
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("### "):
            current = relations[line[4:]] = {"kind": "", "comment": "", "rows": []}
        elif current is not None and (found := re.fullmatch(r"\*(view|table)\*\. (.*)", line)):
            current["kind"], current["comment"] = found.group(1), cell(found.group(2))
        elif current is not None and line.startswith("| ") and not line.startswith("| column |"):
            current["rows"].append(tuple(cell(c) for c in re.split(r"(?<!\\)\|", line)[1:-1]))
    return relations


def _assert_holds(out: Path, catalogue: dict) -> None:
    """Both files describe exactly the catalogue's relations and columns, with its comments."""
    page = _page(out / "data_dictionary.html")
    assert not page.errors and not page.stack, (page.errors, page.stack)
    assert not page.fetching and "script" not in page.tags
    assert len(page.ids) == len(set(page.ids))
    assert {link[1:] for link in page.links} <= set(page.ids)  # every link of the contents lands
    shown = {s["heading"]: (s["kind"], s["comment"], s["rows"]) for s in page.sections.values()}
    expected = {name: (kind, comment, [tuple(c) for c in columns]) for name, (kind, comment, columns)
                in catalogue.items()}
    assert shown == expected
    assert {f"#{anchor}" for anchor in page.sections} <= set(page.links)
    written = {name: (r["kind"], r["comment"], r["rows"]) for name, r in _markdown(out / "data_dictionary.md").items()}
    assert written == expected


def test_the_dictionary_holds_every_relation_and_column_of_the_warehouse(built_warehouse, tmp_path):
    md, page, relations = write_dictionary(built_warehouse, tmp_path)
    catalogue = _catalogue(built_warehouse)
    assert len(catalogue) >= 34 and sum(len(c) for _, _, c in catalogue.values()) >= 350
    assert len(relations) == len(catalogue)
    _assert_holds(tmp_path, catalogue)
    # Schema by schema, the analysts' views first.
    text = md.read_text(encoding="utf-8")
    assert [text.index(f"\n## {s}\n") for s in ("mart", "dw", "audit", "ref")] == sorted(
        text.index(f"\n## {s}\n") for s in ("mart", "dw", "audit", "ref"))
    assert "Hải Dương" in page.read_text(encoding="utf-8")  # a Vietnamese comment, as UTF-8


HOSTILE = [
    "create schema mart", "create schema dw", "create schema audit", "create schema ref",
    "create table dw.fact_x (\"note\" varchar, \"a|b\" integer, \"x<y\" double)",
    "create view mart.x_view as select * from dw.fact_x",
    "create table ref.empty (code varchar)",
    """comment on table dw.fact_x is 'Rows <b>bold</b> & "quoted" & ''single'' </table></section> | pipe'""",
    "comment on column dw.fact_x.note is '<script>alert(1)</script> line one\nline two'",
    "comment on column dw.fact_x.\"a|b\" is 'a & b &amp; c'",
    "comment on view mart.x_view is '" + unicodedata.normalize("NFD", "Xã Hưng Đạo, Thừa Thiên Huế") + "'",
]


def test_comments_are_text_never_markup_and_come_out_nfc(tmp_path):
    warehouse = tmp_path / "hostile.duckdb"
    con = duckdb.connect(str(warehouse))
    try:
        for statement in HOSTILE:
            con.execute(statement)
    finally:
        con.close()
    out = tmp_path / "docs"
    write_dictionary(warehouse, out)
    catalogue = _catalogue(warehouse)
    # What is compared: the comments as DuckDB holds them, in NFC (the view's was typed decomposed).
    nfc = {name: (kind, unicodedata.normalize("NFC", comment), columns)
           for name, (kind, comment, columns) in catalogue.items()}
    assert nfc["mart.x_view"][1] == "Xã Hưng Đạo, Thừa Thiên Huế" != catalogue["mart.x_view"][1]
    _assert_holds(out, nfc)
    page = (out / "data_dictionary.html").read_text(encoding="utf-8")
    assert "<script>" not in page and "<b>" not in page and "&lt;script&gt;" in page
    assert "&amp;amp;" in page  # '&amp;' typed in a comment is shown as typed
    md = (out / "data_dictionary.md").read_text(encoding="utf-8")
    assert "<script>" not in md and "<b>" not in md
    assert "\\| pipe" in md and "line one<br>line two" in md
    for text in (page, md):
        assert unicodedata.is_normalized("NFC", text)
    assert "Xã Hưng Đạo" in page and "Xã Hưng Đạo" in md


def test_cax_docs_writes_both_files_under_var_docs_and_says_where(built_warehouse, tmp_path, monkeypatch):
    monkeypatch.setenv("CAX_VAR", str(tmp_path / "var"))
    result = CliRunner().invoke(app, ["docs", "--warehouse", str(built_warehouse)])
    assert result.exit_code == 0, result.output
    out = tmp_path / "var" / "docs"
    assert sorted(p.name for p in out.iterdir()) == ["data_dictionary.html", "data_dictionary.md"]
    flat = " ".join(result.stdout.split())
    assert str(out / "data_dictionary.md") in flat and str(out / "data_dictionary.html") in flat
    assert "chưa có chú thích" not in flat


def test_cax_docs_names_what_has_no_comment(built_warehouse, tmp_path):
    copy = Path(shutil.copy(built_warehouse, tmp_path / "warehouse.duckdb"))
    con = duckdb.connect(str(copy))
    con.execute("comment on column audit.quarantine.rule is null")
    con.close()
    result = CliRunner().invoke(app, ["docs", "--warehouse", str(copy), "--out", str(tmp_path / "d")])
    assert result.exit_code == 0
    assert "1 bảng, view hoặc cột chưa có chú thích" in result.stdout and "audit.quarantine.rule" in result.stdout


def test_cax_docs_without_a_warehouse_exits_2(tmp_path):
    missing = tmp_path / "none.duckdb"
    result = CliRunner().invoke(app, ["docs", "--warehouse", str(missing), "--out", str(tmp_path / "d")])
    assert result.exit_code == 2
    assert "no warehouse at" in result.stdout and str(missing) in " ".join(result.stdout.split())
    assert not missing.exists() and not (tmp_path / "d").exists()
