"""Every JSON shape dailyseg writes, described once.

The command line's `--json`, the API's answers and the OpenAPI schema are all made from these models, so the
same data is the same JSON wherever it is asked for, and the schema documents what is really sent. Each model
is made from the domain value by its `of` classmethod; nothing here computes, it only writes down.

Amounts are strings holding the exact `str(Decimal)`: a JSON number would become a float in most readers,
and a float rounds. Dates and times are ISO 8601. The filing itself keeps its own shape
(`dailyseg.serial.filing_to_dict`), which reading takes back, and is carried here as an object.

pydantic costs a command line a tenth of a second to import: the commands import this module only on the
path that writes JSON.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from dailyseg.checks import REGISTRY
from dailyseg.serial import filing_to_dict

if TYPE_CHECKING:
    from dailyseg.catalogue.model import Formula, Layout, Row
    from dailyseg.checks import Context, Finding, Rule, Selection
    from dailyseg.checks.history import UnusualMoveRule
    from dailyseg.compute import Computation
    from dailyseg.compute.lineage import Explanation
    from dailyseg.compute.reconcile import Difference
    from dailyseg.filing import Filing
    from dailyseg.problems import Problem
    from dailyseg.store.diff import LineChange
    from dailyseg.store.types import FilingVersion, HistoryPoint, IngestOutcome
    from dailyseg.watch import status as firm_status
    from dailyseg.watch.cftc import ImportReport
    from dailyseg.watch.monitor import Observation
    from dailyseg.watch.monthend import MonthEndFigure
    from dailyseg.watch.nfa import NfaSummary
    from dailyseg.watch.nfa_import import NfaImport
    from dailyseg.watch.observations import FirmObservation

EXACT = "exact amount, as a string"
FILING = "the filing in dailyseg's JSON shape (as `dailyseg convert --format json` writes each filing): amounts as strings keyed by code"


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def _iso(value: date | datetime | None) -> str | None:
    return None if value is None else value.isoformat()


class Shape(BaseModel):
    """A field whose Python name cannot be its JSON key (`class`) is written under its alias everywhere, not
    only where FastAPI asks for aliases."""

    model_config = ConfigDict(serialize_by_alias=True)


def dump(shapes: Shape | Sequence[Shape]) -> Any:
    """`json.dumps` cannot write a model: the plain data of one shape, or of a listing's shapes."""
    if isinstance(shapes, Shape):
        return shapes.model_dump(mode="json")
    return [s.model_dump(mode="json") for s in shapes]


# -- errors -----------------------------------------------------------------------------------------------


class ErrorDetail(Shape):
    status: int = Field(description="the HTTP status, repeated for clients that see only the body")
    message: str = Field(description="what went wrong, in plain words")


class ErrorBody(Shape):
    """Every API error, whatever raised it, so a client reads one shape."""

    error: ErrorDetail

    @classmethod
    def of(cls, status: int, message: str) -> ErrorBody:
        return cls(error=ErrorDetail(status=status, message=message))


class CliError(Shape):
    message: str = Field(description="what went wrong, as standard error says it")
    exit_code: int = Field(description="the command's exit code (2: the input or the store could not be used)")


class CliFailure(Shape):
    """A command asked for JSON that could not run: a script still gets JSON to read, not only a message."""

    ok: Literal[False] = False
    error: CliError

    @classmethod
    def of(cls, message: str, exit_code: int) -> CliFailure:
        return cls(error=CliError(message=message, exit_code=exit_code))


# -- reading and checking a document ------------------------------------------------------------------------


class ProblemOut(Shape):
    """Reading never fails on a document's mistake: it says where, what was expected and what was found."""

    rule: str = Field(description='the reading rule the problem falls under: "unreadable" or "read-doubt" (GET /api/rules)')
    source: str = Field(description="the document the problem was met in")
    line: int | None = Field(description="the document's line, when the problem has one")
    severity: str = Field(description='"fatal" (nothing could be read), "error" or "warning"')
    message: str
    code: str | None = Field(description="the catalogue code concerned, if any")
    expected: str = Field(description="what the reader expected (empty when nothing in particular)")
    found: str = Field(description="what it found instead")

    @classmethod
    def of(cls, problem: Problem) -> ProblemOut:
        return cls(
            rule=problem.rule,
            source=problem.source,
            line=problem.line,
            severity=problem.severity,
            message=problem.message,
            code=problem.code,
            expected=problem.expected,
            found=problem.found,
        )


