"""Reader of the cover page: contact fields and the three residual interest targets.

The cover page has no codes. Its text is matched against the labels the catalogue declares: a field's value
runs to the next label, and a class's target (segregation, secured, swaps) is the one option of its four
(a-d) that holds a non-zero amount.

A target is read only when it can be read for certain, since a wrong target silently moves every check
made against it. So an amount mangled by extraction (`12,000, ,000,000`), an option with the wrong number
of amounts, a negative amount, a range whose high bound is below its low bound, two chosen options or a
repeated option gives a `Problem` naming the class and the text found, and no target. A class whose options
all print 0 simply has no target and no problem: that is how the form, and `dailyseg.render`'s text, print a
class for which no target is stated.

PDF extraction mangles the labels, so they are matched by their words alone (`FCM's`, `FCM’s` and
`FCM s` alike), an option letter need not be followed by a space (`a.Minimum`), and an option is found by
the head of its label (the words before its first blank, `:`), because its amounts may be printed inside
the label's blanks (`a. Minimum dollar amount: 12,000,000; or`) or after it.

Every pattern here is anchored on literal words or applied to one whitespace-separated token at a time,
so reading is linear in the length of the text whatever the text holds.
"""

from __future__ import annotations

import re
from decimal import Decimal

from dailyseg.catalogue import CATALOGUE, TargetKind
from dailyseg.filing import CoverPage, Target, TargetKindId
from dailyseg.money import AmountError, parse_amount
from dailyseg.problems import Problem

# Labels filings print besides the catalogue's own (form-spec 1.2: the e-mail is also "Contact Address").
_FIELD_ALIASES: dict[str, tuple[str, ...]] = {"contact_email": ("Contact Address",)}
# One amount as the form prints it: no leading zeros, commas only between groups of three. A token that
# holds a digit and is not this is an amount mangled by extraction ("12,000,", ",000,000").
_AMOUNT = re.compile(r"\(?-?\$?(?:0|[1-9][0-9]{0,2}(?:,[0-9]{3})+|[1-9][0-9]*)(?:\.[0-9]+)?\)?")
# Punctuation of the label's blanks that sticks to an amount: "12,000,000;" and "10%." (never a comma).
_LEAD, _TRAIL = ":;", ":;%."
_FOUND_CHARS = 60


def _loose(label: str) -> str:
    """A pattern for a label's words, whatever spacing and punctuation (apostrophes too) extraction leaves."""
    words = re.findall(r"[A-Za-z0-9]+", label)
    return r"\W*".join(re.escape(w) for w in words)


def _head(kind: TargetKind) -> str:
    """The words of an option's label before its first blank, where its amounts may be printed."""
    return kind.label.split(":", 1)[0]


_KINDS = {k.letter: k for k in CATALOGUE.cover.target_kinds}
_OPTION = re.compile(
    r"(?<![A-Za-z0-9])(?:" + "|".join(rf"(?P<{k.letter}>{k.letter}\.\s*{_loose(_head(k))})" for k in _KINDS.values()) + ")",
    re.IGNORECASE,
)


def _bounded(text: str, labels: dict[str, tuple[str, ...]]) -> dict[str, tuple[int, int]]:
    """Where each label's text starts and ends: from the label (its first spelling found) to the next label."""
    found: list[tuple[int, int, str]] = []
    for name, spellings in labels.items():
        matches = [m for m in (re.search(_loose(s), text, re.IGNORECASE) for s in spellings) if m]
        if matches:
            first = min(matches, key=lambda m: m.start())
            found.append((first.start(), first.end(), name))
    found.sort()
    spans = {}
    for index, (_, end, name) in enumerate(found):
        stop = found[index + 1][0] if index + 1 < len(found) else len(text)
        spans[name] = (end, stop)
    return spans


def _amounts(body: str) -> tuple[list[Decimal], list[str]]:
    """The amounts of an option's text and the tokens that hold digits but are no amount.

    Words are skipped: the rest of the label ("; or", "and") and what follows the last option ("Attach
    supporting documents").
    """
    amounts: list[Decimal] = []
    unreadable: list[str] = []
    for token in body.split():
        raw = token.lstrip(_LEAD).rstrip(_TRAIL)
        if not any(c.isdigit() for c in raw):
            continue
        if _AMOUNT.fullmatch(raw) is None:
            unreadable.append(token)
            continue
        try:
            amounts.append(parse_amount(raw))
        except AmountError:  # fifteen digits or more, more than two decimals
            unreadable.append(token)
    return amounts, unreadable


