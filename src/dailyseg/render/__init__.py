"""Renderers: the published text format, JSON, CSV, HTML and PDF."""

from collections.abc import Callable, Sequence

from dailyseg.filing import Filing
from dailyseg.render.csv import render_csv
from dailyseg.render.html import render_fragment, render_html
from dailyseg.render.json import render_json
from dailyseg.render.pdf import render_pdf
from dailyseg.render.text import render_text

RENDERERS: dict[str, Callable[[Sequence[Filing]], str | bytes]] = {
    "text": render_text,
    "json": render_json,
    "csv": render_csv,
    "html": render_html,
    "pdf": render_pdf,
}

__all__ = ["RENDERERS", "render_csv", "render_fragment", "render_html", "render_json", "render_pdf", "render_text"]
