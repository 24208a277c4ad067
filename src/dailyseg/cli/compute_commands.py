"""Commands that work from an FCM's books: compute, explain, reconcile, demo."""

from __future__ import annotations

import functools
import json
import sys
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from dailyseg.cli.app import FOUND_ERRORS, OK, UNREADABLE, fail, format_option, main, output_option, write_output
from dailyseg.cli.output import SEVERITY_STYLE, Column, Listing, emit_json, progress, say, show, status
from dailyseg.cli.rule_options import choose_rules, rule_options
from dailyseg.cli.store_options import db_option, open_store
from dailyseg.compute.demo_limits import MAX_POSITIONS, MIN_ACCOUNTS, MIN_POSITIONS
from dailyseg.compute.engines import CONF_ENV, ENGINES, LOCAL_MASTER, MASTER_ENV, MASTER_FORMS, EngineName, SparkSettings
from dailyseg.render import FORMATS, renderer

if TYPE_CHECKING:
    from dailyseg.checks import Finding, Selection
    from dailyseg.compute import Computation
    from dailyseg.compute.books import Books
    from dailyseg.compute.reconcile import Compared

SAMPLE = Path(__file__).resolve().parents[3] / "examples" / "daily-seg-citigroup-2013-07-25.txt"
F = TypeVar("F", bound=Callable[..., Any])
COMMANDLINE = click.core.ParameterSource.COMMANDLINE
_ENGINE_OPTIONS = (
    click.option("--engine", type=click.Choice(ENGINES), default="duckdb", show_default=True, help="Where the per-account work runs."),
    click.option(
        "--spark-master",
        metavar="URL",
        envvar=MASTER_ENV,
        show_envvar=True,
        default=LOCAL_MASTER,
        show_default=True,
        help=f"Where --engine spark runs: {MASTER_FORMS}; see docs/spark.md.",
    ),
    click.option(
        "--spark-conf",
        metavar="KEY=VALUE",
        multiple=True,
        envvar=CONF_ENV,
        show_envvar=True,
        help="A Spark setting, as spark-submit --conf takes it, such as spark.executor.memory=4g (repeatable).",
    ),
    click.option("--verbose", is_flag=True, help="Let Spark's JVM write its log to standard error (else to a file named on failure)."),
)


def engine_options(command: F) -> F:
    """Add `--engine` and where Spark runs (`--spark-master`, `--spark-conf`, `--verbose`); the command takes
    only `engine`. Spark's settings are checked, as usage errors, before the command reads anything, and only
    for `--engine spark`: a Spark setting in the environment does not stop a DuckDB computation."""

    @functools.wraps(command)
    def wrapper(*args: Any, engine: EngineName, spark_master: str, spark_conf: tuple[str, ...], verbose: bool, **kwargs: Any) -> Any:
        from dailyseg.compute.engines import parse_conf, use_spark

        if engine == "spark":
            try:
                use_spark(SparkSettings(spark_master, parse_conf(spark_conf), verbose))
            except ValueError as problem:
                raise click.UsageError(str(problem)) from None
        elif any(click.get_current_context().get_parameter_source(name) == COMMANDLINE for name in ("spark_master", "spark_conf")):
            raise click.UsageError("--spark-master and --spark-conf say how Spark runs: add --engine spark")
        return command(*args, engine=engine, **kwargs)

    for option in reversed(_ENGINE_OPTIONS):
        wrapper = option(wrapper)
    return wrapper  # type: ignore[return-value]  # functools.wraps loses the command's own type


@contextmanager
def _spark_progress() -> Iterator[None]:
    """Spark's progress on one line of standard error (starting, waiting for executors, tasks done), on a
    terminal only, and not under --verbose, where the JVM's own lines are the progress."""
    from dailyseg.compute.engines import spark_activity, spark_settings

    if spark_settings().verbose:
        yield
        return
    with status(spark_activity(), follow=spark_activity):
        yield


@contextmanager
def _on_engine(engine: EngineName, message: str) -> Iterator[None]:
    """Engine work as the user sees it: a status line on a terminal, and Spark that cannot start, reach its
    cluster or finish there as one sentence and exit 2 (a set-up problem, not a defect of dailyseg)."""
    if engine != "spark":
        with status(message):
            yield
        return
    from dailyseg.compute.engines import SparkUnavailable, spark_failure

    try:
        with _spark_progress():
            yield
    except SparkUnavailable as problem:
        fail(str(problem), UNREADABLE)
    except Exception as problem:
        if (said := spark_failure(problem)) is None:
            raise
        fail(said, UNREADABLE)


