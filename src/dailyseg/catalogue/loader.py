"""Reads statements.toml into the immutable catalogue and checks that the data is self-consistent.

The checks here run once at import, so a mistake in the data (a duplicated code, a formula naming a code
that does not exist) fails loudly in every test rather than quietly in one renderer.
"""

from __future__ import annotations

import os
import re
import tomllib
from datetime import date
from typing import Any, cast

from dailyseg.catalogue.model import (
    KEY_LINE_IDS,
    Bound,
    Catalogue,
    CoverField,
    CoverSpec,
    Formula,
    HoldingType,
    KeyLine,
    Kind,
    Layout,
    Row,
    Section,
    Severity,
    Sign,
    Source,
    Statement,
    TargetKind,
    Term,
)

_TERM = re.compile(r"\s*([+-]?)\s*(\d{4}(?:\.[A-Z])?)\s*")
_MAX = re.compile(r"^\s*max\((.*)\)\s*$")
_SIGNS = ("any", "nonneg", "nonpos")
_KINDS = ("heading", "input", "component", "subtotal", "total")


class CatalogueError(ValueError):
    """The catalogue data contradicts itself."""


def parse_expression(expr: str) -> tuple[str, tuple[Term, ...]]:
    """Split "7010 + 7020 - 7030" or "max(7305, 7355)" into an operator and signed terms."""
    match = _MAX.match(expr)
    if match:
        refs = [part.strip() for part in match.group(1).split(",")]
        return "max", tuple(Term(1, ref) for ref in refs)
    terms: list[Term] = []
    position = 0
    while position < len(expr):
        term = _TERM.match(expr, position)
        if term is None or term.end() == position:
            raise CatalogueError(f"cannot read formula {expr!r} at character {position}")
        sign = -1 if term.group(1) == "-" else 1
        terms.append(Term(sign, term.group(2)))
        position = term.end()
    return "sum", tuple(terms)


def _row(statement: str, section: str, layouts: frozenset[str], raw: dict[str, Any]) -> Row:
    code = raw.get("code")
    key = raw.get("key")
    kind = raw.get("kind", "input" if (code or key) else "heading")
    sign = raw.get("sign", "any")
    if kind not in _KINDS or sign not in _SIGNS:
        raise CatalogueError(f"{statement}: row {raw} has an unknown kind or sign")
    return Row(
        statement=statement,
        section=section,
        line=str(raw.get("line", "")),
        letter=str(raw.get("letter", "")),
        label=raw["label"],
        kind=cast(Kind, kind),
        sign=cast(Sign, sign),
        layouts=frozenset(raw.get("layouts", layouts)),
        verified=bool(raw.get("verified", True)),
        same_line=bool(raw.get("same_line", False)),
        code=int(code) if code is not None else None,
        key=str(key) if key is not None else None,
    )


def _statement(raw: dict[str, Any], all_layouts: frozenset[str]) -> Statement:
    sections = []
    for section in raw["sections"]:
        layouts = frozenset(section.get("layouts", all_layouts))
        rows = tuple(_row(raw["id"], section["id"], layouts, row) for row in section["rows"])
        sections.append(Section(section["id"], section["heading"], layouts, rows))
    return Statement(
        id=raw["id"],
        customer_class=raw["customer_class"],
        heading=raw["heading"],
        short=raw["short"],
        title=raw["title"],
        law=raw["law"],
        emphasis=raw["emphasis"],
        banner=tuple(raw["banner"]),
        sections=tuple(sections),
        requirement=raw["requirement"],
        funds=raw["funds"],
        excess=raw["excess"],
        target=raw["target"],
        excess_over_target=raw["excess_over_target"],
        residual_interest_rule=raw.get("residual_interest_rule", ""),
    )


def _formula(raw: dict[str, Any], all_layouts: frozenset[str]) -> Formula:
    op, terms = parse_expression(raw["expr"])
    return Formula(
        id=raw["id"],
        target=str(raw["target"]),
        expr=raw["expr"],
        terms=terms,
        op=cast(Any, op),
        layouts=frozenset(raw.get("layouts", all_layouts)),
        severity=cast(Severity, raw.get("severity", "error")),
        citation=raw["citation"],
        when=frozenset(str(k) for k in raw.get("when", ())),
    )


_SOURCE_TABLES = ("customer", "depository", "firm")


