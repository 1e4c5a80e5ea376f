"""Emulation clusters and blocs (cụm, khối thi đua) as their organiser keeps them: members and
leaders with dated terms, and each year's pledge, criteria, scores, ranking and proposals."""

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel


class Cluster(SQLModel, table=True):
    __tablename__ = "cluster"

    code: str = Field(primary_key=True)
    organiser_agency: str = Field(index=True)
    name: str
    kind: str  # cum | khoi
    formed_on: date
    # What each rank is proposed for, e.g. {"1": "CO_THI_DUA_TINH", "2": "BANG_KHEN_TINH"}.
    awards_by_rank: dict[str, str] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    tie_rule: str = "peer_then_self"
    closed_on: date | None = None
    closed_note: str | None = None
    successors: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    created_at: datetime


class ClusterMember(SQLModel, table=True):
    __tablename__ = "cluster_member"

    id: int | None = Field(default=None, primary_key=True)
    cluster_code: str = Field(index=True)
    agency_code: str
    starts_on: date
    ends_on: date | None = None  # the last day, inclusive


class ClusterLead(SQLModel, table=True):
    """A leader (trưởng) or deputy (phó) for a term, elected or rotated at the annual review."""

    __tablename__ = "cluster_lead"

    id: int | None = Field(default=None, primary_key=True)
    cluster_code: str = Field(index=True)
    agency_code: str
    role: str  # truong | pho
    starts_on: date
    ends_on: date


class ClusterYear(SQLModel, table=True):
    """One year of a cluster: the pledge (giao ước) and who signed it, the criteria and their
    maximum points, the scores (self, peer, final), the ranking and the proposals it made."""

    __tablename__ = "cluster_year"

    cluster_code: str = Field(primary_key=True)
    year: int = Field(primary_key=True)
    pledge_items: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    criteria: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    signed: dict[str, str] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    scores: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    ranking: list[dict[str, Any]] | None = Field(default=None, sa_column=Column(JSON))
    proposals: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    ranked_on: date | None = None


class ClusterRequest(SQLModel, table=True):
    """A member's signature or score sent from its own service to the cluster's organiser's service,
    and the organiser's answer (applied, or refused with why)."""

    __tablename__ = "cluster_request"

    id: str = Field(primary_key=True)
    cluster_code: str
    year: int
    act: str  # sign | self | peer
    agency_code: str
    by_agency: str | None = None
    points: dict[str, int] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    requester_agency: str = Field(index=True)
    actor: str
    requested_at: datetime
    status: str = "sent"  # sent | applied | refused
    reason: str | None = None
    reason_vi: str | None = None
