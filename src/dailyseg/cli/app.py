"""The `dailyseg` command group and what every command shares: options, reading input, exit codes.

Exit codes: 0 success; 1 the input was read but has errors (an error finding, or an error while reading
part of it); 2 the input could not be read at all, or the command was used wrongly; 3 dailyseg itself
failed (a defect: the message says so); 130 interrupted; 141 the reader of the output went away (`| head`).

The options mean one thing everywhere: `--format` chooses what is written (`--json` is short for
`--format json`), `-o/--output` where it goes, `--from`/`--to` the first and last End Date.
"""

from __future__ import annotations

import functools
import os
import sys
import tempfile
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import click

from dailyseg import __version__
from dailyseg.cli.output import SEVERITY_STYLE, emit_json, error, say
from dailyseg.problems import ReadResult

if TYPE_CHECKING:
    from dailyseg.checks import Context, Selection

OK, FOUND_ERRORS, UNREADABLE, INTERNAL = 0, 1, 2, 3
INTERRUPTED, OUTPUT_CLOSED = 130, 141
DEBUG_ENV = "DAILYSEG_DEBUG"

F = TypeVar("F", bound=Callable[..., Any])


# The module that defines each command. A command's module is imported only when the command is run, or
# when the list of commands is shown, so that `dailyseg validate` pays for neither the store, the books nor
# the web. A test holds this table to what the modules register.
COMMAND_MODULES = {
    "show": "filing_commands",
    "validate": "filing_commands",
    "convert": "filing_commands",
    "catalogue": "catalogue_commands",
    "rules": "catalogue_commands",
    "compute": "compute_commands",
    "explain": "compute_commands",
    "reconcile": "compute_commands",
    "demo": "compute_commands",
    "ingest": "store_commands",
    "firms": "store_commands",
    "filings": "store_commands",
    "history": "store_commands",
    "diff": "store_commands",
    "alias": "store_commands",
    "monitor": "watch_commands",
    "watch": "watch_commands",
    "import-cftc": "watch_commands",
    "month-end": "watch_commands",
    "publish": "watch_commands",
    "import-nfa": "observation_commands",
    "observations": "observation_commands",
    "serve": "web_commands",
    "user": "people_commands",
    "close": "close_commands",
    "amend": "close_commands",
    "review": "close_commands",
    "approve": "close_commands",
    "file": "close_commands",
    "closes": "close_commands",
    "audit": "audit_commands",
    "notice": "notice_commands",
    "withdrawal": "withdrawal_commands",
    "alerts": "alert_commands",
}


