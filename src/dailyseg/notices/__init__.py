"""Notices as documents: the written notice each event requires, drafted from the rules' findings, kept with its
filing or withdrawal, rendered to text, HTML and PDF, and marked sent only when a person says so (docs/notices.md)."""