class _FindingFields(Shape):
    rule: str = Field(description="the rule's id (GET /api/rules and `dailyseg rules` list them)")
    question: str = Field(description='"firm": an event (is the firm in trouble?); "filing": a defect (is the filing right?)')
    severity: str = Field(description='"error", "warning" or "notice"')
    statement: str | None = Field(description='the statement concerned: "segregation", "secured", "swaps" (none: the whole filing)')
    codes: list[str] = Field(description="the catalogue codes concerned")
    message: str
    expected: str | None = Field(description="exact amount or text, as a string")
    actual: str | None = Field(description="exact amount or text, as a string")
    difference: str | None = Field(description="actual minus expected, exact, as a string")
    citation: str = Field(description="the regulation or form instruction the rule applies")
    notice: str = Field(description="what the rule requires the firm to do when the event happens (empty for defects)")
    since: str | None = Field(description="for an event over time, the first End Date of its unbroken run")


class FindingOut(_FindingFields):
    """One shape for every finding of every rule, so a reader of one surface's findings reads them all."""

    @classmethod
    def of(cls, finding: Finding) -> FindingOut:
        return cls(**_finding_fields(finding))


def _finding_fields(finding: Finding) -> dict[str, Any]:
    return {
        "rule": finding.rule,
        "question": finding.question,
        "severity": finding.severity,
        "statement": finding.statement,
        "codes": list(finding.codes),
        "message": finding.message,
        "expected": _text(finding.expected),
        "actual": _text(finding.actual),
        "difference": _text(finding.difference),
        "citation": finding.citation,
        "notice": finding.notice,
        "since": _iso(finding.since),
    }


class CheckedFiling(Shape):
    """The header fields a reader looks for first, beside the whole filing and what checking it found."""

    firm: str = Field(description="the Firm Name as filed")
    end_date: str | None = Field(description="the End Date as filed")
    status: str = Field(description='"INITIAL" or "AMENDED", as filed')
    layout: str = Field(description='the form\'s layout: "2013" or "full"')
    filing: dict[str, Any] = Field(description=FILING)
    findings: list[FindingOut] = Field(description="events first, then defects, worst first")

    @classmethod
    def of(cls, filing: Filing, findings: Iterable[Finding]) -> CheckedFiling:
        header = filing.header
        return cls(
            firm=header.firm_name,
            end_date=_iso(header.end_date),
            status=header.status,
            layout=filing.layout,
            filing=filing_to_dict(filing),
            findings=[FindingOut.of(f) for f in findings],
        )


class Validation(Shape):
    """A document read and checked: `dailyseg validate --json`, `dailyseg show --json` and POST /api/validate."""

    source: str = Field(description="the document: the path given, or the uploaded file's name")
    ok: bool = Field(description="at least one filing was read, with no error finding and no read error")
    tolerance: str = Field(description="the largest difference, in dollars, that still counted as equal")
    tier: str = Field(description='the tier of rules run: "basic" or "strict"')
    rules: list[str] = Field(description="the ids of the rules run")
    problems: list[ProblemOut] = Field(description="what could not be read as expected")
    filings: list[CheckedFiling] = Field(description="each filing the document held, with its findings")

    @classmethod
    def of(
        cls,
        source: str,
        ok: bool,
        problems: Iterable[Problem],
        checked: Iterable[tuple[Filing, Iterable[Finding]]],
        selection: Selection,
        context: Context,
    ) -> Validation:
        return cls(
            source=source,
            ok=ok,
            tolerance=str(context.tolerance),
            tier=selection.tier,
            rules=[r.id for r in REGISTRY.chosen(selection, scope="filing")],
            problems=[ProblemOut.of(p) for p in problems],
            filings=[CheckedFiling.of(f, found) for f, found in checked],
        )


class RuleOut(Shape):
    """A rule as the registry declares it, so any finding's `rule` can be looked up and explained."""

    id: str
    question: str = Field(description='"firm": an event (is the firm in trouble?); "filing": a defect (is the filing right?)')
    tier: str = Field(description='"basic" rules always run; "strict" ones when asked for')
    severity: str = Field(description='"error", "warning" or "notice"')
    scope: str = Field(
        description='what the rule looks at: "read", "filing", "computation", "reconciliation", "history", "withdrawal", '
        '"confirmations" or "close"'
    )
    citation: str
    citations: dict[str, str] = Field(description="by statement, where the law differs by customer class")
    notice: str = Field(description="what the firm must do when the event happens (empty for defects)")
    description: str
    surfaces: list[str] = Field(description="where the rule's findings are shown")

    @classmethod
    def of(cls, rule: Rule) -> RuleOut:
        return cls(
            id=rule.id,
            question=rule.question,
            tier=rule.tier,
            severity=rule.severity,
            scope=rule.scope,
            citation=rule.citation,
            citations=dict(rule.citations),
            notice=rule.notice,
            description=rule.description,
            surfaces=list(rule.surfaces),
        )


