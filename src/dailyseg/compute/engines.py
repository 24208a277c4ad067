"""The engines a computation can run on, by name: apart from `engine` so that naming one costs no Ibis import.

A command line lists the choices before it knows whether it will compute anything at all.
"""

from __future__ import annotations

from typing import Literal

EngineName = Literal["duckdb", "spark"]
ENGINES: tuple[EngineName, ...] = ("duckdb", "spark")
