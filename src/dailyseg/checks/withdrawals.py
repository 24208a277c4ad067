"""The rules over a withdrawal of residual interest (the firm's own funds in segregation) as it is recorded.

* withdrawal-gate  a withdrawal not to or for customers before the prior business day's computation of that class
                   is complete (17 CFR 1.23(b), 30.7(g)(2), 22.17(b)): refused.
* withdrawal-25    a withdrawal not for customers that, alone or with the earlier ones of its series (the same firm,
                   class and prior-day computation), EXCEEDS 25% of that computation's residual interest (excess):
                   it needs written pre-approval and a notice (17 CFR 1.23(d), 30.7(g)(3)-(5), 22.17(c)).

Declared here with the other rules; dailyseg.withdrawals.rules decides and stamps their findings.
"""

from __future__ import annotations

from dailyseg.checks.registry import Rule

GATE = Rule(
    "withdrawal-gate",
    question="firm",
    tier="basic",
    severity="error",
    scope="withdrawal",
    citation="17 CFR 1.23(b); 30.7(g)(2); 22.17(b)",
    citations={"segregation": "17 CFR 1.23(b)", "secured": "17 CFR 30.7(g)(2)", "swaps": "17 CFR 22.17(b)"},
    description="A withdrawal of residual interest not to or for customers before the prior business day's computation of "
    "that class is complete (an approved or filed close, or a stored filing, of that End Date): refused.",
    notice="no withdrawal other than to or for customers until the prior business day's computation is complete",
)
OVER_25 = Rule(
    "withdrawal-25",
    question="firm",
    tier="basic",
    severity="warning",
    scope="withdrawal",
    citation="17 CFR 1.23(d); 30.7(g)(3)-(5); 22.17(c)",
    citations={"segregation": "17 CFR 1.23(d)", "secured": "17 CFR 30.7(g)(3)-(5)", "swaps": "17 CFR 22.17(c)"},
    description="A withdrawal not for customers that, alone or with the earlier ones measured against the same prior-day "
    "computation, exceeds 25% of that day's residual interest (excess); after it, every further one until the next "
    "computation.",
    notice="written pre-approval by the CEO, CFO or a listed principal before it is made, and immediate written notice to the "
    "CFTC and the DSRO (reasons, recipients, amounts, estimated residual interest after it, a statement of compliance)",
)

RULES = (GATE, OVER_25)