# -- the store --------------------------------------------------------------------------------------------


class VersionOut(Shape):
    """A stored version without its amounts: enough to tell a day's versions apart and to fetch one."""

    id: int = Field(description="the filing id (GET /api/filings/{filing_id})")
    firm_id: str
    firm_name: str = Field(description="the Firm Name as this version filed it")
    end_date: str
    status: str = Field(description='"INITIAL" or "AMENDED", as filed')
    form: str
    submit_date: str | None
    version: int = Field(description="1 for the first in the order of the day's versions (INITIAL, then Submit Date), 2 for the next ...")
    arrival: int = Field(description="1 for the first version of the day to reach the store, 2 for the next ...")
    is_record: bool = Field(description="the filing of record: the last version in that order")
    content_hash: str = Field(description="SHA-256 of the filing's canonical JSON: the same content is stored once")
    stored_at: str = Field(description="when it reached the store, UTC")

    @classmethod
    def of(cls, version: FilingVersion) -> VersionOut:
        return cls(
            id=version.id,
            firm_id=version.firm_id,
            firm_name=version.firm_name,
            end_date=version.end_date.isoformat(),
            status=version.status,
            form=version.form,
            submit_date=_iso(version.submit_date),
            version=version.version,
            arrival=version.arrival,
            is_record=version.is_record,
            content_hash=version.content_hash,
            stored_at=version.stored_at.isoformat(),
        )


class StoredFiling(Shape):
    """A stored version with its findings and the other versions of its day, to show what it replaced."""

    version: VersionOut
    versions: list[VersionOut] = Field(description="every version of the same firm, form and End Date")
    filing: dict[str, Any] = Field(description=FILING)
    findings: list[FindingOut]

    @classmethod
    def of(cls, version: FilingVersion, versions: Iterable[FilingVersion], filing: Filing, findings: Iterable[Finding]) -> StoredFiling:
        return cls(
            version=VersionOut.of(version),
            versions=[VersionOut.of(v) for v in versions],
            filing=filing_to_dict(filing),
            findings=[FindingOut.of(f) for f in findings],
        )


class PointOut(Shape):
    end_date: str
    code: str
    value: str = Field(description=EXACT)
    filing_id: int = Field(description="the filing of record the value was read from")
    amended: bool = Field(description="that filing of record is an amendment")

    @classmethod
    def of(cls, point: HistoryPoint) -> PointOut:
        return cls(
            end_date=point.end_date.isoformat(), code=point.code, value=str(point.value), filing_id=point.filing_id, amended=point.amended
        )


class HistoryOut(Shape):
    """Values as points, easy to filter; the charts take the same figures in columns (`ChartOut`)."""

    firm_id: str
    codes: list[str] = Field(description="the codes asked for, as the catalogue writes them")
    points: list[PointOut] = Field(description="the value of each code on each End Date's filing of record, in date order")

    @classmethod
    def of(cls, firm_id: str, codes: Iterable[str], points: Iterable[HistoryPoint]) -> HistoryOut:
        return cls(firm_id=firm_id, codes=list(codes), points=[PointOut.of(p) for p in points])


class OutcomeOut(Shape):
    """What storing did with one filing: storing the same content twice is not an error, and says so."""

    status: str = Field(description='"stored", "already-present", "amended" or "unreadable"')
    source: str = Field(description="the document the filing came from")
    filing_id: int | None = Field(description="the stored filing (none for an unreadable document)")
    firm: str | None = Field(description="the firm id")
    end_date: str | None
    reason: str = Field(description="why, when it needs saying: a late original, a version's place in its day, a read error")

    @classmethod
    def of(cls, outcome: IngestOutcome) -> OutcomeOut:
        return cls(
            status=outcome.status,
            source=outcome.source,
            filing_id=outcome.filing_id,
            firm=outcome.firm,
            end_date=_iso(outcome.end_date),
            reason=outcome.reason,
        )


class StoreResult(Shape):
    """What POST /api/filings did with each filing of the uploaded document."""

    source: str = Field(description="the uploaded file's name")
    outcomes: list[OutcomeOut]
    problems: list[ProblemOut]

    @classmethod
    def of(cls, source: str, outcomes: Iterable[IngestOutcome], problems: Iterable[Problem]) -> StoreResult:
        return cls(source=source, outcomes=[OutcomeOut.of(o) for o in outcomes], problems=[ProblemOut.of(p) for p in problems])


