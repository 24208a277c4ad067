"""The pages' static files (styles, scripts, the vendored chart library), held in memory.

They are read once from the package, by a fixed list, and served by name from that list: no request path
is ever joined to a folder. Each URL carries a content hash so browsers may cache it for good.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from dailyseg.render.html import stylesheet

STATIC_PREFIX = "/static"
# The API reference's script and styles (Swagger UI 5), from the fastapi-offline package (never a CDN).
SWAGGER_UI_FILES = ("swagger-ui-bundle.js", "swagger-ui.css")
_TYPES = {
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".svg": "image/svg+xml",
}


@dataclass(frozen=True)
class Asset:
    body: bytes
    media_type: str
    digest: str


def _asset(body: bytes, suffix: str) -> Asset:
    return Asset(body, _TYPES[suffix], hashlib.sha256(body).hexdigest()[:16])


@lru_cache(maxsize=1)
def assets() -> dict[str, Asset]:
    """Every file of web/static with a known type, the form's stylesheet shared with render/html, and Swagger UI."""
    found = {"form.css": _asset(stylesheet().encode("utf-8"), ".css")}
    swagger_ui = resources.files("fastapi_offline").joinpath("static")
    for name in SWAGGER_UI_FILES:
        found[name] = _asset(swagger_ui.joinpath(name).read_bytes(), "." + name.rsplit(".", 1)[-1])
    for item in resources.files("dailyseg.web").joinpath("static").iterdir():
        suffix = "." + item.name.rsplit(".", 1)[-1] if "." in item.name else ""
        if item.is_file() and suffix in _TYPES:
            found[item.name] = _asset(item.read_bytes(), suffix)
    return found


def asset_url(name: str) -> str:
    """The URL of a static file, with its content hash (a missing name is a bug in a template)."""
    return f"{STATIC_PREFIX}/{name}?v={assets()[name].digest}"
