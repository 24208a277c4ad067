"""The `dailyseg` command group and what every command shares: reading input, reporting, exit codes.

Exit codes: 0 success; 1 the input was read but has errors (an error finding, or an error while reading
part of it); 2 the input could not be read at all, or the command was used wrongly.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any, NoReturn

import click
from rich.console import Console

from dailyseg import __version__
from dailyseg.parse import read
from dailyseg.problems import ReadResult

OK, FOUND_ERRORS, UNREADABLE = 0, 1, 2

stdout = Console(soft_wrap=False)
stderr = Console(stderr=True, soft_wrap=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 110})
@click.version_option(__version__, prog_name="dailyseg")
def main() -> None:
    """Read, validate, convert and compute the CFTC Daily Segregation filing of an FCM.

    FILE arguments accept "-" for standard input. Exit codes: 0 fine, 1 errors found, 2 unreadable input.
    """


def fail(message: str, code: int = UNREADABLE) -> NoReturn:
    stderr.print(f"[bold red]error:[/] {message}", highlight=False)
    sys.exit(code)


def read_or_exit(path: str) -> ReadResult:
    """Read a document; print its problems to standard error; exit 2 when nothing could be read."""
    result = read(path, text=False)
    report_problems(result)
    if not result.readable:
        fail(f"{result.source}: no filing could be read", UNREADABLE)
    return result


def report_problems(result: ReadResult) -> None:
    for problem in result.problems:
        style = "red" if problem.severity in ("fatal", "error") else "yellow"
        stderr.print(f"[{style}]{problem.severity}[/]: {problem}", highlight=False, markup=True)


def read_errors(result: ReadResult) -> int:
    return sum(1 for p in result.problems if p.severity in ("fatal", "error"))


def emit_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False))


def write_output(content: str | bytes, output: str | None) -> None:
    """Write text or bytes (a PDF) to a file atomically (a reader never sees half a file), or to standard output."""
    if output is None or output == "-":
        if isinstance(content, bytes):
            sys.stdout.buffer.write(content)
            sys.stdout.buffer.flush()
        else:
            click.echo(content, nl=False)
        return
    target = Path(output)
    data = content if isinstance(content, bytes) else content.encode("utf-8")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, target)
    except OSError as error:
        fail(f"cannot write {output}: {error.strerror or error}")