class IngestReport(Shape):
    """`dailyseg ingest --json`: many documents, so a summary before the outcome of each filing."""

    documents: int = Field(description="documents offered")
    summary: dict[str, int] = Field(description="filings by outcome: stored, already-present, amended, unreadable")
    outcomes: list[OutcomeOut]

    @classmethod
    def of(cls, documents: int, summary: Mapping[str, int], outcomes: Iterable[IngestOutcome]) -> IngestReport:
        return cls(documents=documents, summary=dict(summary), outcomes=[OutcomeOut.of(o) for o in outcomes])


class HeaderChange(Shape):
    field: str = Field(description="the header field: status, end_date, firm_name, form or submit_date")
    before: str
    after: str


class LineChangeOut(Shape):
    statement: str
    code: str
    line: str = Field(description="the printed line number (empty for a code the catalogue does not know)")
    label: str
    before: str | None = Field(description="exact amount (none: the code was not filed)")
    after: str | None = Field(description="exact amount (none: the code was not filed)")
    change: str | None = Field(description="after minus before, where both were filed")

    @classmethod
    def of(cls, change: LineChange) -> LineChangeOut:
        return cls(
            statement=change.statement,
            code=change.code,
            line=change.line,
            label=change.label,
            before=_text(change.before),
            after=_text(change.after),
            change=_text(change.change),
        )


class DiffReport(Shape):
    """`dailyseg diff --json`: two stored filings and what differs between them."""

    before: VersionOut
    after: VersionOut
    header: list[HeaderChange] = Field(description="header fields that differ")
    lines: list[LineChangeOut] = Field(description="every code whose amount differs, in the catalogue's print order")

    @classmethod
    def of(
        cls, before: FilingVersion, after: FilingVersion, header: Iterable[tuple[str, str, str]], lines: Iterable[LineChange]
    ) -> DiffReport:
        return cls(
            before=VersionOut.of(before),
            after=VersionOut.of(after),
            header=[HeaderChange(field=name, before=old, after=new) for name, old, new in header],
            lines=[LineChangeOut.of(c) for c in lines],
        )


# -- watching firms -----------------------------------------------------------------------------------------


class _Dated(Shape):
    """The firm and day come before the finding's own fields (a base listed last comes first in the model)."""

    firm_id: str
    end_date: str = Field(description="the End Date the finding concerns")


class ObservationOut(_FindingFields, _Dated):
    """The monitor's findings cover many firms and days in one list, so each names its firm and End Date."""

    @classmethod
    def of(cls, observation: Observation) -> ObservationOut:
        return cls(firm_id=observation.firm_id, end_date=observation.end_date.isoformat(), **_finding_fields(observation.finding))


class StatementFigures(Shape):
    """The figures a firm is judged on, per statement, from its latest filing of record."""

    requirement: str | None = Field(description=EXACT)
    funds: str | None = Field(description=EXACT)
    excess: str | None = Field(description="funds minus requirement, exact")
    target: str | None = Field(description="the firm's targeted residual interest, exact")
    target_source: str | None = Field(description='where the target was read: "line 7194" or "cover page"')
    over_target: str | None = Field(description="excess minus target (negative: under the target)")
    excess_percent: str | None = Field(description="excess as a percentage of the requirement")
    excess_change: str | None = Field(description="change in excess from the prior filed day")

    @classmethod
    def of(cls, figures: firm_status.StatementFigures) -> StatementFigures:
        s = figures.standing
        return cls(
            requirement=_text(s.requirement),
            funds=_text(s.funds),
            excess=_text(s.excess),
            target=_text(s.target),
            target_source=s.target_source or None,
            over_target=_text(s.over_target),
            excess_percent=_text(s.excess_percent),
            excess_change=_text(figures.excess_change),
        )


class FirmOut(Shape):
    """A firm as the firms page lists it: what concerns it now, and the figures behind that."""

    firm_id: str
    name: str = Field(description="the name on the firm's latest filing")
    latest_end_date: str | None
    as_of: str | None = Field(description="the day the status is judged at: the latest End Date in the store, or ?as_of= (--as-of)")
    status: list[str] = Field(description="rule ids of the firm's current findings, worst first (empty: nothing to report)")
    statements: dict[str, StatementFigures] = Field(description='by statement: "segregation", "secured", "swaps"')
    findings: list[ObservationOut] = Field(description="the findings behind the status, worst first")

    @classmethod
    def of(cls, status: firm_status.FirmStatus) -> FirmOut:
        return cls(
            firm_id=status.firm_id,
            name=status.name,
            latest_end_date=_iso(status.latest_end_date),
            as_of=_iso(status.as_of),
            status=list(status.status),
            statements={sid: StatementFigures.of(figures) for sid, figures in status.statements.items()},
            findings=[ObservationOut.of(o) for o in status.findings],
        )


