"""The dossier: documents each level adds, the intake check against the catalog, tamper detection."""

import hashlib
import uuid
from datetime import UTC, datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from shared.models import LevelDocument


async def store_level_document(
    session: AsyncSession, *, nomination_id: str, agency_code: str, kind: str, filename: str,
    content_type: str, content: bytes, uploaded_by: str,
) -> LevelDocument:
    """Store a document a level adds to a nomination's dossier (e.g. its council's minutes)."""
    document = LevelDocument(
        id=str(uuid.uuid4()), nomination_id=nomination_id, agency_code=agency_code, kind=kind,
        filename=filename, content_type=content_type, size=len(content),
        sha256=hashlib.sha256(content).hexdigest(), content=content, uploaded_at=datetime.now(UTC),
        uploaded_by=uploaded_by,
    )
    session.add(document)
    return document


from fastapi import APIRouter  # noqa: E402

router = APIRouter()
