"""The `dailyseg` command: help, exit codes, JSON output, rule selection, standard input and atomic output."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

import dailyseg
from dailyseg.catalogue import CATALOGUE
from dailyseg.checks import REGISTRY
from dailyseg.cli import main
from dailyseg.cli.app import COMMAND_MODULES, all_commands
from dailyseg.filing import Filing
from tests.conftest import SAMPLE

OK, FOUND_ERRORS, UNREADABLE = 0, 1, 2


def run(*args: str, stdin: str | bytes | None = None) -> Result:
    return CliRunner().invoke(main, list(args), input=stdin, catch_exceptions=False)


@pytest.fixture
def broken(tmp_path: Path, sample_text: str) -> Path:
    """The sample with one value changed by a dollar: formula S1 no longer holds."""
    path = tmp_path / "broken.txt"
    path.write_text(sample_text.replace("<u>6,948,252,676</u> [7040]", "<u>6,948,252,677</u> [7040]"), "utf-8")
    return path


def test_help_for_the_group_and_every_command() -> None:
    result = run("--help")
    assert result.exit_code == OK
    assert set(all_commands()) >= {"show", "validate", "convert", "catalogue", "rules"}
    for name in all_commands():
        assert name in result.stdout
        command = run(name, "--help")
        assert command.exit_code == OK, name
        assert command.stdout.startswith(f"Usage: main {name} [OPTIONS]")


def test_each_command_lives_where_the_group_looks_for_it() -> None:
    commands = all_commands()
    assert set(commands) == set(COMMAND_MODULES)
    for name, command in commands.items():
        assert command.callback is not None
        assert command.callback.__module__ == f"dailyseg.cli.{COMMAND_MODULES[name]}", name


def test_validate_exit_codes(tmp_path: Path, broken: Path) -> None:
    assert run("validate", str(SAMPLE)).exit_code == OK
    assert run("validate", str(broken)).exit_code == FOUND_ERRORS
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    binary = tmp_path / "binary.bin"
    binary.write_bytes(bytes(range(256)) * 8)
    for path in (empty, binary, tmp_path / "missing.txt"):
        result = run("validate", str(path))
        assert result.exit_code == UNREADABLE, path
        assert f"{path}: no filing could be read" in result.stderr


def test_validate_json_holds_amounts_as_strings(broken: Path) -> None:
    result = run("validate", "--json", str(broken))
    assert result.exit_code == FOUND_ERRORS
    report = json.loads(result.stdout)
    assert report["ok"] is False
    (filing,) = report["filings"]
    assert filing["firm"] == "Citigroup Global Markets Inc."
    failing = [f for f in filing["findings"] if f["rule"] == "formulas"]
    assert sorted(f["codes"][0] for f in failing) == ["7040", "7060"]
    s1 = next(f for f in failing if f["codes"][0] == "7040")
    assert (s1["expected"], s1["actual"], s1["difference"]) == ("6948252676", "6948252677", "1")


def test_validate_selected_rules(broken: Path) -> None:
    report = json.loads(run("validate", "--json", "--rules", "ties", str(broken)).stdout)
    assert report["rules"] == ["ties"] and report["ok"] is True
    report = json.loads(run("validate", "--json", "--rules", "formulas,ties", str(broken)).stdout)
    assert {f["rule"] for f in report["filings"][0]["findings"]} == {"formulas"}


def test_an_unknown_rule_exits_2_with_a_clear_message() -> None:
    result = run("validate", "--rules", "nope", str(SAMPLE))
    assert result.exit_code == UNREADABLE
    assert "no rule 'nope'; known rules: acknowledgment-letter, amended, below-target" in result.stderr


def test_dash_reads_standard_input(sample_text: str) -> None:
    result = run("validate", "--json", "-", stdin=sample_text)
    assert result.exit_code == OK
    report = json.loads(result.stdout)
    assert report["source"] == "<stdin>" and report["ok"] is True


@pytest.mark.parametrize("fmt", ["text", "json", "csv", "html"])
def test_convert_writes_the_file_atomically(tmp_path: Path, fmt: str, sample_filing: Filing) -> None:
    out = tmp_path / "deep" / f"out.{fmt}"
    result = run("convert", str(SAMPLE), "--format", fmt, "-o", str(out))
    assert result.exit_code == OK
    assert result.stdout == ""
    assert [p.name for p in out.parent.iterdir()] == [out.name]  # no temporary file left behind
    if fmt == "html":
        assert out.read_text("utf-8").startswith("<!DOCTYPE html>")
        return
    again = dailyseg.read(out)
    assert again.problems == ()
    assert again.filing == sample_filing


def test_convert_to_standard_output(sample_filing: Filing) -> None:
    result = run("convert", str(SAMPLE), "--format", "json")
    assert dailyseg.read(result.stdout, text=True).filing == sample_filing


def test_show_prints_the_firm_and_the_codes() -> None:
    result = run("show", str(SAMPLE))
    assert result.exit_code == OK
    assert "Citigroup Global Markets Inc." in result.stdout
    for code in ("7190", "7380", "8730", "7735"):
        assert f"[{code}]" in result.stdout
    shown = json.loads(run("show", "--json", str(SAMPLE)).stdout)
    assert shown["filings"][0]["filing"]["statements"]["segregation"]["7190"] == "371003045"


def test_catalogue_json_lists_every_ref_and_formula() -> None:
    data = json.loads(run("catalogue", "--json").stdout)
    refs = {row["code"] for row in data["rows"] if row["code"] is not None}
    assert refs == set(CATALOGUE.refs)
    assert len(refs) == 100
    assert [(f["id"], f["expr"]) for f in data["formulas"]] == [(f.id, f.expr) for f in CATALOGUE.formulas]
    assert run("catalogue").exit_code == OK


def test_rules_json() -> None:
    data = json.loads(run("rules", "--json").stdout)
    assert [r["id"] for r in data] == list(REGISTRY)
    assert all(r["severity"] in ("error", "warning", "notice") and r["citation"] and r["description"] for r in data)


def test_the_installed_entry_point_runs() -> None:
    executable = shutil.which("dailyseg", path=str(Path(sys.executable).parent))
    assert executable is not None
    done = subprocess.run([executable, "validate", "--json", str(SAMPLE)], capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == OK, done.stderr
    assert json.loads(done.stdout)["ok"] is True