class MonitorReport(Shape):
    """`dailyseg monitor --json`: the findings (as GET /api/firms/{firm}/findings gives them) and the rules run."""

    tier: str = Field(description='the tier of rules run: "basic" or "strict"')
    rules: list[str] = Field(description="the ids of the rules run")
    rule_details: dict[str, RuleOut] = Field(description="each rule run, by id")
    unusual_move_rule: str = Field(description="what counts as an unusual day-over-day move")
    findings: list[ObservationOut] = Field(description="by firm, then End Date, events first")

    @classmethod
    def of(cls, selection: Selection, unusual: UnusualMoveRule, found: Iterable[Observation]) -> MonitorReport:
        chosen = [r for r in REGISTRY.chosen(selection) if r.scope in ("filing", "history")]
        return cls(
            tier=selection.tier,
            rules=[r.id for r in chosen],
            rule_details={r.id: RuleOut.of(r) for r in chosen},
            unusual_move_rule=unusual.describe(),
            findings=[ObservationOut.of(o) for o in found],
        )


class ChartPart(Shape):
    id: str = Field(description='the id of one of the catalogue\'s key lines, such as "excess"')
    label: str


class ChartStatement(Shape):
    title: str
    codes: dict[str, str] = Field(description="requirement, funds, excess and target: the code of each")
    series: dict[str, list[str | None]] = Field(description="by part, one exact amount (or null) per date")


class ChartEvent(Shape):
    date: str = Field(description="the End Date of the events")
    severity: str = Field(description='the worst of them: "error", "warning" or "notice"')
    rules: list[str] = Field(description='the rules that day, worst first: "deficiency", "below-target", "amended"')


class ChartOut(Shape):
    """What the firm page's charts draw, in columns, so the browser draws without reshaping."""

    firm_id: str
    parts: list[ChartPart] = Field(description="the lines drawn, in order, with their labels")
    dates: list[str] = Field(description="the End Dates charted, in order")
    filing_ids: list[int] = Field(description="the filing of record of each date")
    amended: list[bool] = Field(description="whether each date's filing of record is an amendment")
    statements: dict[str, ChartStatement] = Field(description="by statement, those with something to draw")
    events: dict[str, list[ChartEvent]] = Field(description="by statement charted, one per End Date with an event")


class MonthEndFigureOut(Shape):
    as_of: str = Field(description="the month end")
    statement: str
    measure: str = Field(description='"funds", "required", "excess" or "target"')
    code: int = Field(description="the filing code of the figure")
    cftc: str | None = Field(description="the CFTC table's value, exact")
    filed: str | None = Field(description="the daily filing's value, exact")
    difference: str | None = Field(description="filed minus CFTC, where both are known")
    filing_id: int | None = Field(description="the daily filing of record for the month end")
    nfa: str | None = Field(description="NFA's public summary's value, exact")
    nfa_difference: str | None = Field(description="filed minus NFA, where both are known")
    nfa_source: str | None = Field(description="the file NFA's summary of this day and pool was imported from")
    status: str = Field(
        description='"agrees" (with every source that gives it), "differs", "not reported", "not in the CFTC table" or "no daily filing"'
    )

    @classmethod
    def of(cls, figure: MonthEndFigure) -> MonthEndFigureOut:
        return cls(
            as_of=figure.as_of.isoformat(),
            statement=figure.statement,
            measure=figure.measure,
            code=figure.code,
            cftc=_text(figure.cftc),
            filed=_text(figure.filed),
            difference=_text(figure.difference),
            filing_id=figure.filing_id,
            nfa=_text(figure.nfa),
            nfa_difference=_text(figure.nfa_difference),
            nfa_source=figure.nfa_source,
            status=figure.status,
        )


class MonthEndReport(Shape):
    """`dailyseg month-end --json`."""

    firm: str = Field(description="the firm as asked for")
    figures: list[MonthEndFigureOut] = Field(description="every figure, or with --differences only those that differ or lack a filing")
    mismatched: int = Field(description="figures that differ or have no daily filing")

    @classmethod
    def of(cls, firm: str, figures: Iterable[MonthEndFigure], mismatched: int) -> MonthEndReport:
        return cls(firm=firm, figures=[MonthEndFigureOut.of(f) for f in figures], mismatched=mismatched)


