"""Who hears about what: checking what a subscription asks for, and which events it covers.

A subscription names a firm (or every firm), the event rules it wants by id (or every event) and one
channel. Only rules that answer "is the firm in trouble?" (`question == "firm"`) make events; a rule of the
other question (a formula that does not foot) is refused here rather than subscribed to in vain. A webhook
needs an http(s) URL, and a secret its bodies are signed with: given by the subscriber (from an environment
variable, never the command line) or made here and shown once.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import timedelta
from email.utils import parseaddr
from urllib.parse import urlsplit

from dailyseg.alerts.events import Event
from dailyseg.checks import REGISTRY
from dailyseg.store.alert_rows import Subscription

DEFAULT_LOOKBACK = timedelta(days=7)


class SubscriptionError(ValueError):
    """What a subscription asks for cannot be done; the message says why."""


def event_rules() -> list[str]:
    return [rule_id for rule_id, r in REGISTRY.items() if r.question == "firm"]


def check_rules(rules: Sequence[str]) -> list[str]:
    """The rule ids, each an event rule of the registry."""
    known = event_rules()
    for rule_id in rules:
        if rule_id not in REGISTRY:
            raise SubscriptionError(f"no rule {rule_id!r}; event rules: {', '.join(known)}")
        if rule_id not in known:
            raise SubscriptionError(f"rule {rule_id!r} finds defects of a filing, not events; event rules: {', '.join(known)}")
    return sorted(set(rules))


def check_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SubscriptionError(f"a webhook needs an http:// or https:// URL with a host, not {url!r}")
    return url


def check_addresses(addresses: Sequence[str]) -> str:
    """The addresses, comma-separated, each a bare address (name@domain)."""
    checked = []
    for address in addresses:
        _, bare = parseaddr(address)
        if not bare or "@" not in bare or bare != address.strip() or "," in bare:
            raise SubscriptionError(f"not an e-mail address: {address!r}")
        checked.append(bare)
    if not checked:
        raise SubscriptionError("an e-mail subscription needs at least one address")
    return ",".join(checked)


def new_secret() -> str:
    """A secret for a webhook whose subscriber gave none: 32 random bytes, URL-safe."""
    return secrets.token_urlsafe(32)


def covers(subscription: Subscription, event: Event) -> bool:
    """Whether the subscription wants to hear about the event."""
    firm_ok = subscription.firm_id is None or subscription.firm_id == event.firm_id
    day_ok = subscription.from_date is None or event.observation.end_date >= subscription.from_date
    return firm_ok and day_ok and (not subscription.rules or event.rule in subscription.rules)
