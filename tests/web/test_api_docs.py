"""The API reference at /api/docs: Swagger UI from the server's own files, over the live schema, in a real browser."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.web.support import Console, Server, screenshot


def test_the_api_reference_lists_every_route_of_the_schema(page: Page, console: Console, server: Server) -> None:
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(server.url + "/api/docs")
    expect(page.get_by_role("heading", name="API reference")).to_be_visible()
    expect(page.locator(".opblock").first).to_be_visible()
    schema = page.request.get(server.url + "/api/openapi.json").json()
    operations = sum(len(methods) for methods in schema["paths"].values())
    assert page.locator(".opblock").count() == operations > 5
    expect(page.locator(".opblock-summary-path", has_text="/api/firms").first).to_be_visible()
    assert all(url.startswith(server.url) for url in requested)  # nothing from a CDN
    screenshot(page, "api-docs")
    assert console.errors == []
