"""The brief as one self-contained HTML5 page: the PDF's text, its charts inline as PNG data URLs,
inline CSS, no script and no external reference of any kind (a Content-Security-Policy that allows
nothing but inline styles and data: images says so to the browser too), so it can be mailed and
opened offline, on a phone as well. Every text is escaped and NFC.
"""

from __future__ import annotations

import base64
from html import escape
from pathlib import Path

from etl.leadership.brief import Brief
from etl.leadership.charts import Chart
from etl.leadership.pdf import PARTIAL, write_atomically
from etl.leadership.words import nfc

POLICY = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"
STYLE = """
:root { color-scheme: light; }
body { margin: 0; background: #f4f4f4; color: #191919;
       font: 16px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "DejaVu Sans", Arial, sans-serif; }
main { max-width: 46rem; margin: 0 auto; padding: 1rem 1.1rem 2rem; background: #fff; }
h1 { font-size: 1.45rem; line-height: 1.25; margin: 0.4rem 0 0.2rem; }
.subtitle { color: #5f5f5f; margin: 0 0 1rem; }
section { margin: 0 0 1rem; }
section.partial { border-left: 4px solid #c05a00; padding-left: 0.7rem; }
h2 { font-size: 1.05rem; margin: 0 0 0.25rem; }
.mark { display: inline-block; font-size: 0.75rem; font-weight: 600; color: #fff; background: #c05a00;
        border-radius: 0.2rem; padding: 0.05rem 0.4rem; margin-left: 0.4rem; vertical-align: middle; }
p { margin: 0; overflow-wrap: anywhere; }
figure { margin: 1.4rem 0; }
figure h3 { font-size: 0.95rem; margin: 0 0 0.4rem; }
figure img { display: block; width: 100%; height: auto; }
figcaption { color: #5f5f5f; font-size: 0.85rem; margin-top: 0.3rem; }
footer { border-top: 1px solid #bbb; margin-top: 1.5rem; padding-top: 0.5rem; color: #5f5f5f; font-size: 0.8rem; }
footer p { margin: 0 0 0.2rem; }
"""


def write_html(brief: Brief, charts: list[Chart], path: Path) -> Path:
    """Write the page to ``path`` (written beside it, then renamed over it)."""
    return write_atomically(path, page(brief, charts).encode("utf-8"))


def page(brief: Brief, charts: list[Chart]) -> str:
    """The page's text: the brief's title, paragraphs, charts and footer, in that order."""
    sections = "\n".join(_paragraph(p.heading, p.text, p.partial) for p in brief.paragraphs)
    figures = "\n".join(_chart(chart) for chart in charts)
    footer = "\n".join(f"<p>{_text(line)}</p>" for line in brief.footer)
    return f"""<!DOCTYPE html>
<html lang="vi">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="{POLICY}">
<meta name="referrer" content="no-referrer">
<title>{_text(brief.title)} – {_text(brief.subtitle)}</title>
<style>{STYLE}</style>
</head>
<body>
<main>
<h1>{_text(brief.title)}</h1>
<p class="subtitle">{_text(brief.subtitle)}</p>
{sections}
{figures}
<footer>
{footer}
</footer>
</main>
</body>
</html>
"""


def _text(value: str) -> str:
    return escape(nfc(value), quote=True)


def _paragraph(heading: str, text: str, partial: bool) -> str:
    opening, mark = ('<section class="partial">', f' <span class="mark">{_text(PARTIAL)}</span>') if partial \
        else ("<section>", "")
    return f"{opening}\n<h2>{_text(heading)}{mark}</h2>\n<p>{_text(text)}</p>\n</section>"


def _chart(chart: Chart) -> str:
    png = chart.png
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")  # the PNG's IHDR
    data = base64.b64encode(png).decode("ascii")
    return (f"<figure>\n<h3>{_text(chart.title)}</h3>\n"
            f'<img src="data:image/png;base64,{data}" width="{width}" height="{height}" alt="{_text(chart.alt)}">\n'
            f"<figcaption>{_text(chart.caption)}</figcaption>\n</figure>")
