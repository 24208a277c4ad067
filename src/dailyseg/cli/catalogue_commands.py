"""Commands that describe the catalogue and the rules."""

from __future__ import annotations

from collections.abc import Callable

import click

from dailyseg.cli.app import format_option, main
from dailyseg.cli.output import Column, Listing, emit_json, say, show

_SIGN = {"any": "±", "nonneg": "≥0", "nonpos": "≤0"}


def _statement_ids() -> tuple[str, ...]:
    from dailyseg.catalogue import CATALOGUE

    return tuple(s.id for s in CATALOGUE.statements)


def _layout_ids() -> tuple[str, ...]:
    from dailyseg.catalogue import CATALOGUE

    return tuple(sorted(CATALOGUE.layouts))


class _CatalogueChoice(click.Choice[str]):
    """Ids read from the catalogue when a value is checked or help is shown, not when the command line starts."""

    def __init__(self, names: Callable[[], tuple[str, ...]]) -> None:
        self._names = names
        super().__init__((), case_sensitive=True)

    @property
    def choices(self) -> tuple[str, ...]:
        return self._names()

    @choices.setter
    def choices(self, _: object) -> None:
        """click.Choice sets its choices once; these are always the catalogue's."""


@main.command()
@format_option(["table", "csv", "json"], "table")
@click.option("--statement", type=_CatalogueChoice(_statement_ids), help="Only this statement.")
@click.option("--layout", type=_CatalogueChoice(_layout_ids), help="Only rows of this layout.")
def catalogue(fmt: str, statement: str | None, layout: str | None) -> None:
    """Print the statements' lines: code, line, label, kind, sign, formula, layouts. Exit code 0."""
    from dailyseg.catalogue import CATALOGUE

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
    if fmt == "json":
        from dailyseg.shapes import CatalogueOut, dump

        emit_json(dump(CatalogueOut.of(CATALOGUE.layouts, chosen, CATALOGUE.formulas)))
        return
    # People read the verified mark beside the code and the sign as a symbol; programs get columns of their own.
    for_people = fmt == "table"
    columns = [Column("statement", "Statement", "id"), Column("line", "Line", "id"), Column("code", "Code", "id")]
    columns += [] if for_people else [Column("verified", "Verified", "mark")]
    columns += [Column("label", "Label"), Column("kind", "Kind", "id"), Column("sign", "Sign", "mark")]
    listing = Listing([*columns, Column("formula", "Formula"), Column("layouts", "Layouts", "id")])
    for _, row, layouts, exprs in chosen:
        formula = "; ".join(expr if len(exprs) == 1 else f"{lid}: {expr}" for lid, expr in exprs.items())
        code = (row.ref or "") + ("" if row.verified else " †")
        marks = [code] if for_people else [row.ref, "yes" if row.verified else "no"]
        sign = _SIGN[row.sign] if for_people else row.sign
        listing.add(row.statement, row.number, *marks, row.label, row.kind, sign, formula, ",".join(layouts))
    show(listing, fmt)
    if fmt == "table":
        say("† code recalled by the specification, not verified against the official form")


@main.command()
@format_option(["table", "csv", "json"], "table")
def rules(fmt: str) -> None:
    """List every rule: id, question (firm: is the firm in trouble? filing: is the filing right?), tier (basic
    always runs; strict with --strict), severity, what it looks at, where its findings are shown, citation and
    the notice the event requires. Exit code 0."""
    from dailyseg.checks import REGISTRY

    if fmt == "json":
        from dailyseg.shapes import RuleOut, dump

        emit_json(dump([RuleOut.of(r) for r in REGISTRY.values()]))
        return
    listing = Listing(
        [
            Column("id", "Rule", "id"),
            Column("question", "Question", "id"),
            Column("tier", "Tier", "id"),
            Column("severity", "Severity", "id"),
            Column("scope", "Looks at", "id"),
            Column("surfaces", "Shown by"),
            Column("citation", "Citation"),
            Column("notice", "Notice"),
            Column("description", "Description"),
        ]
    )
    for r in REGISTRY.values():
        listing.add(r.id, r.question, r.tier, r.severity, r.scope, ", ".join(r.surfaces), r.citation, r.notice, r.description)
    show(listing, fmt)
