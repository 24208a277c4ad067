"""Fixtures for the compute tests: one Spark session for the whole run (it costs seconds to start)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))


@pytest.fixture(scope="session")
def spark() -> Any:
    from dailyseg.compute.engine import spark_session

    return spark_session()
