"""A filing's own views (data frame, Arrow table, Rich, notebook HTML) show the filing exactly and never validate it.

Findings come from an explicit `validate`: a view that ran the rules itself would choose rules and a tolerance
behind the caller's back, and would tie the render modules to the checks (and, through them, back to the filing
whose methods import the renderers).
"""

from __future__ import annotations

import ast
import io
import re
import subprocess
import sys
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from markupsafe import escape
from rich.console import Console

import dailyseg
from dailyseg.catalogue import CATALOGUE
from dailyseg.filing import Filing
from dailyseg.money import format_amount
from dailyseg.render.html import render_fragment, render_html

# The columns `Filing.records` documents, in its order: the long form that CSV, pandas and Arrow share.
COLUMNS = ["firm", "end_date", "status", "form", "submit_date", "layout", "statement", "line", "code", "label", "value"]

RENDER = Path(dailyseg.__file__).resolve().parent / "render"
# The views `Filing` reaches for: they (and the render modules they import) must not import the filing or the
# checks at run time.
VIEWS = ("dailyseg.render.html", "dailyseg.render.terminal", "dailyseg.render.view")
FORBIDDEN = ("dailyseg.filing", "dailyseg.checks")
# Names `dailyseg` re-exports from the forbidden modules (its PEP 562 `__getattr__` would import them).
FORBIDDEN_FROM_PACKAGE = frozenset(
    {"filing", "checks", "Filing", "Header", "Entry", "CoverPage", "Target", "Finding", "Context", "validate"}
)


@pytest.fixture(scope="module")
def bad_filing(sample_filing: Filing) -> Filing:
    """The sample with line 7040 one dollar off, built from codes alone, so its segregation formulas no longer foot."""
    amounts: dict[int | str, Decimal] = {code: amount for code, amount in sample_filing.amounts.items()}
    amounts["7040"] += 1
    return Filing.of(sample_filing.header, amounts, layout=sample_filing.layout, cover=sample_filing.cover)


def finding_marks(html: str) -> list[str]:
    """Every piece of finding markup the fragment template writes: finding boxes and flagged rows."""
    return re.findall(r'class="findings?\b[^"]*"|class="[^"]*\bflagged\b[^"]*"', html)


def row_of(html: str, code: str) -> str:
    match = re.search(rf'<tr [^>]*id="line-{code}">.*?</tr>', html, re.DOTALL)
    assert match is not None, code
    return match.group(0)


def rich_text(renderable: Any) -> str:
    console = Console(file=io.StringIO(), width=200, color_system=None)
    console.print(renderable)
    out = console.file
    assert isinstance(out, io.StringIO)
    return out.getvalue()


# -- tables -------------------------------------------------------------------------------------------------


def test_to_dataframe_is_the_long_form_with_exact_amounts(sample_filing: Filing) -> None:
    frame = sample_filing.to_dataframe()
    assert list(frame.columns) == COLUMNS
    assert len(frame) == len(sample_filing.entries) == 83
    assert frame["value"].dtype == object  # Decimal objects, not a float column
    assert all(type(v) is Decimal for v in frame["value"])
    assert all(type(c) is str for c in frame["code"])
    assert list(frame["code"]) == [e.ref for e in sample_filing.entries]
    assert dict(zip(frame["code"], frame["value"], strict=True)) == dict(sample_filing.amounts)
    assert frame.loc[frame["code"] == "7190", "value"].item() == Decimal(371003045)
    assert frame.loc[frame["code"] == "7735", "value"].item() == Decimal(-6984471)
    assert set(frame["firm"]) == {"Citigroup Global Markets Inc."}
    assert set(frame["layout"]) == {sample_filing.layout}
    assert set(frame["statement"]) == set(sample_filing.statements)
    first = frame.iloc[0]
    assert (first["statement"], first["line"], first["code"]) == ("secured", "1", "7360")
    assert first["label"] == CATALOGUE.row("7360", sample_filing.layout).label


def test_to_arrow_has_the_same_rows_in_an_exact_decimal_type(sample_filing: Filing) -> None:
    table = sample_filing.to_arrow()
    assert table.column_names == COLUMNS
    value_type = table.schema.field("value").type
    assert pa.types.is_decimal(value_type) and not pa.types.is_floating(value_type)
    assert value_type == pa.decimal128(20, 2)
    assert table.schema.field("code").type == pa.string()
    assert table.num_rows == len(sample_filing.entries)
    values = table.column("value").to_pylist()
    assert all(type(v) is Decimal for v in values)
    assert dict(zip(table.column("code").to_pylist(), values, strict=True)) == dict(sample_filing.amounts)
    # Row for row what pandas holds, dates and all.
    assert table.to_pylist() == sample_filing.to_dataframe().to_dict("records")


