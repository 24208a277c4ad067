"""What importing dailyseg costs: the library and the names a command line needs load no heavy dependency.

Each import runs in a fresh interpreter, since this process has long since loaded everything. The heavy
packages are imported inside the functions that need them (a PDF, a book, a store, the holiday calendar),
so validating a filing from the command line starts in tens of milliseconds, not a second.
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest

from dailyseg import calendar

pytestmark = pytest.mark.cli  # imports in fresh interpreters

HEAVY = frozenset(
    {
        "altair",
        "duckdb",
        "fastapi",
        "holidays",
        "ibis",
        "jinja2",
        "numpy",
        "openpyxl",
        "pandas",
        "pyarrow",
        "pydantic",
        "pypdf",
        "pyspark",
        "rich",
        "sqlalchemy",
        "sqlglot",
        "starlette",
        "uvicorn",
        "weasyprint",
    }
)

# Imports that must stay light: one line each.
LIGHT_IMPORTS = (
    "import dailyseg",
    "import dailyseg.parse",
    "import dailyseg.checks",
    "import dailyseg.filing",
    "import dailyseg.serial",
    "import dailyseg.render",
    "from dailyseg.render import FORMATS, RENDERERS, renderer",
    "from dailyseg.compute.engines import ENGINES, EngineName",
    "from dailyseg.store import DEFAULT_DB_ENV, StoreError, default_url",
)


def modules_after(statement: str, env: dict[str, str] | None = None) -> list[str]:
    """Every module loaded by running `statement` in a fresh interpreter."""
    code = f"import sys\n{statement}\nprint('\\n'.join(sys.modules))"
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False, env=env)
    assert run.returncode == 0, run.stderr
    return run.stdout.split()


def heavy_modules_after(statement: str) -> list[str]:
    """The heavy packages loaded by running `statement` in a fresh interpreter."""
    return sorted({name.partition(".")[0] for name in modules_after(statement)} & HEAVY)


@pytest.mark.parametrize("statement", LIGHT_IMPORTS)
def test_import_loads_nothing_heavy(statement: str) -> None:
    assert heavy_modules_after(statement) == []


def test_on_time_filing_needs_no_holiday_calendar() -> None:
    statement = "from datetime import date\nfrom dailyseg.calendar import is_late\nassert not is_late(date(2013, 7, 25), date(2013, 7, 26))"
    assert heavy_modules_after(statement) == []


def test_is_late_agrees_with_the_holiday_calendar() -> None:
    """Late exactly when submitted after the next business day, across holidays, weekends and special closures."""
    for end in (date(2012, 10, 26) + timedelta(days=n) for n in range(450)):
        due = calendar.next_business_day(end)
        for submit in (end + timedelta(days=n) for n in range(8)):
            assert calendar.is_late(end, submit) == (submit > due), (end, submit)


def test_lazy_names_resolve_to_the_real_ones() -> None:
    from dailyseg import compute, render, store
    from dailyseg.compute.engine import ENGINES
    from dailyseg.render.json import render_json
    from dailyseg.store.store import Store

    assert render.RENDERERS["json"] is render.renderer("json") is render.render_json is render_json
    assert list(render.RENDERERS) == list(render.FORMATS) and len(render.RENDERERS) == len(render.FORMATS)
    assert callable(render.render_fragment) and callable(compute.read_books) and compute.ENGINES is ENGINES
    assert store.Store is Store
    with pytest.raises(ValueError, match="unknown format 'xml'"):
        render.renderer("xml")
    with pytest.raises(KeyError):
        render.RENDERERS["xml"]
    for module in (render, compute, store):
        with pytest.raises(AttributeError):
            module.no_such_name  # noqa: B018  (the lookup is the test)


def _closures_in_fresh_interpreter(cache: str, years: range) -> tuple[dict[str, str | None], list[str]]:
    """What dailyseg's calendar answers for every day of `years`, asked in a new interpreter with its own cache,
    and the heavy modules it loaded to answer."""
    code = (
        "import json, sys\nfrom datetime import date, timedelta\nfrom dailyseg.calendar import holiday_name\n"
        f"days = [date({years.start}, 1, 1) + timedelta(n) for n in range((date({years.stop}, 1, 1) - date({years.start}, 1, 1)).days)]\n"
        "print(json.dumps({d.isoformat(): holiday_name(d) for d in days}))\nprint(' '.join(sys.modules))"
    )
    env = {"PATH": "/usr/bin:/bin", "XDG_CACHE_HOME": cache, "HOME": cache}
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True, env=env)
    answers, modules = run.stdout.splitlines()
    return json.loads(answers), sorted({name.partition(".")[0] for name in modules.split()} & HEAVY)


def test_the_cached_calendar_is_the_packages_calendar(tmp_path: Path) -> None:
    """The first ask loads `holidays` and keeps its answer; the next asks read the copy and load nothing heavy,
    and say exactly what the package says, special closures (2012's hurricane, 2018's day of mourning) included."""
    import holidays

    years = range(2000, 2031)
    first, loaded_first = _closures_in_fresh_interpreter(str(tmp_path), years)
    again, loaded_again = _closures_in_fresh_interpreter(str(tmp_path), years)
    expected: dict[str, str] = {}
    for year in years:
        expected |= {day.isoformat(): str(name) for day, name in holidays.financial_holidays("NYSE", years=year).items()}
    assert {day: name for day, name in first.items() if name} == expected
    assert again == first
    assert "holidays" in loaded_first and loaded_again == []
    assert first["2012-10-29"] and first["2018-12-05"]


@pytest.mark.parametrize("damage", ["not json", '{"2013": "not a mapping"}', "[]"])
def test_a_damaged_cache_is_asked_again(tmp_path: Path, damage: str) -> None:
    _closures_in_fresh_interpreter(str(tmp_path), range(2013, 2014))
    (cache,) = (tmp_path / "dailyseg").iterdir()
    cache.write_text(damage, "utf-8")
    answers, loaded = _closures_in_fresh_interpreter(str(tmp_path), range(2013, 2014))
    assert answers["2013-07-04"] == "Independence Day" and "holidays" in loaded


def test_an_unwritable_cache_is_no_cache(tmp_path: Path) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("", "utf-8")
    answers, _ = _closures_in_fresh_interpreter(str(blocked), range(2013, 2014))
    assert answers["2013-11-28"] == "Thanksgiving Day"


@pytest.fixture(scope="module")
def demo_book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo book as Parquet and as CSV, balanced to the sample filing."""
    import dailyseg
    from dailyseg.compute.demo import generate

    sample = dailyseg.read(Path(__file__).resolve().parents[1] / "examples" / "daily-seg-citigroup-2013-07-25.txt").filings[0]
    folder = tmp_path_factory.mktemp("books")
    generate(folder / "parquet", accounts=200, positions_per_account=2, target=sample, parquet=True)
    generate(folder / "csv", accounts=200, positions_per_account=2, target=sample)
    return folder


def _computing(book: Path) -> str:
    return f"from dailyseg.compute import compute, read_books\nassert compute(read_books({str(book)!r})).filing[7190] is not None"


# What the DuckDB path (compute.compiled) needs none of: the Ibis expressions are compiled ahead of time.
NOT_FOR_DUCKDB = frozenset({"ibis", "sqlglot", "pyspark", "py4j"})


def test_computing_a_parquet_book_with_duckdb_loads_neither_ibis_nor_pandas(demo_book: Path, tmp_path: Path) -> None:
    """Nor, with the holiday calendar's cache empty, more of `holidays` than its core and the NYSE calendar."""
    env = {"PATH": "/usr/bin:/bin", "XDG_CACHE_HOME": str(tmp_path), "HOME": str(tmp_path)}
    loaded = modules_after(_computing(demo_book / "parquet"), env)
    tops = {name.partition(".")[0] for name in loaded}
    assert not tops & (NOT_FOR_DUCKDB | {"pandas"})
    assert {"duckdb", "pyarrow", "holidays"} <= tops
    assert [name for name in loaded if name.startswith(("holidays.countries", "holidays.financial"))] == []


def test_computing_a_csv_book_with_duckdb_loads_no_ibis(demo_book: Path) -> None:
    """CSV books are read into Arrow from Python values, which brings pandas in (pyarrow imports it to look
    for its types), but no engine other than DuckDB."""
    tops = {name.partition(".")[0] for name in modules_after(_computing(demo_book / "csv"))}
    assert not tops & NOT_FOR_DUCKDB and "duckdb" in tops
