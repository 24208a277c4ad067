"""The pages' templates: one Jinja2 environment, autoescaped, so text from a filing is always shown as text.

Filings themselves are drawn by `dailyseg.render.html.render_fragment` (the same layout as the standalone
page, the PDF and notebooks); the templates here only frame them.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import Any

import jinja2

from dailyseg.money import format_amount
from dailyseg.web.assets import asset_url


def amount(value: Decimal | None) -> str:
    """An amount as the form prints it, negatives in parentheses; a dash where there is none."""
    return "—" if value is None else format_amount(value, parentheses=True)


def iso(value: date | None) -> str:
    return value.isoformat() if value is not None else "—"


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("dailyseg.web", "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["amount"] = amount
    env.filters["iso"] = iso
    env.globals["asset"] = asset_url
    return env


def render_template(name: str, context: Mapping[str, Any]) -> str:
    return environment().get_template(name).render(**context)