def test_to_arrow_survives_an_ipc_round_trip(sample_filing: Filing) -> None:
    sink = pa.BufferOutputStream()
    table = sample_filing.to_arrow()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    back = pa.ipc.open_stream(sink.getvalue()).read_all()
    assert back.equals(table)
    assert dict(zip(back.column("code").to_pylist(), back.column("value").to_pylist(), strict=True)) == dict(sample_filing.amounts)


# -- Rich ---------------------------------------------------------------------------------------------------


def test_rich_view_shows_firm_headings_and_amounts_as_the_form_prints_them(sample_filing: Filing) -> None:
    out = rich_text(sample_filing)
    assert out.startswith("Citigroup Global Markets Inc.  INITIAL  End Date 2013-07-25  Submit Date 2013-07-26")
    for statement in sample_filing.statements:
        assert CATALOGUE.statement_by_id[statement].heading in out, statement
    assert f"{format_amount(sample_filing[7190], parentheses=True)} [7190]" in out
    assert "371,003,045 [7190]" in out
    assert "(6,984,471) [7735]" in out and "-6,984,471" not in out


def test_rich_view_shows_no_findings(bad_filing: Filing) -> None:
    assert dailyseg.validate(bad_filing)  # the filing has something to report ...
    out = rich_text(bad_filing)
    assert not re.search(r"\b(ERROR|WARNING|NOTICE)\b", out)  # ... and its own view does not report it
    assert "371,003,045 [7190]" in out


# -- notebook HTML --------------------------------------------------------------------------------------------


def test_repr_html_is_a_fragment_with_firm_and_headings(sample_filing: Filing) -> None:
    html = sample_filing._repr_html_()
    assert html.startswith('<article class="filing" data-layout="2013">') and html.rstrip().endswith("</article>")
    assert "<html" not in html and "<style" not in html
    assert "<h2>Citigroup Global Markets Inc.</h2>" in html
    for statement in sample_filing.statements:
        assert f"<h3>{escape(CATALOGUE.statement_by_id[statement].heading)}</h3>" in html, statement
    assert '<span class="amt">371,003,045</span> <span class="code">[7190]</span>' in row_of(html, "7190")
    assert finding_marks(html) == []
    assert html == render_fragment(sample_filing)


def test_repr_html_escapes_markup_in_the_firm_name(sample_filing: Filing) -> None:
    hostile = replace(sample_filing, header=replace(sample_filing.header, firm_name="<script>alert(1)</script> Futures"))
    html = hostile._repr_html_()
    assert "<script>" not in html
    assert "<h2>&lt;script&gt;alert(1)&lt;/script&gt; Futures</h2>" in html


def test_repr_html_marks_no_findings_that_explicit_findings_would_show(bad_filing: Filing) -> None:
    findings = dailyseg.validate(bad_filing)
    assert any(f.severity == "error" and "7040" in f.codes for f in findings)

    shown = render_fragment(bad_filing, findings)
    assert '<div class="finding error" role="note">' in row_of(shown, "7040")
    assert re.search(r'<tr class="[^"]*\bflagged"', row_of(shown, "7040"))
    assert finding_marks(shown)

    bare = bad_filing._repr_html_()
    assert finding_marks(bare) == []
    assert "<h2>Citigroup Global Markets Inc.</h2>" in bare


