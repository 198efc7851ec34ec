"""The data dictionary (``cax docs``): every view and table of the schemas mart, dw, audit and ref,
each column with its type, and what each means, read from the warehouse's own catalogue (the
COMMENT ON of warehouse/ddl/ and warehouse/mart/), never from a list kept by hand. Written as
Markdown and as one self-contained HTML page (inline CSS, no script, nothing fetched).
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from etl.clock import now_vietnam
from etl.load.warehouse import read

# The schemas described, the analysts' interface first. DuckDB keeps no comment on a schema, so
# each schema's one line lives here.
SCHEMAS = {
    "mart": "the analysts' views: one grain each, stated with its key in the view's comment; columns are added, "
            "never renamed",
    "dw": "the star: dimensions and the facts as the provinces reported them",
    "audit": "what became of every run, file, sheet and row: loaded, quarantined with the reason, or warned",
    "ref": "reference lists: the dated official unit lists and their crosswalks, indicator definitions, deadlines",
}
MARKDOWN_NAME = "data_dictionary.md"
HTML_NAME = "data_dictionary.html"


@dataclass(frozen=True)
class Column:
    name: str
    data_type: str
    comment: str


@dataclass(frozen=True)
class Relation:
    """A view or table with its comment and its columns in their order."""

    schema: str
    name: str
    kind: str  # view | table
    comment: str
    columns: tuple[Column, ...]

    @property
    def qualified(self) -> str:
        return f"{self.schema}.{self.name}"


def _text(value: object) -> str:
    """Catalogue text as written out: NFC (a comment may have been typed decomposed), '' for none."""
    return unicodedata.normalize("NFC", str(value)) if value is not None else ""


def read_catalogue(conn: sa.Connection) -> list[Relation]:
    """The views and tables of SCHEMAS in the database ``conn`` is on, schema by schema in SCHEMAS'
    order then by name, with their comments and columns."""
    wanted = "(" + ", ".join(f"'{s}'" for s in SCHEMAS) + ")"
    here = "database_name = current_database() and schema_name in " + wanted
    relations = conn.exec_driver_sql(
        f"select schema_name, view_name, 'view', comment from duckdb_views() where not internal and {here}"
        f" union all select schema_name, table_name, 'table', comment from duckdb_tables() where {here}").fetchall()
    columns: dict[tuple[str, str], list[Column]] = {}
    for schema, table, name, data_type, comment in conn.exec_driver_sql(
            "select schema_name, table_name, column_name, data_type, comment from duckdb_columns()"
            f" where {here} order by schema_name, table_name, column_index").fetchall():
        columns.setdefault((schema, table), []).append(Column(_text(name), _text(data_type), _text(comment)))
    order = list(SCHEMAS)
    return [Relation(schema, _text(name), kind, _text(comment), tuple(columns.get((schema, name), ())))
            for schema, name, kind, comment in sorted(relations, key=lambda r: (order.index(r[0]), r[1]))]


def undescribed(relations: list[Relation]) -> list[str]:
    """Each relation and column (schema.relation[.column]) whose comment is missing or blank."""
    return [name for r in relations for name, comment in ((r.qualified, r.comment),
                                                          *((f"{r.qualified}.{c.name}", c.comment) for c in r.columns))
            if not comment.strip()]


def _counts(relations: list[Relation]) -> str:
    views = sum(r.kind == "view" for r in relations)
    return (f"{views} views, {len(relations) - views} tables, "
            f"{sum(len(r.columns) for r in relations)} columns")


# --- Markdown -------------------------------------------------------------------------------------

def _md(text: str) -> str:
    """Text for a Markdown table cell or paragraph: no raw HTML (< > & as entities), no cell break
    (| escaped), one line."""
    return html.escape(text, quote=False).replace("|", "\\|").replace("\r", "").replace("\n", "<br>")


def _slug(heading: str) -> str:
    """The anchor GitHub and most renderers give a heading: lower case, punctuation dropped, spaces
    as hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-")


def _code(name: str) -> str:
    """A name as Markdown code, when it is a plain identifier (a code span shows entities as typed)."""
    return f"`{name}`" if re.fullmatch(r"[\w.]+", name) else _md(name)


def markdown(relations: list[Relation], source: str, written_at: str) -> str:
    """The dictionary as Markdown: contents, then each schema, each relation with its kind and
    comment and a table of its columns."""
    lines = ["# Data dictionary of the cax warehouse", "",
             f"Written by `cax docs` on {written_at} from the comments of {_md(source)} ({_counts(relations)}).",
             "Every description is the warehouse's own (`COMMENT ON`, in `warehouse/ddl/` and `warehouse/mart/`).",
             "", "## Contents", ""]
    for schema, about in SCHEMAS.items():
        lines.append(f"- [{schema}](#{_slug(schema)}): {_md(about)}")
        lines += [f"  - [{r.qualified}](#{_slug(r.qualified)}) ({r.kind})" for r in relations if r.schema == schema]
    for schema, about in SCHEMAS.items():
        lines += ["", f"## {schema}", "", f"{_md(about[0].upper() + about[1:])}."]
        for r in (r for r in relations if r.schema == schema):
            lines += ["", f"### {r.qualified}", "", f"*{r.kind}*. {_md(r.comment)}", "",
                      "| column | type | comment |", "|---|---|---|"]
            lines += [f"| {_code(c.name)} | {_md(c.data_type)} | {_md(c.comment)} |" for c in r.columns]
    return "\n".join(lines) + "\n"


