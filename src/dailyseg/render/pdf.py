"""A print-ready PDF of filings: the HTML rendering (render_html) laid out by WeasyPrint.

WeasyPrint needs Pango and HarfBuzz from the system (see system-packages.txt); it is imported only when a
PDF is asked for, so the rest of dailyseg works without them.
"""

from __future__ import annotations

from collections.abc import Sequence

from dailyseg.checks import Finding
from dailyseg.filing import Filing
from dailyseg.render.html import render_html


def html_to_pdf(html: str) -> bytes:
    """Lay out a standalone HTML page (styles inline, no external resources) as PDF."""
    from weasyprint import HTML

    pdf: bytes = HTML(string=html, base_url=None).write_pdf()
    return pdf


def render_pdf(filings: Filing | Sequence[Filing], findings: Sequence[Sequence[Finding]] | None = None) -> bytes:
    """The filings as a PDF that looks like the form, findings marked on their lines."""
    return html_to_pdf(render_html(filings, findings))