def _books(path: str) -> Books:
    from dailyseg.compute import BooksError, read_books

    try:
        return read_books(path)
    except BooksError as problem:
        fail(str(problem), UNREADABLE)


def _compute(books: Books, engine: EngineName, selection: Selection | None = None) -> Computation:
    from dailyseg.compute import BooksError, compute

    try:
        with _on_engine(engine, f"computing on {engine}..."):
            return compute(books, engine, selection=selection)
    except BooksError as problem:  # totals too large for a filing: found only once computed
        fail(str(problem), UNREADABLE)


def computed(path: str, engine: EngineName, selection: Selection | None = None) -> Computation:
    """The filing computed from the books folder `path` on `engine`, or the command's exit with one line saying
    why not: how every command that starts from books (`compute`, `notice BOOKS`) reads and computes them."""
    return _compute(_books(path), engine, selection)


def _print_findings(findings: tuple[Finding, ...]) -> None:
    for x in findings:
        kind = "EVENT" if x.is_event else x.severity
        say((f"{kind:<7}", SEVERITY_STYLE[x.severity]), f" {x.rule:<21} {x.message}", err=True)


def _by_currency(computation: Computation) -> Listing:
    """Supporting detail (17 CFR 1.32(a)): each statement's key lines currency by currency, in whole units."""
    from dailyseg.catalogue import CATALOGUE

    listing = Listing(
        [
            Column("statement", "Statement", "id"),
            Column("currency", "Currency", "id"),
            Column("requirement", "Requirement", "amount"),
            Column("funds", "Funds", "amount"),
            Column("excess", "Excess", "amount"),
        ],
        title="Currency by currency (whole units of each currency)",
    )
    for statement in CATALOGUE.statements:
        for currency, lines in sorted(computation.by_currency.items()):
            req, funds = lines.get(str(statement.requirement), Decimal(0)), lines.get(str(statement.funds), Decimal(0))
            if req or funds:
                listing.add(statement.id, currency, req, funds, funds - req)
    return listing


@main.command(name="compute")
@click.argument("books", type=click.Path(file_okay=False))
@engine_options
@format_option(FORMATS, "text", help="Format of the filing.")
@output_option("Write the filing here (atomically) instead of standard output.")
@click.option("--by-currency", is_flag=True, help="Also give the statements currency by currency (supporting detail, 17 CFR 1.49).")
@rule_options
def compute_command(
    books: str, engine: EngineName, fmt: str, output: str | None, by_currency: bool, rules: tuple[str, ...], strict: bool
) -> None:
    """Compute the filing from the BOOKS folder and validate it; findings go to standard error.

    \b
    Exit codes: 0 valid; 1 error findings; 2 unreadable books, the output could not be written, or Spark
    could not start, reach its cluster or finish there.
    """
    computation = computed(books, engine, choose_rules(rules, strict))
    if fmt == "json":
        from dailyseg.shapes import ComputeReport, dump

        write_output(json.dumps(dump(ComputeReport.of(computation, by_currency=by_currency)), indent=2) + "\n", output)
    else:
        write_output(renderer(fmt)([computation.filing]), output)
        if by_currency:
            show(_by_currency(computation), err=output is None)
    _print_findings(computation.findings)
    sys.exit(FOUND_ERRORS if computation.errors else OK)


@main.command()
@click.argument("books", type=click.Path(file_okay=False))
@click.argument("code")
@engine_options
@click.option("--top", default=10, show_default=True, type=click.IntRange(min=1), help="How many of the largest contributors to list.")
@format_option(["text", "json"], "text", help="text: the rule, its terms, the rows and contributors and the sum, a line each.")
def explain(books: str, code: str, engine: EngineName, top: int, fmt: str) -> None:
    """Explain how line CODE of the filing computed from BOOKS was made: rule, rows, largest contributors, sum.

    \b
    Exit codes: 0 explained; 2 unreadable books, CODE is not a line of the filing's layout, or Spark failed
    (could not start, reach its cluster or finish there).
    """
    from dailyseg.compute.lineage import explain as explain_line

    book = _books(books)
    computation = _compute(book, engine)
    try:
        with _on_engine(engine, f"explaining on {engine}..."):
            explanation = explain_line(book, computation, code, engine=engine, limit=top)
    except KeyError as problem:
        fail(str(problem.args[0]), UNREADABLE)
    if fmt == "json":
        from dailyseg.shapes import ExplanationOut, dump

        emit_json(dump(ExplanationOut.of(explanation)))
        return
    from dailyseg.compute.lineage import shown

    x = explanation
    say((x.code, "bold"), f" {x.label}")
    say(f"rule:  {x.rule}")
    for term in map(shown, x.terms):
        say(f"  {term['sign']} {term['code']:>7} {term['value']:>20}")
    if x.exact is None:
        say(f"value: {shown(x.value)}")
        return
    say(f"rows:  {x.rows}")
    for row in map(shown, x.by_currency):
        say(f"  {row['currency']}: {row['rows']} rows, {row['amount']} = USD {row['usd']}")
    contributors = [shown(row) for row in x.contributors]
    names = [k for k in contributors[0] if k != "usd"] + ["usd"] if contributors else []
    listing = Listing(
        [Column(n, n, "number" if n in ("amount", "usd") else "id") for n in names], title=f"largest {len(contributors)} contributors (USD)"
    )
    for row in contributors:
        listing.add(*(str(row[n]) for n in names))
    show(listing)
    say(f"sum:   USD {shown(x.exact)} -> rounded once: {shown(x.value)}")


@main.command(name="reconcile")
@click.argument("books", type=click.Path(file_okay=False))
@click.argument("confirmations", type=click.Path(dir_okay=False))
@engine_options
@db_option
@format_option(["table", "csv", "json"], "table")
def reconcile_command(books: str, confirmations: str, engine: EngineName, db: str | None, fmt: str) -> None:
    """Compare the funds in BOOKS with CONFIRMATIONS (date, depository, class, asset, currency, amount).

    With --db (or $DAILYSEG_DB) every balance compared is stored for the firm and the confirmation date, matched
    or not, replacing what an earlier run of the same day stored: the stale-confirmation rule of `monitor` and
    `watch` counts the business days since each balance last matched (docs/alerts.md).

    \b
    Exit codes: 0 every balance agrees; 1 a difference; 2 unreadable books or confirmations, Spark failed, or the
    store could not be opened or written (nothing of the run is stored).
    """
    from dailyseg.compute import BooksError, engine_totals
    from dailyseg.compute.reconcile import compare, read_confirmations, reconcile

    book = _books(books)
    try:
        confirmed = read_confirmations(Path(confirmations), book.config.business_date)
    except BooksError as problem:
        fail(str(problem), UNREADABLE)
    with _on_engine(engine, f"totalling on {engine}..."):
        totals = engine_totals(book, engine)
    names = {row["depository"]: (row["name"], row["kind"]) for row in book.rows("depositories")}
    compared = compare(totals.balances, confirmed)
    if db is not None:
        _store_reconciliation(db, book.config.name, book.config.business_date, compared)
    differences = reconcile(compared, names)
    if fmt == "json":
        from dailyseg.shapes import ReconcileReport, dump

        emit_json(dump(ReconcileReport.of(differences)))
    elif not differences and fmt == "table":
        say(("every balance agrees with its confirmation", "green"))
    else:
        listing = Listing(
            [
                Column("depository", "Depository", "id"),
                Column("name", "Name"),
                Column("line", "Line", "id"),
                Column("class", "Class", "id"),
                Column("asset", "Asset", "id"),
                Column("currency", "Currency", "id"),
                Column("books", "Books", "amount"),
                Column("confirmed", "Confirmed", "amount"),
                Column("difference", "Difference", "amount"),
            ],
            title=f"{len(differences)} differences between the books and the depositories" if fmt == "table" else None,
        )
        for d in differences:
            listing.add(d.depository, d.name, d.line, d.customer_class, d.asset, d.currency, d.books, d.confirmed, d.difference)
        show(listing, fmt)
    sys.exit(FOUND_ERRORS if differences else OK)