def _source(ref: str, raw: dict[str, Any]) -> Source:
    table = raw.get("table")
    sign = raw.get("sign", 1)
    if table not in _SOURCE_TABLES or sign not in (1, -1):
        raise CatalogueError(f"source of {ref}: table must be one of {_SOURCE_TABLES} and sign 1 or -1, found {raw}")
    kinds, assets, measure = tuple(raw.get("kinds", ())), tuple(raw.get("assets", ())), str(raw.get("measure", ""))
    if (table == "depository") != bool(kinds and assets) or (table != "depository") != bool(measure):
        raise CatalogueError(f"source of {ref}: a depository source names kinds and assets, any other a measure; found {raw}")
    return Source(ref, cast(Any, table), measure, kinds, assets, sign)


def _check_sources(catalogue: Catalogue) -> None:
    """Every reported line is either read from the books (a source) or derived by a formula, never both."""
    derived = {f.target for f in catalogue.formulas if f.severity == "error"}
    for ref in catalogue.refs:
        if (ref in catalogue.sources) == (ref in derived):
            raise CatalogueError(f"line {ref} needs exactly one of a source or a formula")
    unknown = set(catalogue.sources) - set(catalogue.refs)
    if unknown:
        raise CatalogueError(f"sources name lines that are not in the catalogue: {sorted(unknown)}")


def _check(catalogue: Catalogue) -> None:
    for layout in catalogue.layouts:
        seen: dict[str, str] = {}
        for statement in catalogue.statements:
            for row in statement.rows(layout):
                if row.ref is None:
                    continue
                if row.ref in seen:
                    raise CatalogueError(f"{row.ref} is printed twice in layout {layout}")
                seen[row.ref] = statement.id
        for formula in catalogue.formulas_for(layout):
            unknown = (formula.refs | formula.when) - seen.keys()
            if unknown:
                raise CatalogueError(f"formula {formula.id} names {sorted(unknown)}, absent from layout {layout}")
    for bound in catalogue.bounds:
        if not {bound.value, bound.bound} <= catalogue.refs.keys():
            raise CatalogueError(f"bound {bound.id} names a code that is not in the catalogue")
    grouped: set[str] = set()
    for holding in catalogue.holding_types:
        if not holding.refs <= catalogue.refs.keys() or holding.refs & grouped:
            raise CatalogueError(f"holding type {holding.id} names a code that is not in the catalogue or is in another group")
        grouped |= holding.refs
    for statement in catalogue.statements:
        for code in (statement.requirement, statement.funds, statement.excess):
            if str(code) not in catalogue.refs:
                raise CatalogueError(f"{statement.id}: key line {code} is not in the catalogue")


def load(text: str | None = None) -> Catalogue:
    """Load the packaged catalogue (or the given TOML text) and check it."""
    if text is None:
        # Installed next to this module. Neither importlib.resources nor pathlib: each costs more to import than the read.
        with open(os.path.join(os.path.dirname(__file__), "statements.toml"), encoding="utf-8") as handle:
            text = handle.read()
    data = tomllib.loads(text)
    all_layouts = frozenset(data["meta"]["layouts"])
    cover = data["cover"]
    catalogue = Catalogue(
        statements=tuple(_statement(s, all_layouts) for s in data["statements"]),
        formulas=tuple(_formula(f, all_layouts) for f in data["formulas"]),
        bounds=tuple(Bound(**b) for b in data["bounds"]),
        layouts={
            lid: Layout(lid, raw["title"], raw["description"], frozenset(str(m) for m in raw["markers"]))
            for lid, raw in data["layouts"].items()
        },
        cover=CoverSpec(
            heading=cover["heading"],
            fields=tuple(CoverField(f["id"], f["label"]) for f in cover["fields"]),
            target_kinds=tuple(TargetKind(**k) for k in cover["target_kinds"]),
            target_labels={t["statement"]: t["label"] for t in cover["targets"]},
        ),
        form_names=tuple(data["meta"]["form_names"]),
        statuses=tuple(data["meta"]["statuses"]),
        full_layout_from=date.fromisoformat(data["meta"]["full_layout_from"]),
        holding_types=tuple(HoldingType(h["id"], h["label"], frozenset(str(c) for c in h["codes"])) for h in data.get("holding_types", [])),
        sources={str(ref): _source(str(ref), raw) for ref, raw in data.get("sources", {}).items()},
        key_lines=tuple(KeyLine(k["id"], k["label"], k["report_label"], k["description"]) for k in data["key_lines"]),
    )
    if tuple(k.id for k in catalogue.key_lines) != KEY_LINE_IDS:
        raise CatalogueError(f"key_lines must be {', '.join(KEY_LINE_IDS)} in that order")
    _check(catalogue)
    _check_sources(catalogue)
    return catalogue
