"""Emulation movements (phong trào thi đua) as the agencies run them, and the units registered in
them. Every service keeps a replica: the launcher's service writes, the others learn by events."""

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel


class LaunchedMovement(SQLModel, table=True):
    """A movement an agency launched; `version` grows with every change its launcher makes, so a
    replica keeps the newest snapshot whatever order the events arrive in."""

    __tablename__ = "movement"

    code: str = Field(primary_key=True)
    launcher_agency: str = Field(index=True)
    name: str
    theme: str
    kind: str
    scope: str
    starts_on: date
    ends_on: date | None = None
    launch_document: str
    launched_on: date
    status: str
    criteria: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    reviews: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    examples: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    version: int = 1
    updated_at: datetime


class MovementRegistration(SQLModel, table=True):
    """An agency registered in a movement (đăng ký thi đua) with its pledge: the criteria it
    commits to and its own content items."""

    __tablename__ = "movement_registration"

    movement_code: str = Field(primary_key=True)
    agency_code: str = Field(primary_key=True)
    registered_on: date
    pledged: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    items: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    actor: str
    recorded_at: datetime
