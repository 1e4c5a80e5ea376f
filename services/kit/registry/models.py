"""The agency registry replica every service keeps: versioned rows, keyed by code."""

from datetime import date

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel


class Agency(SQLModel, table=True):
    """One version of an agency in the hierarchy registry. Codes are keys; names never are."""

    __tablename__ = "agency"
    __table_args__ = (UniqueConstraint("code", "valid_from"),)

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(index=True)
    name: str
    tier: str = Field(index=True)
    kind: str
    parent_code: str | None = Field(default=None, index=True)
    valid_from: date
    valid_to: date | None = None
    successors: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    legal_basis: str | None = None
    # Grassroots units: the commune their office is in (a geographic hint for reorganizations).
    location_code: str | None = None
    # The name folded for search without diacritics (`shared.text.fold`), kept with each version.
    search_name: str | None = Field(default=None, index=True)
