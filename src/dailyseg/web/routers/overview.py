"""The industry at a glance: today's board, totals across firms over time, shares and ranks, the events feed."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from dailyseg.web.security import require_read

router = APIRouter(dependencies=[Depends(require_read)], include_in_schema=False)