class FlaggedRow(Shape):
    line: int = Field(description="the table's row")
    firm: str
    as_of: str
    problems: list[str] = Field(description="pools whose excess is not funds minus requirement")


class CftcRowOut(Shape):
    """A row as read, with the words the older tables give beside the figures (registration, B/D flag)."""

    line: int = Field(description="the table's row")
    firm: str
    as_of: str = Field(description="the row's own As of (A/O) Date, else the title's")
    registered_as: str
    dsro: str
    flags: dict[str, bool] = Field(description="yes/no columns by field (broker_dealer: the B/D? column)")
    texts: dict[str, str] = Field(description="columns no field stands for, by 'other:' and header words, as written (stored)")
    values: dict[str, str] = Field(description="the figures read, by field, exact")


class CftcImportReport(Shape):
    """`dailyseg import-cftc --json`."""

    source: str
    imported: int = Field(description="rows stored")
    already_present: int = Field(description="rows stored before")
    flagged: list[FlaggedRow]
    skipped: list[str] = Field(description="rows not read, and why")
    notes: list[str] = Field(description="values read as no value (footnote marks, fractions of a cent)")
    columns: dict[str, str] = Field(description="the column each field was read from, by field")
    eras: list[str] = Field(description="the table shapes (by first year) whose known wording all its headers fit")
    rows: list[CftcRowOut] = Field(description="every row read, in the table's order")

    @classmethod
    def of(cls, report: ImportReport) -> CftcImportReport:
        return cls(
            source=report.source,
            imported=report.imported,
            already_present=report.already_present,
            flagged=[FlaggedRow(line=r.line, firm=r.firm, as_of=r.as_of.isoformat(), problems=list(p)) for r, p in report.flagged],
            skipped=list(report.skipped),
            notes=list(report.notes),
            columns=dict(report.columns),
            eras=list(report.eras),
            rows=[
                CftcRowOut(
                    line=r.line,
                    firm=r.firm,
                    as_of=r.as_of.isoformat(),
                    registered_as=r.registered_as,
                    dsro=r.dsro,
                    flags=dict(r.flags),
                    texts=dict(r.texts),
                    values={k: str(v) for k, v in r.values.items()},
                )
                for r in report.rows
            ],
        )


def _shares(shares: Mapping[str, Mapping[str, Any]]) -> dict[str, dict[str, str]]:
    return {breakdown: {label: str(p) for label, p in named.items()} for breakdown, named in shares.items()}


class NfaSummaryOut(Shape):
    firm: str = Field(description="the firm's name as the page gives it")
    nfa_id: str = Field(description='the NFA ID ("" where the page gives none)')
    pool: str = Field(description='"seg", "secured" (30.7) or "swaps" (cleared swaps)')
    as_of: str
    line: int = Field(description="the line of the page's text where the summary's first figure is")
    values: dict[str, str] = Field(description="funds, required, excess, target: exact amounts")
    percentages: dict[str, dict[str, str]] = Field(description="by breakdown (holding, investment) and label: percent of funds, exact")

    @classmethod
    def of(cls, summary: NfaSummary) -> NfaSummaryOut:
        values = {k: str(v) for k, v in summary.values.items()}
        return cls(
            firm=summary.firm,
            nfa_id=summary.nfa_id,
            pool=summary.pool,
            as_of=summary.as_of.isoformat(),
            line=summary.line,
            values=values,
            percentages=_shares(summary.shares),
        )


class NfaFileOut(Shape):
    source: str
    stored: int = Field(description="summaries stored")
    already_present: int = Field(description="summaries stored before")
    refused: bool = Field(description="part of the file could not be read, so nothing of it was stored")
    summaries: list[NfaSummaryOut] = Field(description="every summary read")
    problems: list[ProblemOut]

    @classmethod
    def of(cls, result: NfaImport) -> NfaFileOut:
        return cls(
            source=result.source,
            stored=result.stored,
            already_present=result.already_present,
            refused=result.refused,
            summaries=[NfaSummaryOut.of(s) for s in result.summaries],
            problems=[ProblemOut.of(p) for p in result.problems],
        )


class NfaImportReport(Shape):
    """`dailyseg import-nfa --json`."""

    files: list[NfaFileOut] = Field(description="one per file, in the order given")

    @classmethod
    def of(cls, results: Iterable[NfaImport]) -> NfaImportReport:
        return cls(files=[NfaFileOut.of(r) for r in results])