# --- HTML -----------------------------------------------------------------------------------------

def _h(text: str) -> str:
    return html.escape(text, quote=True)


def _anchor(*parts: str) -> str:
    """An element id: the qualified name with '-' for '.', so it is also a plain CSS identifier."""
    return _h("-".join(parts))


STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif; margin: 0 auto;
       max-width: 72rem; padding: 1rem 1.5rem 4rem; color: #1f2328; line-height: 1.45; }
h1 { font-size: 1.6rem; } h2 { border-bottom: 2px solid #d0d7de; padding-bottom: .2rem; margin-top: 2.5rem; }
h3 { margin: 2rem 0 .3rem; font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
nav ul { columns: 2 22rem; } nav li { break-inside: avoid; }
.kind { display: inline-block; font-size: .8rem; padding: 0 .45rem; border-radius: .6rem; background: #ddf4ff;
        color: #0550ae; margin-right: .4rem; } .kind.table { background: #fff8c5; color: #7d4e00; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; font-size: .92rem; }
th, td { border: 1px solid #d0d7de; padding: .3rem .5rem; text-align: left; vertical-align: top; }
th { background: #f6f8fa; } tr:target { background: #fff8c5; }
td.name, td.type { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; white-space: nowrap; }
.about { color: #57606a; }
""".strip()


def html_page(relations: list[Relation], source: str, written_at: str) -> str:
    """The dictionary as one HTML page: inline CSS, contents linking to each relation, every text
    escaped."""
    toc, body = [], []
    for schema, about in SCHEMAS.items():
        members = [r for r in relations if r.schema == schema]
        toc.append(f'<li><a href="#{_anchor(schema)}">{_h(schema)}</a>: {_h(about)}<ul>'
                   + "".join(f'<li><a href="#{_anchor(r.schema, r.name)}">{_h(r.qualified)}</a> '
                             f'<span class="kind {r.kind}">{r.kind}</span></li>' for r in members)
                   + "</ul></li>")
        body.append(f'<section id="{_anchor(schema)}"><h2>{_h(schema)}</h2>'
                    f'<p class="about">{_h(about[0].upper() + about[1:])}.</p>')
        for r in members:
            rows = "".join(f'<tr id="{_anchor(r.schema, r.name, c.name)}"><td class="name">{_h(c.name)}</td>'
                           f'<td class="type">{_h(c.data_type)}</td><td>{_h(c.comment)}</td></tr>'
                           for c in r.columns)
            body.append(f'<section id="{_anchor(r.schema, r.name)}"><h3>{_h(r.qualified)}</h3>'
                        f'<p><span class="kind {r.kind}">{r.kind}</span>{_h(r.comment)}</p>'
                        '<table><thead><tr><th>column</th><th>type</th><th>comment</th></tr></thead>'
                        f"<tbody>{rows}</tbody></table></section>")
        body.append("</section>")
    return "\n".join([
        "<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<title>Data dictionary of the cax warehouse</title>", f"<style>\n{STYLE}\n</style>", "</head>", "<body>",
        "<header><h1>Data dictionary of the cax warehouse</h1>",
        f"<p>Written by <code>cax docs</code> on {_h(written_at)} from the comments of <code>{_h(source)}</code> "
        f"({_counts(relations)}). Every description is the warehouse's own (<code>COMMENT ON</code>, in "
        "<code>warehouse/ddl/</code> and <code>warehouse/mart/</code>).</p></header>",
        '<nav><h2>Contents</h2><ul>', *toc, "</ul></nav>", "<main>", *body, "</main>", "</body>", "</html>", ""])


def write_dictionary(warehouse: Path, out: Path) -> tuple[Path, Path, list[Relation]]:
    """Read the warehouse's catalogue (read-only, waiting while a loader holds it) and write
    ``data_dictionary.md`` and ``data_dictionary.html`` into ``out``; returns both paths and what
    they describe."""
    relations = read(warehouse, read_catalogue)
    written_at = f"{now_vietnam():%d/%m/%Y %H:%M} (Vietnam time)"
    out.mkdir(parents=True, exist_ok=True)
    md_path, html_path = out / MARKDOWN_NAME, out / HTML_NAME
    for path, text in ((md_path, markdown(relations, str(warehouse), written_at)),
                       (html_path, html_page(relations, str(warehouse), written_at))):
        path.write_text(unicodedata.normalize("NFC", text), encoding="utf-8", newline="\n")
    return md_path, html_path, relations
