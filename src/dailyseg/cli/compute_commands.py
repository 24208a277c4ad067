"""Commands that work from an FCM's books: compute, explain, reconcile, demo."""

from __future__ import annotations

import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import click
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from dailyseg.catalogue import CATALOGUE
from dailyseg.checks import Finding
from dailyseg.cli.app import FOUND_ERRORS, OK, UNREADABLE, emit_json, fail, main, stderr, stdout, write_output
from dailyseg.compute import ENGINES, BooksError, Computation, EngineName, compute, read_books
from dailyseg.compute.books import Books
from dailyseg.money import format_amount
from dailyseg.parse import read
from dailyseg.render import RENDERERS
from dailyseg.serial import filing_to_dict

SAMPLE = Path(__file__).resolve().parents[3] / "examples" / "daily-seg-citigroup-2013-07-25.txt"
engine_option = click.option("--engine", type=click.Choice(ENGINES), default="duckdb", show_default=True, help="Where the per-account work runs.")


def _books(path: str) -> Books:
    try:
        return read_books(path)
    except BooksError as error:
        fail(str(error), UNREADABLE)


def _compute(books: Books, engine: EngineName) -> Computation:
    with stderr.status(f"computing on {engine}..."):
        return compute(books, engine)


def _print_findings(findings: tuple[Finding, ...]) -> None:
    for x in findings:
        style = {"error": "red", "warning": "yellow", "notice": "cyan"}[x.severity]
        stderr.print(f"[{style}]{x.severity:<7}[/] {x.rule:<21} {x.message}", highlight=False)


def _by_currency_table(computation: Computation) -> Table:
    """Supporting detail (17 CFR 1.32(a)): each statement's key lines currency by currency, in whole units."""
    table = Table(title="Currency by currency (whole units of each currency)")
    table.add_column("Statement")
    table.add_column("Currency")
    for heading in ("Requirement", "Funds", "Excess"):
        table.add_column(heading, justify="right")
    for statement in CATALOGUE.statements:
        for currency, lines in sorted(computation.by_currency.items()):
            req, funds = lines.get(str(statement.requirement), Decimal(0)), lines.get(str(statement.funds), Decimal(0))
            if req or funds:
                table.add_row(statement.id, currency, format_amount(req), format_amount(funds), format_amount(funds - req))
    return table


def _strings(lines: Any) -> dict[str, dict[str, str]]:
    return {currency: {ref: str(v) for ref, v in amounts.items()} for currency, amounts in lines.items()}


@main.command(name="compute")
@click.argument("books", type=click.Path(file_okay=False))
@engine_option
@click.option("--to", "fmt", type=click.Choice(sorted(RENDERERS)), default="text", show_default=True, help="Output format of the filing.")
@click.option("-o", "--output", metavar="OUT", help="Write the filing here (atomically) instead of standard output.")
@click.option("--by-currency", is_flag=True, help="Also give the statements currency by currency (supporting detail, 17 CFR 1.49).")
def compute_command(books: str, engine: EngineName, fmt: str, output: str | None, by_currency: bool) -> None:
    """Compute the filing from the BOOKS folder and validate it. Exit 0: valid; 1: error findings; 2: unreadable books."""
    computation = _compute(_books(books), engine)
    if fmt == "json":
        data = {
            "filing": filing_to_dict(computation.filing),
            "findings": [x.to_dict() for x in computation.findings],
            "undermargined": {k: str(v) for k, v in computation.undermargined.items()},
        }
        if by_currency:
            data["by_currency"] = _strings(computation.by_currency)
        import json

        write_output(json.dumps(data, indent=2) + "\n", output)
    else:
        write_output(RENDERERS[fmt]([computation.filing]), output)
        if by_currency:
            (stdout if output else stderr).print(_by_currency_table(computation))
    _print_findings(computation.findings)
    sys.exit(FOUND_ERRORS if computation.errors else OK)


