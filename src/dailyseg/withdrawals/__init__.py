"""Residual-interest withdrawals: the ledger of the firm's own funds taken out of each class, and its rules
(docs/withdrawals.md)."""
