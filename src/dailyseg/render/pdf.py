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
    """The filings as a print-ready PDF that looks like the form as filed.

    Unlike the HTML page, findings are left out unless given: the PDF is the filing itself, and reading it
    back (dailyseg.read) must give the same values, which a finding's message (quoting headings and amounts)
    would muddle.
    """
    items = [filings] if isinstance(filings, Filing) else list(filings)
    return html_to_pdf(render_html(items, findings if findings is not None else [[] for _ in items]))
