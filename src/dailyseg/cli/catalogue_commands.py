"""Commands that describe the catalogue and the rules."""

from __future__ import annotations

import click
from rich.table import Table

from dailyseg.catalogue import CATALOGUE
from dailyseg.checks import RULES
from dailyseg.cli.app import emit_json, main, stdout

_SIGN = {"any": "±", "nonneg": "≥0", "nonpos": "≤0"}


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print the whole catalogue as JSON.")
@click.option("--statement", type=click.Choice([s.id for s in CATALOGUE.statements]), help="Only this statement.")
@click.option("--layout", type=click.Choice(sorted(CATALOGUE.layouts)), help="Only rows of this layout.")
def catalogue(as_json: bool, statement: str | None, layout: str | None) -> None:
    """Print the statements' lines: code, line, label, kind, sign, formula, layouts."""
    formulas = {(f.target, layout_id): f.expr for f in CATALOGUE.formulas if f.severity == "error" for layout_id in f.layouts}
    chosen = []
    for st in CATALOGUE.statements:
        if statement and st.id != statement:
            continue
        for section in st.sections:
            for row in section.rows:
                layouts = sorted(row.layouts & section.layouts)
                if not layout or layout in layouts:
                    exprs = {lid: formulas[(row.ref or "", lid)] for lid in layouts if (row.ref or "", lid) in formulas}
                    chosen.append((section.id, row, layouts, exprs))
    if as_json:
        emit_json(
            {
                "layouts": {k: {"title": v.title, "description": v.description} for k, v in CATALOGUE.layouts.items()},
                "rows": [
                    {
                        "statement": row.statement,
                        "section": section_id,
                        "line": row.line,
                        "letter": row.letter,
                        "code": row.ref,
                        "label": row.label,
                        "kind": row.kind,
                        "sign": row.sign,
                        "layouts": layouts,
                        "verified": row.verified,
                        "formulas": exprs,
                    }
                    for section_id, row, layouts, exprs in chosen
                ],
                "formulas": [
                    {
                        "id": f.id,
                        "target": f.target,
                        "expr": f.expr,
                        "layouts": sorted(f.layouts),
                        "severity": f.severity,
                        "citation": f.citation,
                    }
                    for f in CATALOGUE.formulas
                ],
            }
        )
        return
    table = Table(show_lines=False)
    table.add_column("Statement", no_wrap=True)
    table.add_column("Line", no_wrap=True)
    table.add_column("Code", no_wrap=True)
    table.add_column("Label", overflow="fold", min_width=30, ratio=3)
    table.add_column("Kind", no_wrap=True)
    table.add_column("Sign", no_wrap=True)
    table.add_column("Formula", overflow="fold", ratio=2)
    table.add_column("Layouts", no_wrap=True)
    for _, row, layouts, exprs in chosen:
        formula = "; ".join(expr if len(exprs) == 1 else f"{lid}: {expr}" for lid, expr in exprs.items())
        code = (row.ref or "") + ("" if row.verified else " †")
        table.add_row(row.statement, row.number, code, row.label, row.kind, _SIGN[row.sign], formula, ",".join(layouts))
    stdout.print(table)
    stdout.print("† code recalled by the specification, not verified against the official form")


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print the rules as JSON.")
def rules(as_json: bool) -> None:
    """List the validation rules with their ids, severities and citations."""
    if as_json:
        emit_json([{"id": r.id, "severity": r.severity, "citation": r.citation, "description": r.description} for r in RULES.values()])
        return
    table = Table()
    for name in ("Rule", "Severity", "Citation", "Description"):
        table.add_column(name, overflow="fold")
    for r in RULES.values():
        table.add_row(r.id, r.severity, r.citation, r.description)
    stdout.print(table)