def _store_reconciliation(db: str, firm: str, business_date: date, compared: Sequence[Compared]) -> None:
    """Keep the run's balances for the firm (the store's firm of that name, else the id the name makes)."""
    from datetime import UTC, datetime

    from dailyseg.money import to_cents
    from dailyseg.store.confirmations import Confirmation, record
    from dailyseg.store.identity import firm_id_of, name_key

    rows = [
        Confirmation(business_date, c.depository, c.customer_class, c.asset, c.currency, to_cents(c.books), to_cents(c.confirmed))
        for c in compared
    ]
    with open_store(db, create=True) as store:
        record(store, store.resolve(firm) or firm_id_of(name_key(firm)), business_date, rows, datetime.now(UTC))


def _book_size(folder: Path) -> tuple[int, int]:
    """The book's table files and their bytes on disk."""
    files = [p for p in folder.iterdir() if p.suffix in (".csv", ".parquet")]
    return len(files), sum(p.stat().st_size for p in files)


def _refuse_foreign_folder(folder: Path) -> None:
    """The demo replaces a book's tables: never in a folder that holds anything but a book."""
    if folder.is_dir() and any(folder.iterdir()) and not (folder / "firm.toml").exists():
        fail(f"{folder} holds files but no book (no firm.toml): give a new or empty folder with -o", UNREADABLE)
    if folder.exists() and not folder.is_dir():
        fail(f"{folder} is a file: give a new or empty folder with -o", UNREADABLE)


def _summary(findings: tuple[Finding, ...]) -> Iterator[str]:
    counts = Counter((x.severity, x.rule) for x in findings)
    for (severity, rule), count in sorted(counts.items()):
        yield f"{count} {severity}{'s' if count > 1 else ''} {rule}"


@main.command()
@click.option(
    "--accounts",
    default=3000,
    show_default=True,
    type=click.IntRange(min=MIN_ACCOUNTS),
    help="Customer accounts; books over 20,000 are Parquet.",
)
@click.option(
    "--positions",
    "per",
    default=3,
    show_default=True,
    type=click.IntRange(MIN_POSITIONS, MAX_POSITIONS),
    help="Open positions per account.",
)
@output_option("Folder to write the book into (replaced if it holds an earlier book).", metavar="DIR")
@click.option("--seed", default=7, show_default=True, help="Random seed: the same seed writes the same book.")
@engine_options
@format_option(FORMATS, "text", help="Format of the filing written beside the book.")
@click.option("--show", "show_filing", is_flag=True, help="Also print the filing on standard output.")
def demo(accounts: int, per: int, output: str | None, seed: int, engine: EngineName, fmt: str, show_filing: bool) -> None:
    """Write a synthetic book (and its depository confirmations) into DIR (default demo-books), compute it and
    validate it; the filing is written beside the book. The book reproduces the sample filing (examples/)
    value for value, in its 2013 layout.

    \b
    Exit codes: 0 the computed filing is valid; 1 it has error findings; 2 the folder cannot be used, an
    option is out of range, or Spark failed.
    """
    from dailyseg.compute.demo import generate
    from dailyseg.parse import read

    result = read(SAMPLE)
    if not result.filings:
        fail(f"{SAMPLE}: the sample filing could not be read")
    folder = Path(output or "demo-books")
    _refuse_foreign_folder(folder)
    with progress("writing book", accounts, unit="accounts") as advance:
        try:
            books = generate(
                folder,
                accounts=accounts,
                positions_per_account=per,
                seed=seed,
                target=result.filings[0],
                parquet=accounts > 20_000,
                progress=lambda _, n: advance(n),
            )
        except ValueError as problem:
            fail(str(problem), UNREADABLE)
    computation = _compute(books, engine)
    rendered = renderer(fmt)([computation.filing])
    written = folder / f"filing.{'txt' if fmt == 'text' else fmt}"
    write_output(rendered, str(written))
    files, size = _book_size(folder)
    same = computation.filing.amounts == result.filings[0].amounts
    say(f"book: {folder} ({accounts:,} accounts, {per} positions each, {files} tables, {size:,} bytes)", err=True)
    say(f"filing: {written}; confirmations: {folder / 'confirmations.csv'}", err=True)
    say("equals the sample filing value for value: ", ("yes", "green") if same else ("NO", "bold red"), err=True)
    summary = ", ".join(_summary(computation.findings))
    say(
        f"findings: {summary or 'none'}",
        " (expected: the demo's two depositories without an acknowledgment letter)" if summary else "",
        err=True,
    )
    if show_filing:
        write_output(rendered, None)
    sys.exit(FOUND_ERRORS if computation.errors else OK)
