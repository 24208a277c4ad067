"""Every table as CSV (and XLSX where a spreadsheet user wants it), a firm's history, charts as PNG and SVG."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from dailyseg.web.security import require_read

router = APIRouter(dependencies=[Depends(require_read)])
