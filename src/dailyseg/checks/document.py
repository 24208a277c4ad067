"""docs/rules.md, written from the registry so that the documented table cannot drift from the rules.

python -m dailyseg.checks.document > docs/rules.md
"""

from __future__ import annotations

from dailyseg.checks import REGISTRY


def rules_markdown() -> str:
    """docs/rules.md: every rule, written from the registry (a test holds the file to this text)."""

    def cell(text: str) -> str:
        return text.replace("|", "\\|")

    lines = [
        "# Rules",
        "",
        "Every finding dailyseg reports comes from one of these rules (`dailyseg rules`, `GET /api/rules`).",
        "**Question** *firm*: an event, is the firm in trouble? (listed first everywhere); *filing*: a defect, is the",
        "filing right? **Tier** *basic* always runs; *strict* runs with `--strict` (or when named with `--rules`).",
        "Written from the registry by `python -m dailyseg.checks.document > docs/rules.md`.",
        "",
        "| id | question | tier | severity | looks at | shown by | citation | notice | description |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in REGISTRY.values():
        cells = [f"`{r.id}`", r.question, r.tier, r.severity, r.scope, ", ".join(r.surfaces), r.citation, r.notice, r.description]
        lines.append("| " + " | ".join(cell(c) for c in cells) + " |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(rules_markdown(), end="")
