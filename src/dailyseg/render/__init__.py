"""Renderers: the published text format, JSON, CSV, HTML and PDF.

A renderer's module is imported when the renderer is first asked for: HTML and PDF need Jinja2 (and
WeasyPrint), which a command that only validates or writes text should not pay for at start. `FORMATS`
names the formats at no cost; `renderer(fmt)` gives one; `RENDERERS` is the same as a mapping.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from importlib import import_module
from typing import TYPE_CHECKING

from dailyseg.lazy import lazy_names

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
    """The renderer of one of `FORMATS` (`render_FMT` of module `dailyseg.render.FMT`), imported on first use."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}: one of {', '.join(FORMATS)}")
    render: Renderer = getattr(import_module(f"{__name__}.{fmt}"), f"render_{fmt}")
    return render


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
    __getattr__ = lazy_names(__name__, {f"render_{fmt}": f"{__name__}.{fmt}" for fmt in FORMATS} | {"render_fragment": f"{__name__}.html"})


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
