"""A standalone HTML page that looks like the form, with the findings it is given marked on their lines.

Rendering never validates: which rules ran, with what tolerance, is the caller's decision, and a view that
quietly ran its own could show marks the caller's report does not have. Nor does this module import the
filing or the checks at run time, so `Filing`'s notebook view can import it without a cycle.

Jinja2 escapes every value, so a firm name or label holding markup is shown as text.

Without findings, the page reads back (dailyseg.read) as the filings it shows, and so does the PDF laid out
from it: the template prints each row of the form as one line of its source and the cover page with the
form's own labels, which is what the text reader and the cover reader read.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING

import jinja2
from markupsafe import Markup

from dailyseg.catalogue import CATALOGUE
from dailyseg.render.view import cover_view, filing_level, layout

if TYPE_CHECKING:
    # Types only: `Filing._repr_html_` imports this module, and the checks import the filing.
    from dailyseg.checks import Finding
    from dailyseg.filing import Filing


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("dailyseg.render", "templates"),
        autoescape=jinja2.select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )


def stylesheet() -> str:
    return resources.files("dailyseg.render").joinpath("templates/form.css").read_text("utf-8")


def render_fragment(filing: Filing, findings: Iterable[Finding] = ()) -> str:
    """The filing as an HTML fragment, for notebooks and pages that have their own frame.

    Only the findings passed are marked: without them the form is shown bare, never validated here.
    """
    found = list(findings)
    return (
        environment()
        .get_template("filing_fragment.html.j2")
        .render(
            filing=filing,
            statements=layout(filing, found),
            general=filing_level(found),
            layout_title=CATALOGUE.layouts[filing.layout].title,
            cover=cover_view(filing.cover) if filing.cover is not None else None,
        )
    )


def render_html(filings: Filing | Sequence[Filing], findings: Sequence[Sequence[Finding]] | None = None) -> str:
    """A whole page, styles inline, for one or more filings; `findings[i]` are marked on the i-th, none when not given.

    A single filing is told from a sequence by its shape, not by `isinstance(…, Filing)`, which would need
    the filing module at run time.
    """
    items: list[Filing] = list(filings) if isinstance(filings, Sequence) else [filings]
    if findings is not None and len(findings) != len(items):
        raise ValueError(f"{len(items)} filings but findings for {len(findings)}")
    fragments = [Markup(render_fragment(f, findings[i] if findings is not None else ())) for i, f in enumerate(items)]
    title = "; ".join(f.label for f in items) or "Daily Segregation filing"
    return environment().get_template("filing_page.html.j2").render(title=title, css=stylesheet(), fragments=fragments)