@main.command()
@click.argument("books", type=click.Path(file_okay=False))
@click.argument("code")
@engine_option
@click.option("--top", default=10, show_default=True, help="How many of the largest contributors to list.")
@click.option("--json", "as_json", is_flag=True, help="Print the explanation as JSON.")
def explain(books: str, code: str, engine: EngineName, top: int, as_json: bool) -> None:
    """Explain how line CODE of the filing computed from BOOKS was made: rule, rows, largest contributors, sum."""
    from dailyseg.compute.lineage import explain as explain_line

    book = _books(books)
    computation = _compute(book, engine)
    try:
        explanation = explain_line(book, computation, code, engine=engine, limit=top)
    except KeyError as error:
        fail(str(error.args[0]), UNREADABLE)
    data = explanation.to_dict()
    if as_json:
        emit_json(data)
        return
    stdout.print(f"[bold]{data['code']}[/] {data['label']}", highlight=False)
    stdout.print(f"rule:  {data['rule']}", highlight=False)
    for term in data["terms"]:
        stdout.print(f"  {term['sign']} {term['code']:>7} {term['value']:>20}", highlight=False)
    if data["exact"] is not None:
        stdout.print(f"rows:  {data['rows']}")
        for row in data["by_currency"]:
            stdout.print(f"  {row['currency']}: {row['rows']} rows, {row['amount']} = USD {row['usd']}", highlight=False)
        table = Table(title=f"largest {len(data['contributors'])} contributors (USD)")
        columns = [k for k in data["contributors"][0] if k != "usd"] + ["usd"] if data["contributors"] else []
        for column in columns:
            table.add_column(column, justify="right" if column in ("amount", "usd") else "left")
        for row in data["contributors"]:
            table.add_row(*(str(row[c]) for c in columns))
        stdout.print(table)
        stdout.print(f"sum:   USD {data['exact']} -> rounded once: {data['value']}", highlight=False)
    else:
        stdout.print(f"value: {data['value']}", highlight=False)


@main.command(name="reconcile")
@click.argument("books", type=click.Path(file_okay=False))
@click.argument("confirmations", type=click.Path(dir_okay=False))
@engine_option
@click.option("--json", "as_json", is_flag=True, help="Print the differences as JSON.")
def reconcile_command(books: str, confirmations: str, engine: EngineName, as_json: bool) -> None:
    """Compare the funds in BOOKS with CONFIRMATIONS (date, depository, class, asset, currency, amount). Exit 1 on any difference."""
    from dailyseg.compute import engine_totals
    from dailyseg.compute.reconcile import read_confirmations, reconcile

    book = _books(books)
    try:
        confirmed = read_confirmations(Path(confirmations), book.config.business_date)
    except BooksError as error:
        fail(str(error), UNREADABLE)
    totals = engine_totals(book, engine)
    names = {row["depository"]: (row["name"], row["kind"]) for row in book.rows("depositories")}
    differences = reconcile(totals.balances, confirmed, names)
    if as_json:
        emit_json({"ok": not differences, "differences": [d.to_dict() for d in differences]})
    elif not differences:
        stdout.print("[green]every balance agrees with its confirmation[/]")
    else:
        table = Table(title=f"{len(differences)} differences between the books and the depositories")
        for column in ("Depository", "Name", "Line", "Class", "Asset", "Currency", "Books", "Confirmed", "Difference"):
            table.add_column(column, justify="right" if column in ("Books", "Confirmed", "Difference") else "left")
        for d in differences:
            table.add_row(d.depository, d.name, d.line, d.customer_class, d.asset, d.currency, format_amount(d.books), format_amount(d.confirmed), format_amount(d.difference))
        stdout.print(table)
    sys.exit(FOUND_ERRORS if differences else OK)


@main.command()
@click.option("--accounts", default=3000, show_default=True, help="Customer accounts to generate; larger books are written as Parquet.")
@click.option("--positions", "per", default=3, show_default=True, help="Open positions per account.")
@click.option("--out", "out", default="demo-books", show_default=True, type=click.Path(file_okay=False), help="Folder to write the book into.")
@click.option("--seed", default=7, show_default=True, help="Random seed: the same seed writes the same book.")
@engine_option
@click.option("--to", "fmt", type=click.Choice(sorted(RENDERERS)), default="text", show_default=True, help="Format of the rendered filing.")
def demo(accounts: int, per: int, out: str, seed: int, engine: EngineName, fmt: str) -> None:
    """Write a synthetic book (and its depository confirmations), compute it, validate it and render it.

    The book reproduces the sample filing (examples/) value for value, in its 2013 layout.
    """
    from dailyseg.compute.demo import generate

    result = read(SAMPLE)
    if not result.filings:
        fail(f"{SAMPLE}: the sample filing could not be read")
    folder = Path(out)
    with Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed:,}/{task.total:,} accounts"), TimeElapsedColumn(), console=stderr) as bar:
        task = bar.add_task("writing book", total=accounts)
        books = generate(
            folder, accounts=accounts, positions_per_account=per, seed=seed, target=result.filings[0], parquet=accounts > 20_000, progress=lambda _, n: bar.advance(task, n)
        )
    computation = _compute(books, engine)
    rendered = RENDERERS[fmt]([computation.filing])
    write_output(rendered, str(folder / f"filing.{ 'txt' if fmt == 'text' else fmt}"))
    click.echo(rendered if fmt == "text" else f"wrote {folder / ('filing.' + fmt)}")
    same = computation.filing.amounts == result.filings[0].amounts
    stderr.print(f"book in {folder}; confirmations in {folder / 'confirmations.csv'}; equals the sample filing: {'yes' if same else 'NO'}")
    _print_findings(computation.findings)
    sys.exit(FOUND_ERRORS if computation.errors else OK)
