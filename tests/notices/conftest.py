"""The reporting team of the daily-close tests (tests/close/conftest.py), on SQLite and on PostgreSQL."""

from tests.close.conftest import team

__all__ = ["team"]
