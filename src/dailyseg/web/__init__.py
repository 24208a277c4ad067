"""The web application and HTTP API over the history store and the computation (`dailyseg serve`)."""

from dailyseg.web.app import create_app
from dailyseg.web.settings import Settings

__all__ = ["Settings", "create_app"]
