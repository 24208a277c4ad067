"""A stored filing in each downloadable format, by a fixed list of format names.

A format that takes seconds (PDF: WeasyPrint lays the page out) is `heavy`: it is rendered in a worker process
(`dailyseg.web.work`) by `render_as`, named by its format so that only the filing and a name travel there.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from dailyseg.filing import Filing
from dailyseg.render import render_csv, render_json, render_text
from dailyseg.render.pdf import render_pdf


@dataclass(frozen=True)
class Format:
    label: str
    suffix: str
    media_type: str
    render: Callable[[Filing], bytes]
    heavy: bool = False


FORMATS: dict[str, Format] = {
    "text": Format("Text", "txt", "text/plain; charset=utf-8", lambda f: render_text(f).encode("utf-8")),
    "json": Format("JSON", "json", "application/json", lambda f: render_json(f).encode("utf-8")),
    "csv": Format("CSV", "csv", "text/csv; charset=utf-8", lambda f: render_csv(f).encode("utf-8")),
    "pdf": Format("PDF", "pdf", "application/pdf", render_pdf, heavy=True),
}


def render_as(name: str, filing: Filing) -> bytes:
    """The filing in the format of that name (the function a worker process runs)."""
    return FORMATS[name].render(filing)


def file_name(firm_id: str, filing: Filing, version: int, fmt: Format) -> str:
    """A safe download name: the firm id (letters, digits, hyphens), End Date and version."""
    day = filing.header.end_date.isoformat() if filing.header.end_date else "undated"
    return f"daily-seg-{firm_id}-{day}-v{version}.{fmt.suffix}"
