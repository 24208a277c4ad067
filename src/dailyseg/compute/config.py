"""The firm's configuration (`firm.toml` in the books folder): who files, for which day, and how.

Every field is checked here, so a mistake is reported once with the key that holds it, before any table
is read.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Literal, cast

from dailyseg.calendar import next_business_day
from dailyseg.catalogue import CATALOGUE
from dailyseg.compute.schema import SCHEMA_VERSION
from dailyseg.filing import CoverPage, Header, Target, TargetKindId

DeficitBasis = Literal["ex_securities", "nle"]
BASES: tuple[DeficitBasis, ...] = ("ex_securities", "nle")


class BooksError(ValueError):
    """The books cannot be read: the message names the file, the row, the column, what was expected and found."""

    def __init__(self, file: str, message: str, *, row: int | None = None, column: str | None = None) -> None:
        place = file + (f", row {row}" if row is not None else "") + (f", column {column!r}" if column else "")
        super().__init__(f"{place}: {message}")
        self.file, self.row, self.column = file, row, column


@dataclass(frozen=True)
class FirmConfig:
    """What the firm states about itself and its choices; the numbers come from the tables."""

    name: str
    business_date: date
    nfa_id: str = ""
    form: str = CATALOGUE.form_names[0]
    status: str = "INITIAL"
    submit_date: date | None = None
    layout: str = "full"
    deficit_basis: DeficitBasis = "ex_securities"
    tolerance: Decimal = Decimal(0)
    foreign_requirement: Decimal = Decimal(0)
    targets: dict[str, Target] = field(default_factory=dict)

    def header(self) -> Header:
        return Header(self.status, self.business_date, self.name, self.form, self.submit_date or next_business_day(self.business_date))

    def cover(self) -> CoverPage | None:
        if not self.targets:
            return None
        return CoverPage(company=self.name, targets=tuple(self.targets.items()))


def _decimal(file: str, key: str, value: Any) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise BooksError(file, f"{key}: expected an amount written as a string or integer (\"1000000.00\"), found {value!r}")
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        raise BooksError(file, f"{key}: expected an amount, found {value!r}") from None
    if not amount.is_finite() or amount < 0:
        raise BooksError(file, f"{key}: expected an amount of zero or more, found {value!r}")
    return amount


def _choice(file: str, key: str, value: Any, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise BooksError(file, f"{key}: expected one of {', '.join(allowed)}, found {value!r}")
    return cast(str, value)


def _date(file: str, key: str, value: Any) -> date:
    if not isinstance(value, date):
        raise BooksError(file, f"{key}: expected a TOML date such as 2013-07-25, found {value!r}")
    return value


def parse_config(data: dict[str, Any], file: str = "firm.toml") -> FirmConfig:
    """Check a parsed firm.toml and build the configuration."""
    version = data.get("schema", SCHEMA_VERSION)
    if version != SCHEMA_VERSION:
        raise BooksError(file, f"schema: expected {SCHEMA_VERSION}, found {version!r}")
    firm = data.get("firm")
    if not isinstance(firm, dict):
        raise BooksError(file, "expected a [firm] table")
    if not isinstance(firm.get("name"), str) or not firm["name"].strip():
        raise BooksError(file, f"firm.name: expected the firm's name, found {firm.get('name')!r}")
    targets: dict[str, Target] = {}
    kinds = tuple(k.id for k in CATALOGUE.cover.target_kinds)
    for statement, raw in data.get("targets", {}).items():
        key = f"targets.{statement}"
        _choice(file, key, statement, tuple(CATALOGUE.statement_by_id))
        if not isinstance(raw, dict):
            raise BooksError(file, f"{key}: expected a table with kind, low and (for ranges) high")
        kind = _choice(file, f"{key}.kind", raw.get("kind"), kinds)
        high = _decimal(file, f"{key}.high", raw["high"]) if "high" in raw else None
        targets[statement] = Target(cast(TargetKindId, kind), _decimal(file, f"{key}.low", raw.get("low")), high)
    submit = firm.get("submit_date")
    return FirmConfig(
        name=firm["name"].strip(),
        business_date=_date(file, "firm.business_date", firm.get("business_date")),
        nfa_id=str(firm.get("nfa_id", "")),
        form=_choice(file, "firm.form", firm.get("form", CATALOGUE.form_names[0]), CATALOGUE.form_names),
        status=_choice(file, "firm.status", firm.get("status", "INITIAL"), CATALOGUE.statuses),
        submit_date=_date(file, "firm.submit_date", submit) if submit is not None else None,
        layout=_choice(file, "firm.layout", firm.get("layout", "full"), tuple(CATALOGUE.layouts)),
        deficit_basis=cast(DeficitBasis, _choice(file, "firm.deficit_basis", firm.get("deficit_basis", "ex_securities"), BASES)),
        tolerance=_decimal(file, "firm.tolerance", firm.get("tolerance", "0")),
        foreign_requirement=_decimal(file, "firm.foreign_requirement", firm.get("foreign_requirement", "0")),
        targets=targets,
    )


def read_config(path: Path) -> FirmConfig:
    try:
        data = tomllib.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        raise BooksError(str(path), "missing: a book needs firm.toml") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise BooksError(str(path), f"not valid TOML: {error}") from None
    return parse_config(data, str(path))


def write_config(config: FirmConfig) -> str:
    """The TOML text of a configuration (used by the demo generator)."""
    lines = [
        f"schema = {SCHEMA_VERSION}",
        "",
        "[firm]",
        f'name = "{config.name}"',
        f'nfa_id = "{config.nfa_id}"',
        f'form = "{config.form}"',
        f'status = "{config.status}"',
        f"business_date = {config.business_date.isoformat()}",
    ]
    if config.submit_date:
        lines.append(f"submit_date = {config.submit_date.isoformat()}")
    lines += [
        f'layout = "{config.layout}"',
        f'deficit_basis = "{config.deficit_basis}"',
        f'tolerance = "{config.tolerance}"',
        f'foreign_requirement = "{config.foreign_requirement}"',
    ]
    for statement, target in config.targets.items():
        lines += ["", f"[targets.{statement}]", f'kind = "{target.kind}"', f'low = "{target.low}"']
        if target.high is not None:
            lines.append(f'high = "{target.high}"')
    return "\n".join(lines) + "\n"
