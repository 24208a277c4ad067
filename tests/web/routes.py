"""Every route of the application with the parameters it takes: what the route walk and the route fuzz request.

Routes are read from the app's router (FastAPI's own description of each: path parameters, query parameters
with their dependencies' ones), so a route added later is walked and fuzzed without changing the tests.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts

from tests.web.support import AMENDED_DAY

SECURITY_HEADERS = ("content-security-policy", "x-content-type-options", "x-frame-options", "referrer-policy")


@dataclass(frozen=True)
class RouteParams:
    """One route and method: its path template, path parameter names and query parameter names (by alias)."""

    path: str
    method: str
    path_params: tuple[str, ...]
    query_params: tuple[str, ...]

    def url(self, values: dict[str, str], raw: bool = False) -> str:
        """The path with each parameter's value put in, percent-encoded (or as it is, `raw`)."""
        url = self.path
        for name in self.path_params:
            value = values[name]
            url = url.replace("{" + name + "}", value if raw else quote(value, safe=""))
        return url


def _params(dependant: Dependant) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The path and query parameters of a route and of every dependency it has, by the name a URL gives them."""
    path: list[str] = []
    query: list[str] = []
    todo = [dependant]
    while todo:
        current = todo.pop()
        path += [p.alias for p in current.path_params if p.alias not in path]
        query += [p.alias for p in current.query_params if p.alias not in query]
        todo += current.dependencies
    return tuple(path), tuple(query)


def routes_of(app: FastAPI) -> list[RouteParams]:
    """Every (path, method) of the app, included routers' routes with their prefixes."""
    found = []
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if context.path is None:
            continue
        if isinstance(route, APIRoute):
            path_params, query_params = _params(route.dependant)
        else:
            path_params, query_params = tuple(getattr(route, "param_convertors", {})), ()
        for method in sorted(context.methods or {"GET"}):
            if method != "HEAD":
                found.append(RouteParams(context.path, method, path_params, query_params))
    return found


def missing_headers(headers: object) -> list[str]:
    """The security headers a response lacks (every response must carry them all)."""
    return [name for name in SECURITY_HEADERS if name not in headers]  # type: ignore[operator]


def good_values(filing_id: int) -> dict[str, str]:
    """A value every route accepts for each parameter name, over the seeded store (tests/web/support.seed)."""
    day = AMENDED_DAY.isoformat()
    return {
        "firm": "alpha-futures",
        "filing_id": str(filing_id),
        "other_id": str(filing_id),
        "end_date": day,
        "fmt": "json",
        "name": "app.css",
        "books": "demo",
        "code": "7190",
        "as_of": "2024-03-28",
        "from": "2024-01-02",
        "to": "2024-03-28",
        "record_only": "true",
        "partial": "true",
        "q": "alpha",
        "grid": "full",
        "rules": "deficiency",
        "strict": "true",
        "page": "1",
        "days": "10",
        "sheet": "csv",
        "image": "svg",
        "next": "/closes",
        "close_id": "1",
        "state": "draft",
        "user": "pat",
        "notice_id": "1",
        "withdrawal_id": "1",
    }
