"""Names a package exports but imports only when first used (PEP 562 module `__getattr__`).

Why: `import dailyseg.cli` runs every package `__init__` on the way, and the heaviest of them (the store's
SQLAlchemy, the engines' Ibis, the readers' catalogue) would otherwise load before any command knew it
needed them. Each package keeps its `if TYPE_CHECKING:` imports, so type checkers see the real names.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from importlib import import_module
from typing import Any


def lazy_names(package: str, homes: Mapping[str, str]) -> Callable[[str], Any]:
    """A module `__getattr__` for `package` that imports each name of `homes` from its module on first use,
    and then keeps it in the package, so that later uses (`dailyseg.read` in a loop) are plain attribute reads."""

    def __getattr__(name: str) -> Any:
        home = homes.get(name)
        if home is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        found = getattr(import_module(home), name)
        setattr(sys.modules[package], name, found)
        return found

    return __getattr__
