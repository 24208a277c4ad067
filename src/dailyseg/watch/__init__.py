"""Watching firms through the store: monitoring, firm status, publication, CFTC tables and month-end checks.

The store only stores; everything here reads it through the `Store` API.
"""
