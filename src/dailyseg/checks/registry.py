"""Findings, rules and the one registry that holds them.

A rule declares, once, its id, the question it answers, its tier, severity, citation, description and what it
looks at (its scope). Its check yields `Hit`s (what was found, where); the rule stamps each hit into a
`Finding` with those declared facts, so no finding retypes an id, a severity or a citation, and no two
surfaces can rate the same condition differently.

Two questions are kept apart:

* ``filing``: is the filing right? Formulas, signs, header, completeness. Errors and warnings.
* ``firm``: is the firm in trouble? Regulatory events (a deficiency, a shortfall against the target, a fall
  in residual interest, a late or missing filing, an amendment). An event is not a defect of the filing and
  is always listed before defects (`Registry.ordered`).

Tiers, in the spirit of hledger's ``check``: ``basic`` rules always run; ``strict`` rules (soft cross-checks
and heuristics) run when asked for, by tier or by id.

The registry is built once from the rule modules' `RULES` tuples (`dailyseg.checks.REGISTRY`) and cannot
be changed afterwards.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from types import MappingProxyType
from typing import TYPE_CHECKING, Literal, get_args

from dailyseg.catalogue import Severity

if TYPE_CHECKING:
    from dailyseg.filing import Filing

Question = Literal["firm", "filing"]
Tier = Literal["basic", "strict"]
# What a rule looks at: a document being read; one filing; a computation from books (its totals); a reconciliation against
# depository confirmations; a firm's filings over time (the monitor); a withdrawal of residual interest being recorded;
# the stored reconciliations over business days (the monitor); the firm's own daily closes against the clock.
Scope = Literal["read", "filing", "computation", "reconciliation", "history", "withdrawal", "confirmations", "close"]

QUESTIONS: tuple[Question, ...] = get_args(Question)
TIERS: tuple[Tier, ...] = get_args(Tier)
SEVERITIES: tuple[Severity, ...] = ("error", "warning", "notice")
SEVERITY_ORDER: Mapping[str, int] = MappingProxyType({s: i for i, s in enumerate(SEVERITIES)})

# Where the findings of each scope are shown: the documentation's table and `dailyseg rules` read this.
SURFACES: Mapping[Scope, tuple[str, ...]] = MappingProxyType(
    {
        "read": ("validate", "show", "convert", "ingest", "upload", "API"),
        "filing": ("validate", "show", "compute", "monitor", "firms", "upload", "filing page", "API"),
        "computation": ("compute", "compute page", "API"),
        "reconciliation": ("reconcile",),
        "history": ("monitor", "firms", "firms page", "firm page", "API"),
        "withdrawal": ("withdrawal record", "withdrawal list", "notice"),
        "confirmations": ("monitor", "watch", "alerts"),
        "close": ("monitor --notify", "watch", "alerts"),
    }
)


@dataclass(frozen=True)
class Context:
    """What a validation is told beyond the filing itself.

    `tolerance` is the largest difference, in dollars, that still counts as equal (default: exact to the
    dollar). `undermargined` holds, by statement, the undermargined total the residual interest must cover
    (17 CFR 1.22), when the caller knows it.
    """

    tolerance: Decimal = Decimal(0)
    undermargined: Mapping[str, Decimal] = field(default_factory=dict)


@dataclass(frozen=True)
class Hit:
    """What a check found, before its rule stamps it: where (statement, codes), what, and the figures.

    `since` is the first End Date of an unbroken run of the same condition, when the check watches a firm
    over time (a deficiency since 2024-12-26). `citation` is set only when the catalogue cites the very line
    or formula concerned (a formula's own citation); otherwise the rule's citation applies.
    """

    message: str
    statement: str | None = None
    codes: tuple[str, ...] = ()
    expected: Decimal | str | None = None
    actual: Decimal | str | None = None
    difference: Decimal | None = None
    since: date | None = None
    citation: str = ""


@dataclass(frozen=True)
class Finding:
    """A hit stamped by its rule: made only by `Rule.stamp`, so its declared facts cannot drift."""

    rule: str
    question: Question
    severity: Severity
    statement: str | None
    codes: tuple[str, ...]
    message: str
    expected: Decimal | str | None
    actual: Decimal | str | None
    difference: Decimal | None
    citation: str
    notice: str
    since: date | None

    @property
    def is_event(self) -> bool:
        return self.question == "firm"


FilingCheck = Callable[["Filing", Context], Iterable[Hit]]
# What a validation is told when the caller says nothing: made once, as a `Context` is never changed.
_NO_CONTEXT = Context()


@dataclass(frozen=True)
class Rule:
    """One rule, declared once. `check` is set for rules over one filing; the others are run by their
    scope's code (computation, reconciliation, the monitor), which hands its hits to `stamp`.

    `citations` gives a statement-specific citation where the law differs by class (the 25% rule is 1.23(d),
    30.7(g) or 22.17(c)); `citation` is the rule's citation otherwise. `notice` says what a firm must do when
    the event happens (empty for defects).
    """

    id: str
    question: Question
    tier: Tier
    severity: Severity
    scope: Scope
    citation: str
    description: str
    notice: str = ""
    citations: Mapping[str, str] = field(default_factory=dict)
    check: FilingCheck | None = None

    @property
    def surfaces(self) -> tuple[str, ...]:
        return SURFACES[self.scope]

    def citation_for(self, statement: str | None) -> str:
        return self.citations.get(statement or "", self.citation)

    def stamp(self, hit: Hit) -> Finding:
        return Finding(
            rule=self.id,
            question=self.question,
            severity=self.severity,
            statement=hit.statement,
            codes=hit.codes,
            message=hit.message,
            expected=hit.expected,
            actual=hit.actual,
            difference=hit.difference,
            citation=hit.citation or self.citation_for(hit.statement),
            notice=self.notice,
            since=hit.since,
        )

    def stamp_all(self, hits: Iterable[Hit]) -> Iterator[Finding]:
        return map(self.stamp, hits)

    def run(self, filing: Filing, context: Context) -> Iterator[Finding]:
        if self.check is None:
            raise TypeError(f"rule {self.id} looks at a {self.scope}, not at one filing")
        return self.stamp_all(self.check(filing, context))


def rule(
    rule_id: str,
    *,
    question: Question,
    severity: Severity,
    citation: str,
    description: str,
    tier: Tier = "basic",
    notice: str = "",
    citations: Mapping[str, str] | None = None,
) -> Callable[[FilingCheck], Rule]:
    """Declare a rule over one filing; the decorated check becomes the rule (registering nothing)."""

    def declare(check: FilingCheck) -> Rule:
        return Rule(rule_id, question, tier, severity, "filing", citation, description, notice, dict(citations or {}), check)

    return declare


class UnknownRuleError(ValueError):
    pass


@dataclass(frozen=True)
class Selection:
    """Which rules to run, as every command and endpoint that validates takes it: the rules named by id
    (whatever their tier), else every rule of the tier and below."""

    ids: tuple[str, ...] | None = None
    tier: Tier = "basic"

    @classmethod
    def of(cls, names: Iterable[str], *, strict: bool = False) -> Selection:
        """From `--rules a,b --rules c` style text (comma-separated, repeatable) and `--strict`."""
        ids = tuple(name.strip() for item in names for name in item.split(",") if name.strip())
        return cls(ids or None, "strict" if strict else "basic")


class Registry(Mapping[str, Rule]):
    """Every rule by id, in declaration order; immutable once built."""

    def __init__(self, rules: Iterable[Rule]) -> None:
        held: dict[str, Rule] = {}
        for r in rules:
            if r.id in held:
                raise ValueError(f"rule {r.id} declared twice")
            held[r.id] = r
        self._rules = MappingProxyType(held)
        self._position = MappingProxyType({rule_id: i for i, rule_id in enumerate(held)})
        # The rules of each tier and scope, chosen once: `validate` asks for the same ones for every filing.
        self._by_tier: dict[tuple[Tier, Scope | None], tuple[Rule, ...]] = {}

    def __getitem__(self, rule_id: str) -> Rule:
        return self._rules[rule_id]

    def __iter__(self) -> Iterator[str]:
        return iter(self._rules)

    def __len__(self) -> int:
        return len(self._rules)

    def rank(self, finding: Finding) -> tuple[int, int, int]:
        """Events before defects, then by severity, then in the registry's order of rules."""
        return (QUESTIONS.index(finding.question), SEVERITY_ORDER[finding.severity], self._position[finding.rule])

    def ordered(self, findings: Iterable[Finding]) -> list[Finding]:
        """Findings as every surface lists them: events first, worst first, then by statement and codes."""
        return sorted(findings, key=lambda f: (*self.rank(f), f.statement or "", f.codes, f.message))

    def chosen(self, selection: Selection, scope: Scope | None = None) -> list[Rule]:
        """The rules a selection runs (of one scope, when given); an unknown id is refused."""
        return self.select(selection.ids, tier=selection.tier, scope=scope)

    def select(self, ids: Iterable[str] | None = None, *, tier: Tier = "basic", scope: Scope | None = None) -> list[Rule]:
        """The rules to run: those named (whatever their tier), else every rule of `tier` or below, of `scope`.

        A name that is not registered is refused, with the known ids.
        """
        if ids is not None:
            chosen = []
            for rule_id in ids:
                if rule_id not in self._rules:
                    raise UnknownRuleError(f"no rule {rule_id!r}; known rules: {', '.join(sorted(self._rules))}")
                chosen.append(self._rules[rule_id])
            return [r for r in chosen if scope is None or r.scope == scope]
        return list(self._of_tier(tier, scope))

    def _of_tier(self, tier: Tier, scope: Scope | None) -> tuple[Rule, ...]:
        chosen = self._by_tier.get((tier, scope))
        if chosen is None:
            allowed = TIERS[: TIERS.index(tier) + 1]
            chosen = self._by_tier[(tier, scope)] = tuple(
                r for r in self._rules.values() if r.tier in allowed and (scope is None or r.scope == scope)
            )
        return chosen

    def validate(
        self, filing: Filing, rules: Iterable[str] | None = None, context: Context | None = None, *, tier: Tier = "basic"
    ) -> list[Finding]:
        """Run the chosen rules over one filing; findings in the order every surface shows them."""
        context = context or _NO_CONTEXT
        chosen = self._of_tier(tier, "filing") if rules is None else self.select(rules, tier=tier, scope="filing")
        findings: list[Finding] = []
        for r in chosen:
            findings.extend(r.run(filing, context))
        return self.ordered(findings)
