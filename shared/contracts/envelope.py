"""What every event is made of: the topics, the envelope on the wire and the payloads' base.

`shared/contracts/events.py` defines the events and re-exports these; a group of events can live in
its own module (`emulation.py`, `audit.py`) and still be registered in `events.EVENT_TYPES`.
"""

from datetime import datetime
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict

TOPIC_NOMINATIONS = "tdkt.nominations"
TOPIC_AWARDS = "tdkt.awards"
TOPIC_HIERARCHY = "tdkt.hierarchy"
TOPIC_AUDIT = "tdkt.audit"
TOPIC_NOMINEES = "tdkt.nominees"
TOPIC_EMULATION = "tdkt.emulation"
TOPIC_DEAD_LETTER = "tdkt.dead-letter"
ALL_TOPICS = [
    TOPIC_NOMINATIONS,
    TOPIC_AWARDS,
    TOPIC_HIERARCHY,
    TOPIC_AUDIT,
    TOPIC_NOMINEES,
    TOPIC_EMULATION,
    TOPIC_DEAD_LETTER,
]


class Envelope(BaseModel):
    model_config = ConfigDict(extra="forbid")

    event_id: str
    type: str
    schema_version: int = 1
    occurred_at: datetime
    source_agency: str
    nomination_id: str | None = None
    correlation_id: str | None = None
    payload: dict[str, Any]
    # The HTTP request whose transaction produced the event, when one did (X-Request-ID).
    request_id: str | None = None


class Event(BaseModel):
    """Base of every event payload."""

    model_config = ConfigDict(extra="forbid")
    type: ClassVar[str]
    topic: ClassVar[str] = TOPIC_NOMINATIONS
