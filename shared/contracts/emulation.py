"""The emulation year's events: movements published and registered in, and the acts a cluster's
member sends from its own service to the organiser's, with the answer (re-exported by events.py)."""

from typing import Any, ClassVar

from pydantic import Field

from shared.contracts.envelope import TOPIC_EMULATION, Event


class MovementPublished(Event):
    """Emitted when the launcher's service changes a movement it runs (launch, review, model
    example, status): the whole movement as it now stands, keyed by its code. Replicas keep the
    highest `version`, so late or repeated snapshots change nothing."""

    type: ClassVar[str] = "movement.published"
    topic: ClassVar[str] = TOPIC_EMULATION
    code: str
    version: int
    launcher_agency: str
    name: str
    theme: str
    kind: str
    scope: str
    starts_on: str
    ends_on: str | None = None
    launch_document: str
    launched_on: str
    status: str
    criteria: list[dict[str, Any]] = Field(default_factory=list)
    reviews: list[dict[str, Any]] = Field(default_factory=list)
    examples: list[dict[str, Any]] = Field(default_factory=list)
    actor: str


class MovementRegistered(Event):
    """Emitted when an agency registers in a movement (đăng ký thi đua) with its pledge."""

    type: ClassVar[str] = "movement.registered"
    topic: ClassVar[str] = TOPIC_EMULATION
    movement_code: str
    agency_code: str
    registered_on: str
    pledged: list[str] = Field(default_factory=list, description="Codes of the criteria the agency commits to")
    items: list[str] = Field(default_factory=list, description="The pledge's own content items")
    actor: str


class ClusterActRequested(Event):
    """Emitted when a member's officer, at the member's own service, signs the pledge of a cluster
    kept at another service or gives a self or peer score there; the organiser's service applies it
    as if given there and answers with `cluster.act_answered`."""

    type: ClassVar[str] = "cluster.act_requested"
    topic: ClassVar[str] = TOPIC_EMULATION
    request_id: str
    cluster_code: str
    year: int
    act: str = Field(description="sign, self or peer")
    agency_code: str = Field(description="The member signing, or the member scored")
    by_agency: str | None = Field(default=None, description="For a peer score: the member scoring")
    points: dict[str, int] = Field(default_factory=dict)
    requested_on: str
    actor: str
    actor_agency: str
    actor_role: str


class ClusterActAnswered(Event):
    """Emitted when the organiser's service has applied or refused a member's request."""

    type: ClassVar[str] = "cluster.act_answered"
    topic: ClassVar[str] = TOPIC_EMULATION
    request_id: str
    cluster_code: str
    requester_agency: str
    outcome: str = Field(description="applied or refused")
    reason: str | None = None
    reason_vi: str | None = None
    actor: str = Field(description="The member's officer who acted")
