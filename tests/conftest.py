"""Shared fixtures: the sample filing as a path, as text and as the Filing it reads to."""

from __future__ import annotations

from pathlib import Path

import pytest

import dailyseg
from dailyseg.filing import Filing

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "examples" / "daily-seg-citigroup-2013-07-25.txt"
DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="session")
def sample_path() -> Path:
    return SAMPLE


@pytest.fixture(scope="session")
def sample_text() -> str:
    return SAMPLE.read_text("utf-8")


@pytest.fixture(scope="session")
def sample_filing() -> Filing:
    result = dailyseg.read(SAMPLE)
    assert result.problems == ()
    return result.filing
