"""Renderers: the published text format, JSON, CSV, HTML and PDF.

A renderer's module is imported when the renderer is first asked for: HTML and PDF need Jinja2 (and
WeasyPrint), which a command that only validates or writes text should not pay for at start. `FORMATS`
names the formats at no cost; `renderer(fmt)` gives one; `RENDERERS` is the same as a mapping.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dailyseg.filing import Filing
    from dailyseg.render.csv import render_csv
    from dailyseg.render.html import render_fragment, render_html
    from dailyseg.render.json import render_json
    from dailyseg.render.pdf import render_pdf
    from dailyseg.render.text import render_text

Renderer = Callable[[Sequence["Filing"]], str | bytes]

FORMATS: tuple[str, ...] = ("csv", "html", "json", "pdf", "text")


def renderer(fmt: str) -> Renderer:
    """The renderer of one of `FORMATS`, its module imported now if it was not before."""
    match fmt:
        case "csv":
            from dailyseg.render.csv import render_csv

            return render_csv
        case "html":
            from dailyseg.render.html import render_html

            return render_html
        case "json":
            from dailyseg.render.json import render_json

            return render_json
        case "pdf":
            from dailyseg.render.pdf import render_pdf

            return render_pdf
        case "text":
            from dailyseg.render.text import render_text

            return render_text
    raise ValueError(f"unknown format {fmt!r}: one of {', '.join(FORMATS)}")


class _Renderers(Mapping[str, Renderer]):
    """`RENDERERS`, for the callers that look renderers up by name: each is imported when looked up."""

    def __getitem__(self, fmt: str) -> Renderer:
        if fmt not in FORMATS:
            raise KeyError(fmt)
        return renderer(fmt)

    def __iter__(self) -> Iterator[str]:
        return iter(FORMATS)

    def __len__(self) -> int:
        return len(FORMATS)


RENDERERS: Mapping[str, Renderer] = _Renderers()

if not TYPE_CHECKING:

    def __getattr__(name: str) -> object:
        """`render_csv` ... `render_pdf` and `render_fragment` on first use (PEP 562); mypy sees the imports above."""
        if name == "render_fragment":
            from dailyseg.render.html import render_fragment

            return render_fragment
        if name.startswith("render_") and name.removeprefix("render_") in FORMATS:
            return renderer(name.removeprefix("render_"))
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "FORMATS",
    "RENDERERS",
    "Renderer",
    "render_csv",
    "render_fragment",
    "render_html",
    "render_json",
    "render_pdf",
    "render_text",
    "renderer",
]