def test_rendering_never_runs_the_rules(bad_filing: Filing, monkeypatch: pytest.MonkeyPatch) -> None:
    """Regression: `render_fragment` and `render_html` without findings used to validate the filing themselves."""
    from dailyseg.checks import registry

    def refuse(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("rendering ran validation")

    # Every way in: the registry's function, the package's name for it, and the one step each validation takes.
    monkeypatch.setattr(registry, "validate", refuse, raising=False)
    monkeypatch.setattr(dailyseg.checks, "validate", refuse, raising=False)
    monkeypatch.setattr(registry.Rule, "run", refuse)

    assert finding_marks(render_fragment(bad_filing)) == []
    assert finding_marks(render_html(bad_filing)) == []
    assert finding_marks(render_html([bad_filing, bad_filing])) == []
    assert finding_marks(bad_filing._repr_html_()) == []
    assert "ERROR" not in rich_text(bad_filing)


def test_render_html_takes_one_filing_or_a_sequence(sample_filing: Filing, bad_filing: Filing) -> None:
    findings = dailyseg.validate(bad_filing)
    one = render_html(bad_filing, [findings])
    assert one == render_html([bad_filing], [findings]) == render_html((bad_filing,), [findings])
    assert one.count('<article class="filing"') == 1 and finding_marks(one)
    both = render_html([sample_filing, bad_filing], [[], findings])
    assert both.count('<article class="filing"') == 2
    first, second = both.split('<article class="filing"')[1:]
    assert finding_marks(first) == [] and finding_marks(second)
    with pytest.raises(ValueError, match="2 filings but findings for 1"):
        render_html([sample_filing, bad_filing], [findings])


# -- no import cycle -----------------------------------------------------------------------------------------


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING" and isinstance(test.value, ast.Name) and test.value.id == "typing"
    )


def _runtime_imports(tree: ast.AST, module: str) -> list[tuple[int, str, tuple[str, ...]]]:
    """(line, module, names) of every import a module runs, anywhere, except under `if TYPE_CHECKING:`."""
    found: list[tuple[int, str, tuple[str, ...]]] = []
    package = module.rpartition(".")[0]

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            for statement in node.orelse:
                visit(statement)
            return
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name, ()) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{anchor}.{base}" if base else anchor
            found.append((node.lineno, base, tuple(alias.name for alias in node.names)))
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return found


def _render_modules_reached(start: tuple[str, ...]) -> dict[str, list[tuple[int, str, tuple[str, ...]]]]:
    """The run-time imports of `start` and of every `dailyseg.render` module they import, transitively."""
    seen: dict[str, list[tuple[int, str, tuple[str, ...]]]] = {}
    todo = ["dailyseg.render", *start]
    while todo:
        module = todo.pop()
        if module in seen:
            continue
        relative = module.removeprefix("dailyseg.render").lstrip(".").replace(".", "/")
        path = RENDER / "__init__.py" if not relative else RENDER / f"{relative}.py"
        # A package's own relative imports are relative to itself, so it is read as its `__init__` module.
        own = f"{module}.__init__" if path.name == "__init__.py" else module
        seen[module] = imports = _runtime_imports(ast.parse(path.read_text("utf-8")), own)
        for _line, name, names in imports:
            candidates = [name] + [f"{name}.{n}" for n in names]
            todo += [c for c in candidates if c.startswith("dailyseg.render.") and (RENDER / f"{c.split('.', 2)[2]}.py").exists()]
    return seen


def test_the_views_import_neither_filing_nor_checks_at_run_time() -> None:
    reached = _render_modules_reached(VIEWS)
    assert set(VIEWS) | {"dailyseg.render.printable"} <= set(reached)
    offending = [
        f"{module}:{line} imports {name}{' ' + ', '.join(names) if names else ''}"
        for module, imports in reached.items()
        for line, name, names in imports
        if any(name == f or name.startswith(f + ".") for f in FORBIDDEN) or (name == "dailyseg" and FORBIDDEN_FROM_PACKAGE & set(names))
    ]
    assert offending == []


def test_the_import_check_sees_imports_outside_type_checking() -> None:
    """The checker itself: a run-time import is reported, one under `if TYPE_CHECKING:` is not."""
    source = (
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from dailyseg.filing import Filing\nelse:\n    import dailyseg.checks\n"
        "def f():\n    from dailyseg import validate\n"
    )
    names = [(name, names) for _line, name, names in _runtime_imports(ast.parse(source), "dailyseg.render.x")]
    assert names == [("typing", ("TYPE_CHECKING",)), ("dailyseg.checks", ()), ("dailyseg", ("validate",))]


@pytest.mark.cli  # a fresh interpreter: this one has long since imported everything
def test_importing_the_views_loads_neither_filing_nor_checks() -> None:
    code = (
        "import sys\nimport dailyseg.render.html, dailyseg.render.terminal, dailyseg.render.view\n"
        "print(' '.join(m for m in sys.modules if m.startswith(('dailyseg.checks', 'dailyseg.filing'))))"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False)
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == []
