"""The JSON API. Reading is open unless the server was given a read token; writing needs the write token."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Request, UploadFile

from dailyseg.web.documents import examine, receive
from dailyseg.web.schemas import ERRORS, Validation, validation_out
from dailyseg.web.security import require_read, settings_of

router = APIRouter(prefix="/api", responses=ERRORS, dependencies=[Depends(require_read)])


@router.post("/validate", response_model=Validation, tags=["validation"])
async def validate_document(
    request: Request, file: Annotated[UploadFile, File(description="a filing in any format dailyseg reads")]
) -> dict[str, Any]:
    """Read and check an uploaded document without storing it: its filings, their findings, and read problems."""
    limit = settings_of(request).max_upload_bytes
    name, content = await receive(file, limit)
    return validation_out(examine(name, content, limit))
