"""Alerts: the monitor's events delivered to the people who subscribed to them, by webhook or e-mail.

One module per job: `events` (an event's stable identity and the body sent about it), `deadman` (the filing,
or the firm's own daily close, not there by its due time), `stale` (a depository balance unconfirmed for N
business days), `subscriptions` (who hears about what), `webhook` and `mail` (one
attempt over one channel), `backoff` (when to try again) and `deliver` (queueing each new event once per
subscription and working the queue). The rows live in the store (`dailyseg.store.alert_rows`); docs/alerts.md
describes the whole.
"""
