"""A standalone HTML page that looks like the form, with findings marked on their lines.

Jinja2 escapes every value, so a firm name or label holding markup is shown as text.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import lru_cache
from importlib import resources

import jinja2
from markupsafe import Markup

from dailyseg.catalogue import CATALOGUE
from dailyseg.checks import Finding, validate
from dailyseg.filing import Filing
from dailyseg.render.view import filing_level, layout


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


def render_fragment(filing: Filing, findings: Iterable[Finding] | None = None) -> str:
    """The filing as an HTML fragment (for notebooks and pages that have their own frame)."""
    found = list(validate(filing) if findings is None else findings)
    return (
        environment()
        .get_template("filing_fragment.html.j2")
        .render(
            filing=filing,
            statements=layout(filing, found),
            general=filing_level(found),
            layout_title=CATALOGUE.layouts[filing.layout].title,
            cover_heading=CATALOGUE.cover.heading,
        )
    )


def render_html(filings: Filing | Sequence[Filing], findings: Sequence[Sequence[Finding]] | None = None) -> str:
    """A whole page, styles inline, for one or more filings; findings are computed when not given."""
    items = [filings] if isinstance(filings, Filing) else list(filings)
    fragments = [Markup(render_fragment(f, findings[i] if findings is not None else None)) for i, f in enumerate(items)]
    title = "; ".join(f.label for f in items) or "Daily Segregation filing"
    return environment().get_template("filing_page.html.j2").render(title=title, css=stylesheet(), fragments=fragments)
