"""Imported once by the worker processes' fork server (`dailyseg.web.work.PRELOAD`), never by the server itself.

Importing this module loads what a worker needs (the readers, the rules, the templates, WeasyPrint) and fills
the NYSE holiday calendar the business-day rule asks for, so that every worker forked afterwards starts warm
and shares those pages with the others instead of paying a second or more per worker.
"""

from __future__ import annotations

from datetime import date

import dailyseg.render.html
import dailyseg.render.pdf
import dailyseg.web.documents
import dailyseg.web.downloads
from dailyseg.calendar import previous_business_day


def _warm() -> None:
    try:
        import holidays  # noqa: F401  (the calendar of a year not cached yet)
        import weasyprint  # noqa: F401  (PDF rendering; optional on a bare machine)
    except ImportError:  # pragma: no cover
        pass
    previous_business_day(date.today())


_warm()

__all__ = ["dailyseg"]