class Group(click.Group):
    """The group that loads a command's module when the command is asked for, and turns what is not a user's
    mistake into a short message and a documented exit code."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(COMMAND_MODULES) | set(self.commands))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        module = COMMAND_MODULES.get(cmd_name)
        if module is not None and cmd_name not in self.commands:
            from importlib import import_module

            import_module(f"dailyseg.cli.{module}")
        return self.commands.get(cmd_name)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except BrokenPipeError:
            # The reader closed the pipe (`dailyseg firms | head`): stop quietly, as other Unix tools do.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            sys.exit(OUTPUT_CLOSED)
        except KeyboardInterrupt:
            error("interrupted")
            sys.exit(INTERRUPTED)
        except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit):
            raise
        except MemoryError:
            error("not enough memory for this input: try a smaller document or batch, or a machine with more memory")
            sys.exit(UNREADABLE)
        except Exception as failure:
            if os.environ.get(DEBUG_ENV):
                raise
            error(
                f"dailyseg failed: {type(failure).__name__}: {failure}. This is a defect in dailyseg, not in your input; "
                f"run again with {DEBUG_ENV}=1 for the traceback and report it."
            )
            sys.exit(INTERNAL)


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 110})
@click.version_option(__version__, prog_name="dailyseg")
def main() -> None:
    """Read, validate, convert and compute the CFTC Daily Segregation filing of an FCM.

    FILE arguments accept "-" for standard input. `--format` chooses the output (`--json` is short for
    `--format json`), `-o/--output` where it goes, `--from`/`--to` the first and last End Date.

    \b
    Exit codes: 0 fine; 1 errors found; 2 unreadable input or a misused command;
    3 a defect in dailyseg; 4 refused (who acts, a role, four eyes); 5 a filing's state moved first;
    130 interrupted; 141 output closed early (as by `| head`).
    """


def all_commands() -> dict[str, click.Command]:
    """Every command, each module imported (for the tests and for documentation)."""
    context = click.Context(main)
    return {name: command for name in main.list_commands(context) if (command := main.get_command(context, name))}


def fail(message: str, code: int = UNREADABLE) -> NoReturn:
    """Say what went wrong on standard error and exit; a script that asked for JSON also gets it as JSON."""
    error(message)
    context = click.get_current_context(silent=True)
    if context is not None and context.meta.get(_JSON_ASKED):
        from dailyseg.shapes import CliFailure, dump

        emit_json(dump(CliFailure.of(message, code)))
    sys.exit(code)


_JSON_ASKED = "dailyseg.json"


def format_option(choices: Sequence[str], default: str | None = None, *, help: str = "Output format.") -> Callable[[F], F]:
    """`--format CHOICE` and, where JSON is a choice, `--json` as its short form; the command receives `fmt`."""

    def decorate(function: F) -> F:
        @functools.wraps(function)
        def wrapper(*args: Any, fmt: str | None, as_json: bool = False, **kwargs: Any) -> Any:
            if as_json:
                if fmt not in (None, "json"):
                    raise click.UsageError(f"--json and --format {fmt} ask for two formats")
                fmt = "json"
            fmt = fmt or default
            click.get_current_context().meta[_JSON_ASKED] = fmt == "json"
            if fmt is None:
                raise click.UsageError(f"choose an output format with --format ({'|'.join(choices)})")
            return function(*args, fmt=fmt, **kwargs)

        decorated: Callable[..., Any] = wrapper
        if "json" in choices:
            decorated = click.option("--json", "as_json", is_flag=True, help="Short for --format json.")(decorated)
        shown = f"{help} Default: {default}." if default else help
        decorated = click.option("--format", "fmt", type=click.Choice(list(choices)), help=shown)(decorated)
        return decorated  # type: ignore[return-value]

    return decorate


def output_option(help: str = "Write here (atomically) instead of standard output.", metavar: str = "FILE") -> Callable[[F], F]:
    return click.option("-o", "--output", "output", metavar=metavar, help=help)


class Day(click.ParamType[date]):
    """A calendar day written YYYY-MM-DD, the one date format of every option."""

    name = "date"

    def get_metavar(self, param: click.Parameter, ctx: click.Context | None = None) -> str:
        return "YYYY-MM-DD"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> date:
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value))
        except ValueError:
            self.fail(f"expected a date YYYY-MM-DD, found {value!r}", param, ctx)


DAY = Day()


def period_options(function: F) -> F:
    """`--from` and `--to`: the first and last End Date of a period (either may be left open)."""
    function = click.option("--to", "end", type=DAY, help="Last End Date.")(function)
    return click.option("--from", "start", type=DAY, help="First End Date.")(function)


def read_or_exit(path: str) -> ReadResult:
    """Read a document; print its problems to standard error; exit 2 when nothing could be read."""
    from dailyseg.parse import read

    result = read(path, text=False)
    report_problems(result)
    if not result.readable:
        fail(f"{result.source}: no filing could be read", UNREADABLE)
    return result


def read_for_json(path: str, selection: Selection, context: Context) -> ReadResult:
    """Read a document for a JSON report: when nothing could be read, the report still comes out as JSON, the
    same report as for a readable document (with the rules it would have run), so a script reads one shape."""
    from dailyseg.parse import read

    result = read(path, text=False)
    if not result.readable:
        from dailyseg.shapes import Validation, dump

        emit_json(dump(Validation.of(result.source, False, result.problems, [], selection, context)))
        sys.exit(UNREADABLE)
    return result


def report_problems(result: ReadResult) -> None:
    for problem in result.problems:
        say((problem.severity, SEVERITY_STYLE[problem.severity]), ": ", str(problem), err=True)


def write_output(content: str | bytes, output: str | None) -> None:
    """Write text or bytes (a PDF) to standard output, or to a file atomically: a reader never sees half a
    file. The file gets the mode any new file would get (0644 under umask 022), or keeps the mode it had."""
    if output is None or output == "-":
        if isinstance(content, bytes):
            sys.stdout.buffer.write(content)
            sys.stdout.buffer.flush()
        else:
            sys.stdout.write(content)
            sys.stdout.flush()
        return
    target = Path(output)
    data = content if isinstance(content, bytes) else content.encode("utf-8")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(data)
                os.fchmod(out.fileno(), _mode_for(target))
            os.replace(temporary, target)
        except BaseException:
            os.unlink(temporary)
            raise
    except OSError as failure:
        fail(f"cannot write {output}: {failure.strerror or failure}")


def _mode_for(target: Path) -> int:
    try:
        return target.stat().st_mode & 0o7777
    except FileNotFoundError:
        mask = os.umask(0)
        os.umask(mask)
        return 0o666 & ~mask