class FirmObservationOut(Shape):
    source: str = Field(description='"cftc" (the monthly table) or "nfa" (a public FCM summary)')
    file: str = Field(description="the file it was imported from")
    as_of: str
    firm_name: str = Field(description="the firm's name as the source gives it")
    pool: str | None = Field(description="an NFA summary's pool; null for a CFTC row, which gives every pool")
    values: dict[str, str] = Field(description="amounts by field, exact")
    percentages: dict[str, dict[str, str]] = Field(description="NFA: percent of funds by breakdown and label, exact")
    texts: dict[str, str] = Field(description="words by field: registration, DSRO, Y/N flags, columns no field stands for, NFA ID")

    @classmethod
    def of(cls, observation: FirmObservation) -> FirmObservationOut:
        return cls(
            source=observation.source,
            file=observation.file,
            as_of=observation.as_of.isoformat(),
            firm_name=observation.firm_name,
            pool=observation.pool,
            values={k: str(v) for k, v in observation.amounts.items()},
            percentages=_shares(observation.percentages),
            texts=dict(observation.texts),
        )


class ObservationsReport(Shape):
    """`dailyseg observations --json`."""

    firm_id: str
    observations: list[FirmObservationOut] = Field(description="by as-of date, CFTC rows first, then NFA summaries by pool")

    @classmethod
    def of(cls, firm_id: str, observations: Iterable[FirmObservation]) -> ObservationsReport:
        return cls(firm_id=firm_id, observations=[FirmObservationOut.of(o) for o in observations])


# -- books ----------------------------------------------------------------------------------------------------


class ComputeReport(Shape):
    """`dailyseg compute --format json`: the filing computed from the books, with what checking it found."""

    filing: dict[str, Any] = Field(description=FILING)
    findings: list[FindingOut]
    undermargined: dict[str, str] = Field(description="by statement, the undermargined amount the residual interest must cover, exact")
    by_currency: dict[str, dict[str, str]] | None = Field(
        default=None,
        exclude_if=lambda value: value is None,
        description="with --by-currency only: by currency, each line's exact amount in that currency",
    )

    @classmethod
    def of(cls, computation: Computation, *, by_currency: bool = False) -> ComputeReport:
        return cls(
            filing=filing_to_dict(computation.filing),
            findings=[FindingOut.of(x) for x in computation.findings],
            undermargined={k: str(v) for k, v in computation.undermargined.items()},
            by_currency={c: {ref: str(v) for ref, v in lines.items()} for c, lines in computation.by_currency.items()}
            if by_currency
            else None,
        )


class DifferenceOut(Shape):
    depository: str
    name: str
    line: str = Field(description="the form line the balance feeds (empty: none)")
    customer_class: str = Field(serialization_alias="class", description="the customer class of the balance")
    asset: str
    currency: str
    books: str = Field(description="the balance in the books, exact")
    confirmed: str = Field(description="the balance the depository confirms, exact")
    difference: str = Field(description="books minus confirmed, exact")

    @classmethod
    def of(cls, difference: Difference) -> DifferenceOut:
        d = difference
        return cls(
            depository=d.depository,
            name=d.name,
            line=d.line,
            customer_class=d.customer_class,
            asset=d.asset,
            currency=d.currency,
            books=str(d.books),
            confirmed=str(d.confirmed),
            difference=str(d.difference),
        )


class ReconcileReport(Shape):
    """`dailyseg reconcile --json`: the differences, and the same as findings of the reconciliation's rule."""

    ok: bool = Field(description="every balance agrees with its confirmation")
    differences: list[DifferenceOut]
    findings: list[FindingOut]

    @classmethod
    def of(cls, differences: Sequence[Difference]) -> ReconcileReport:
        return cls(
            ok=not differences,
            differences=[DifferenceOut.of(d) for d in differences],
            findings=[FindingOut.of(d.finding()) for d in differences],
        )


class TermOut(Shape):
    code: str
    sign: str = Field(description='"+" or "-"')
    value: str = Field(description="the term's filed amount")


class CurrencyShare(Shape):
    currency: str
    rows: int = Field(description="rows of the books counted")
    amount: str = Field(description="their sum, in the currency")
    usd: str = Field(description="their sum, in dollars")


class DepositoryShare(Shape):
    depository: str
    name: str
    asset: str
    currency: str
    amount: str = Field(description="the balance, in the currency, with the form's sign")
    usd: str = Field(description="the balance, in dollars")
    counted: bool = Field(description="the balance counts toward the line (a depository without an acknowledgment letter does not)")


class AccountShare(Shape):
    account: str
    currency: str
    amount: str = Field(description="the account's amount, in the currency, with the form's sign")
    usd: str = Field(description="the account's amount, in dollars")


