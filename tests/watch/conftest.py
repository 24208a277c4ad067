"""Fixtures for the publish tests: a year of a firm's filings in a SQLite store, and Debian's Chromium.

The year holds what the page must show: a deficiency (segregation, 2024-02-14) and an amended day
(2024-03-05, INITIAL then AMENDED), built by dailyseg.store.synthetic so every other day validates clean.
The browser is launched as the web tests launch it (tests/web/conftest.py), so the publish page is tested
in the same Chromium.
"""

from __future__ import annotations

from datetime import date

import pytest

from dailyseg.store import Store
from dailyseg.store.synthetic import Faults, series

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
