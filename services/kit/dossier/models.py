"""Documents: the proposer's, and those each reviewing level adds."""

from datetime import datetime

from sqlalchemy import Column, LargeBinary
from sqlmodel import Field, SQLModel


class Document(SQLModel, table=True):
    __tablename__ = "document"

    id: str = Field(primary_key=True)
    nomination_id: str = Field(index=True, foreign_key="nomination.id")
    kind: str
    filename: str
    content_type: str
    size: int
    sha256: str
    # Kept only for rows uploaded before the object store (shared/platform/blobs.py): the bytes
    # now live there, by SHA-256, and this stays NULL (migration 0015).
    content: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    uploaded_at: datetime


class LevelDocument(SQLModel, table=True):
    """A document a reviewing level adds to a dossier (its tờ trình, its council's minutes).

    Unlike `Document` (the proposer's dossier, tied to its own Nomination row), the nomination
    need not exist in this service's database: only reviews of it do.
    """

    __tablename__ = "level_document"

    id: str = Field(primary_key=True)
    nomination_id: str = Field(index=True)
    agency_code: str = Field(index=True)
    kind: str
    filename: str
    content_type: str
    size: int
    sha256: str
    content: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))  # as Document's
    uploaded_at: datetime
    uploaded_by: str
