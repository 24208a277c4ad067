"""The optional C extensions: the reader's scanner and plain-document reader (`dailyseg.parse._tokens`) and the
store's ingest step (`dailyseg.store._ingest`); everything else about the package is in pyproject.toml.

`optional=True`: where no compiler or Python headers are found the build goes on without them, and the reader
and the store use their pure-Python paths (`dailyseg.parse.tokens`, `dailyseg.store.ingest`), which give the
same filings, problems, rows and hashes.
"""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension("dailyseg.parse._tokens", ["src/dailyseg/parse/_tokens.c"], depends=["src/dailyseg/_entry_slots.h"], optional=True),
        Extension("dailyseg.store._ingest", ["src/dailyseg/store/_ingest.c"], depends=["src/dailyseg/_entry_slots.h"], optional=True),
    ]
)
