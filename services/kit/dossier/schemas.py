"""The dossier's API models."""

from datetime import datetime

from pydantic import BaseModel, Field


class DocumentIn(BaseModel):
    kind: str = Field(min_length=1, max_length=64, examples=["to_trinh"])
    filename: str = Field(min_length=1, max_length=255)
    content_type: str = Field(examples=["application/pdf"])
    content_base64: str = Field(description="The file, base64-encoded")
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$", description="Hex SHA-256 of the file")


class DocumentOut(BaseModel):
    id: str
    kind: str
    filename: str
    content_type: str
    size: int
    sha256: str
    uploaded_at: datetime


class LevelDocumentOut(BaseModel):
    id: str
    nomination_id: str
    agency_code: str
    kind: str
    filename: str
    content_type: str
    size: int
    sha256: str
    uploaded_at: datetime
    uploaded_by: str
