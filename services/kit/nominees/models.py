"""Nominees and their histories: who manages a nominee, and the facts of its history, keyed by
nominee, never by agency."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel


class Nominee(SQLModel, table=True):
    """A person, household or collective an agency manages and may propose (its staff, a team).

    Every service holds every registration (by events), so that each knows who may record facts of
    a nominee's history. A body of the registry (an agency code) needs no registration: it is
    managed by itself and the agencies above it.
    """

    __tablename__ = "nominee"

    id: str = Field(primary_key=True)
    kind: str
    name: str
    # `name` folded (no diacritics, lower case): found by "nguyen thi lan" and "Nguyễn Thị Lan".
    search_name: str = Field(index=True)
    managing_agency: str = Field(index=True)
    registered_by: str
    registered_at: datetime
    # What statistics need about an individual (shared/rules/data/people.yaml), optional: the
    # person's current position category, sex, ethnicity (GSO code). A draft takes them as defaults.
    position_category: str | None = None
    sex: str | None = None
    ethnicity: str | None = None
    # When the managing agency last erased the erasable personal data (services/kit/erasure): profile
    # values told before it are not learnt again.
    personal_erased_at: datetime | None = None


class NomineeFact(SQLModel, table=True):
    """One fact of a nominee's history (rating, award, initiative, discipline, hold, …).

    History belongs to the person or organisation (``nominee_id``), never to an agency code, so it
    survives reorganizations. The owning service records facts; others receive them by events.
    ``fact_key`` (a hash of nominee and fact) makes recording and redelivery idempotent. A fact
    recorded in error is retracted, not deleted: it stays, with who retracted it and why.
    """

    __tablename__ = "nominee_fact"

    id: int | None = Field(default=None, primary_key=True)
    fact_key: str = Field(unique=True)
    nominee_id: str = Field(index=True)
    kind: str
    fact: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    source_agency: str
    recorded_by: str
    recorded_at: datetime
    # "recorded" by the managing agency, or "decision" (a conferral, a revocation) learnt by event.
    origin: str = "recorded"
    retracted_at: datetime | None = None
    retracted_by: str | None = None
    retraction_reason: str | None = None
