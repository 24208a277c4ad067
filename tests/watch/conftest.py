"""Fixtures for the publish tests: a year of a firm's filings in a SQLite store, and Debian's Chromium.

The year holds what the page must show: a deficiency (segregation, 2024-02-14) and an amended day
(2024-03-05, INITIAL then AMENDED), built by dailyseg.store.synthetic so every other day validates clean.
The browser is launched as the web tests launch it (tests/web/conftest.py), so the publish page is tested
in the same Chromium.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from dailyseg.store import Store
from dailyseg.store.synthetic import Faults, series
from tests.web.conftest import CHROMIUM, CHROMIUM_ARGS

FIRM = "Acme Futures LLC"
DEFICIENT = date(2024, 2, 14)
AMENDED = date(2024, 3, 5)
YEAR = (date(2023, 3, 1), date(2024, 3, 8))


def load_year(url: str) -> None:
    faults = Faults(deficiency=((DEFICIENT, "segregation"),), amended=(AMENDED,))
    with Store.open(url) as store:
        store.ingest_filings(list(series(FIRM, *YEAR, faults=faults)), source="history")


@pytest.fixture(scope="session")
def year_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A store with a year of the firm's filings (read-only use: tests share it)."""
    url = f"sqlite:///{tmp_path_factory.mktemp('year') / 'store.sqlite'}"
    load_year(url)
    return url


@pytest.fixture(scope="session")
def browser_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("browser-home")


@pytest.fixture(scope="session")
def browser_temp() -> Iterator[Path]:
    """A short temporary folder for Chromium's socket (see tests/web/conftest.py)."""
    folder = Path(tempfile.mkdtemp(prefix="dailyseg-chromium-", dir="/tmp"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any], browser_home: Path, browser_temp: Path) -> dict[str, Any]:
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "headless": True,
        "args": CHROMIUM_ARGS,
        "env": {**os.environ, "HOME": str(browser_home), "TMPDIR": str(browser_temp)},
    }