def _found(parts: list[str]) -> str:
    text = " ".join(parts)
    return text if len(text) <= _FOUND_CHARS else text[: _FOUND_CHARS - 3] + "..."


def _target(text: str, source: str, line: int, statement: str) -> tuple[Target | None, list[Problem]]:
    """The one option of a class that states its target, or no target and the problems that stop it."""
    problems: list[Problem] = []

    def problem(message: str, found: str, expected: str = "") -> None:
        problems.append(Problem(source, line, f"the {statement} residual interest target {message}", expected=expected, found=found))

    options = list(_OPTION.finditer(text))
    # Amounts before the first option belong to no option: an option label extraction garbled past finding.
    before, unreadable = _amounts(text[: options[0].start()] if options else text)
    stray = unreadable + [format(a, "f") for a in before if a]
    if stray:
        problem("has amounts outside its options (a-d)", _found(stray), expected="amounts after an option's label")
    chosen: list[tuple[TargetKind, list[Decimal], str]] = []
    seen: set[str] = set()
    for index, option in enumerate(options):
        letter = (option.lastgroup or "").lower()
        kind = _KINDS[letter]
        end = options[index + 1].start() if index + 1 < len(options) else len(text)
        body = text[option.end() : end]
        if letter in seen:
            problem(f"prints option {letter}. twice", _found([option.group(0), body.strip()]))
            continue
        seen.add(letter)
        amounts, unreadable = _amounts(body)
        if unreadable:
            problem(f"option {letter}. has an amount that cannot be read", _found(unreadable), expected="amounts such as 12,000,000")
            continue
        if not any(amounts):
            continue  # an option not chosen prints 0 (or nothing)
        shown = _found([format(a, "f") for a in amounts])
        if len(amounts) != kind.bounds:
            problem(f"option {letter}. '{kind.label}' needs {kind.bounds} amounts", shown, expected=f"{kind.bounds} amounts")
        elif kind.bounds == 2 and amounts[1] < amounts[0]:
            problem(f"option {letter}. has its high bound below its low bound", shown, expected="low <= high")
        elif any(a < 0 for a in amounts):
            problem(f"option {letter}. is negative", shown, expected="amounts of zero or more")
        else:
            chosen.append((kind, amounts, shown))
    if problems:
        return None, problems
    if len(chosen) > 1:
        problem("has more than one option chosen", "; ".join(f"{k.letter}. {s}" for k, _, s in chosen), expected="one option (choose one)")
        return None, problems
    if not chosen:
        return None, problems
    kind, amounts, _ = chosen[0]
    kind_id: TargetKindId = kind.id  # type: ignore[assignment]
    return Target(kind_id, amounts[0], amounts[1] if kind.bounds == 2 else None), problems


def parse_cover(text: str, source: str, line: int) -> tuple[CoverPage, list[Problem]]:
    """The cover page from its text (all its lines joined); problems are reported at its heading's `line`."""
    spec = CATALOGUE.cover
    labels = {f.id: (f.label, *_FIELD_ALIASES.get(f.id, ())) for f in spec.fields}
    labels |= {f"target:{k}": (v,) for k, v in spec.target_labels.items()}
    spans = _bounded(text, labels)
    values: dict[str, str] = {}
    targets: list[tuple[str, Target]] = []
    problems: list[Problem] = []
    for name, (start, stop) in spans.items():
        body = text[start:stop]
        if name.startswith("target:"):
            statement = name.split(":", 1)[1]
            target, found = _target(body, source, line, statement)
            problems.extend(found)
            if target is not None:
                targets.append((statement, target))
        else:
            values[name] = body.strip(" \t:")
    order = list(spec.target_labels)
    targets.sort(key=lambda pair: order.index(pair[0]))
    cover = CoverPage(
        company=values.get("company", ""),
        contact_name=values.get("contact_name", ""),
        contact_phone=values.get("contact_phone", ""),
        contact_email=values.get("contact_email", ""),
        targets=tuple(targets),
    )
    return cover, problems
