"""The audit trail's API models."""

from datetime import datetime
from typing import Any

from pydantic import BaseModel


class AuditOut(BaseModel):
    seq: int
    at: datetime
    agency_code: str
    nomination_id: str | None
    actor: str
    action: str
    reason: str | None
    outcome: str
    details: dict[str, Any]
    prev_hash: str
    hash: str


class ChainOut(BaseModel):
    valid: bool
    records: int
    broken_at_seq: int | None
    head: str


class CheckpointOut(BaseModel):
    origin: str
    size: int
    root: str
    time: str
    public_key: str
    signature: str
    witnesses: list[str]


class AlarmOut(BaseModel):
    origin: str
    size: int
    root: str
    reason: str
    raised_at: datetime
    checkpoint: dict[str, Any]
