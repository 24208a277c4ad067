"""People on the web: sign-in and sign-out, the admin page, the daily close and the audit log."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
