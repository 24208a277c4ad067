"""Reader of the cover page: contact fields and the three residual interest targets.

The cover page has no codes. Its text is matched against the labels the catalogue declares: a field's value
runs to the next label, and a target is the first of its four options (a-d) that holds a non-zero amount.
"""

from __future__ import annotations

import re

from dailyseg.catalogue import CATALOGUE
from dailyseg.filing import CoverPage, Target, TargetKindId
from dailyseg.money import AmountError, parse_amount
from dailyseg.problems import Problem

_NUMBER = re.compile(r"(?<![\w.])\(?-?\$?\d[\d,]*(?:\.\d+)?\)?(?=\s|%|$)")
_OPTION = re.compile(r"(?:(?<=\s)|^)([a-d])\.\s")


def _loose(label: str) -> str:
    """A pattern for a label that tolerates the spacing and punctuation PDF text extraction mangles."""
    words = re.findall(r"[A-Za-z0-9']+", label)
    return r"[\s\W]*".join(re.escape(w) for w in words)


def _bounded(text: str, labels: dict[str, str]) -> dict[str, tuple[int, int]]:
    """Where each label's text starts and ends: from the label to the next label found."""
    found: list[tuple[int, int, str]] = []
    for name, label in labels.items():
        match = re.search(_loose(label), text, re.IGNORECASE)
        if match:
            found.append((match.start(), match.end(), name))
    found.sort()
    spans = {}
    for index, (_, end, name) in enumerate(found):
        stop = found[index + 1][0] if index + 1 < len(found) else len(text)
        spans[name] = (end, stop)
    return spans


def _target(text: str, source: str, line: int, statement: str) -> tuple[Target | None, list[Problem]]:
    problems: list[Problem] = []
    kinds = {k.letter: k for k in CATALOGUE.cover.target_kinds}
    options = list(_OPTION.finditer(text))
    for index, option in enumerate(options):
        kind = kinds[option.group(1)]
        end = options[index + 1].start() if index + 1 < len(options) else len(text)
        body = text[option.end() : end]
        body = re.sub(_loose(kind.label), " ", body, count=1, flags=re.IGNORECASE)
        numbers = []
        for raw in _NUMBER.findall(body):
            try:
                numbers.append(parse_amount(raw))
            except AmountError as error:
                problems.append(Problem(source, line, f"cannot read a {statement} residual interest target: {error}", found=raw))
        if not any(numbers):
            continue
        if len(numbers) < kind.bounds:
            problems.append(
                Problem(
                    source,
                    line,
                    f"the {statement} target '{kind.label}' needs {kind.bounds} amounts",
                    expected=f"{kind.bounds} amounts",
                    found=" ".join(map(str, numbers)),
                )
            )
            continue
        kind_id: TargetKindId = kind.id  # type: ignore[assignment]
        high = numbers[1] if kind.bounds == 2 else None
        return Target(kind_id, numbers[0], high), problems
    return None, problems


def parse_cover(text: str, source: str, line: int) -> tuple[CoverPage, list[Problem]]:
    spec = CATALOGUE.cover
    labels = {f.id: f.label for f in spec.fields} | {f"target:{k}": v for k, v in spec.target_labels.items()}
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
