"""Renderers: the published text format, JSON, CSV and HTML."""

from collections.abc import Callable, Sequence

from dailyseg.filing import Filing
from dailyseg.render.csv import render_csv
from dailyseg.render.html import render_fragment, render_html
from dailyseg.render.json import render_json
from dailyseg.render.text import render_text

RENDERERS: dict[str, Callable[[Sequence[Filing]], str]] = {"text": render_text, "json": render_json, "csv": render_csv, "html": render_html}

__all__ = ["RENDERERS", "render_csv", "render_fragment", "render_html", "render_json", "render_text"]
