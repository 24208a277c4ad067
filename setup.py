"""The reader's optional C scanner (`dailyseg.parse._tokens`); everything else about the package is in pyproject.toml.

`optional=True`: where no compiler or Python headers are found the build goes on without it, and the reader
uses its pure-Python path (`dailyseg.parse.tokens`), which gives the same filings and problems.
"""

from setuptools import Extension, setup

setup(ext_modules=[Extension("dailyseg.parse._tokens", ["src/dailyseg/parse/_tokens.c"], optional=True)])
