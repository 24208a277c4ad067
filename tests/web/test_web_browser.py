"""The pages in real headless Chromium against `dailyseg serve`: no console error, flows work, screenshots."""

from __future__ import annotations

from pathlib import Path

from conftest import SAMPLE, Console, Server, screenshot
from playwright.sync_api import Page, expect


def test_upload_flow_validates_and_shows_the_filing(page: Page, console: Console, server: Server) -> None:
    page.goto(server.url + "/upload")
    expect(page.get_by_role("heading", name="Upload a filing")).to_be_visible()
    screenshot(page, "upload")
    page.set_input_files("#file", str(SAMPLE))
    page.get_by_role("button", name="Validate and view").click()
    expect(page.locator(".verdict")).to_contain_text("Citigroup Global Markets Inc. 2013-07-25 INITIAL: valid")
    expect(page.locator("#line-7190")).to_contain_text("371,003,045")
    screenshot(page, "upload-result")
    assert console.errors == []


def test_upload_of_an_unreadable_document_says_why(page: Page, console: Console, server: Server, tmp_path: Path) -> None:
    junk = tmp_path / "junk.txt"
    junk.write_text("nothing to see\n")
    page.goto(server.url + "/upload")
    page.set_input_files("#file", str(junk))
    page.get_by_role("button", name="Validate and view").click()
    expect(page.locator(".verdict.bad")).to_contain_text("No filing could be read")
    expect(page.locator(".problems")).to_contain_text("junk.txt:1: no Daily Segregation statement found")
    assert console.errors == []


def test_upload_past_the_limit_gets_a_clear_page(page: Page, console: Console, server: Server, tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    big.write_bytes(b"a" * 300_000)
    page.goto(server.url + "/upload")
    page.set_input_files("#file", str(big))
    page.get_by_role("button", name="Validate and view").click()
    expect(page.get_by_role("alert")).to_contain_text("upload too large: a document may hold at most 200,000 bytes")
    assert console.errors == ["Failed to load resource: the server responded with a status of 413 (Request Entity Too Large)"]


def test_keyboard_reaches_the_skip_link_and_the_form(page: Page, server: Server) -> None:
    page.goto(server.url + "/upload")
    page.keyboard.press("Tab")
    expect(page.locator(":focus")).to_have_text("Skip to content")
    for _ in range(8):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "file":
            break
    assert page.evaluate("document.activeElement.id") == "file"