class ExplanationOut(Shape):
    """`dailyseg explain --json` and the compute page's explanation of one line."""

    code: str
    label: str
    rule: str = Field(description="how the line is made: a formula, or the rows of the books it sums")
    value: str | None = Field(description="the line's value on the computed filing")
    exact: str | None = Field(description="the exact sum before rounding (none for a formula or a configured figure)")
    rows: int = Field(description="rows of the books summed")
    by_currency: list[CurrencyShare]
    contributors: list[DepositoryShare | AccountShare] = Field(description="the largest contributors, largest first")
    terms: list[TermOut] = Field(description="for a formula, its terms")

    @classmethod
    def of(cls, explanation: Explanation) -> ExplanationOut:
        from dailyseg.compute.lineage import shown

        def values(row: Mapping[str, Any]) -> dict[str, Any]:
            return {k: shown(v) for k, v in row.items()}

        e = explanation
        return cls(
            code=e.code,
            label=e.label,
            rule=e.rule,
            value=shown(e.value),
            exact=shown(e.exact),
            rows=e.rows,
            by_currency=[CurrencyShare(**values(r)) for r in e.by_currency],
            contributors=[DepositoryShare(**values(r)) if "depository" in r else AccountShare(**values(r)) for r in e.contributors],
            terms=[TermOut(**values(r)) for r in e.terms],
        )


# -- the catalogue --------------------------------------------------------------------------------------------


class LayoutOut(Shape):
    title: str
    description: str


class CatalogueRowOut(Shape):
    statement: str
    section: str
    line: str = Field(description="the printed line number")
    letter: str = Field(description="the printed letter, for lettered lines")
    code: str | None = Field(description="the amount's key: a code, a component key (8715.A), or none for a heading")
    label: str
    kind: str = Field(description='"heading", "input", "component", "subtotal" or "total"')
    sign: str = Field(description='"any", "nonneg" or "nonpos"')
    layouts: list[str] = Field(description="the layouts that print the row")
    verified: bool = Field(description="the code is checked against the published form (false: recalled from the specification)")
    formulas: dict[str, str] = Field(description="by layout, the formula that makes the line")


class FormulaOut(Shape):
    id: str
    target: str
    expr: str
    layouts: list[str]
    severity: str
    citation: str


class CatalogueOut(Shape):
    """`dailyseg catalogue --json`: the form as the catalogue describes it."""

    layouts: dict[str, LayoutOut]
    rows: list[CatalogueRowOut]
    formulas: list[FormulaOut]

    @classmethod
    def of(
        cls, layouts: Mapping[str, Layout], rows: Iterable[tuple[str, Row, list[str], dict[str, str]]], formulas: Iterable[Formula]
    ) -> CatalogueOut:
        return cls(
            layouts={k: LayoutOut(title=v.title, description=v.description) for k, v in layouts.items()},
            rows=[
                CatalogueRowOut(
                    statement=row.statement,
                    section=section_id,
                    line=row.line,
                    letter=row.letter,
                    code=row.ref,
                    label=row.label,
                    kind=row.kind,
                    sign=row.sign,
                    layouts=printed,
                    verified=row.verified,
                    formulas=exprs,
                )
                for section_id, row, printed, exprs in rows
            ],
            formulas=[
                FormulaOut(id=f.id, target=f.target, expr=f.expr, layouts=sorted(f.layouts), severity=f.severity, citation=f.citation)
                for f in formulas
            ],
        )


__all__ = [
    "AccountShare",
    "CatalogueOut",
    "CatalogueRowOut",
    "CftcImportReport",
    "ChartEvent",
    "ChartOut",
    "ChartPart",
    "ChartStatement",
    "CheckedFiling",
    "CliError",
    "CliFailure",
    "ComputeReport",
    "CurrencyShare",
    "DepositoryShare",
    "DiffReport",
    "DifferenceOut",
    "ErrorBody",
    "ErrorDetail",
    "ExplanationOut",
    "FindingOut",
    "FirmOut",
    "FlaggedRow",
    "FormulaOut",
    "HeaderChange",
    "HistoryOut",
    "IngestReport",
    "LayoutOut",
    "LineChangeOut",
    "MonitorReport",
    "MonthEndFigureOut",
    "MonthEndReport",
    "ObservationOut",
    "OutcomeOut",
    "PointOut",
    "ProblemOut",
    "ReconcileReport",
    "RuleOut",
    "Shape",
    "StatementFigures",
    "StoreResult",
    "StoredFiling",
    "TermOut",
    "Validation",
    "VersionOut",
    "dump",
]
