"""Append-only, hash-chained audit log, one chain per service database.

Each record's hash covers its content and the previous record's hash, so altering or deleting
any record breaks every later link; `verify_chain` recomputes the chain from the start.
"""

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, Column, func, text
from sqlmodel import Field, SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from shared.platform.personal import commit_personal


class AuditRecord(SQLModel, table=True):
    """Append-only, hash-chained: who did what, when, where, why, and with what outcome."""

    __tablename__ = "audit_record"

    seq: int | None = Field(default=None, primary_key=True)
    idempotency_key: str = Field(unique=True)
    at: datetime
    agency_code: str = Field(index=True)
    nomination_id: str | None = Field(default=None, index=True)
    actor: str
    action: str
    reason: str | None = None
    outcome: str
    details: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    prev_hash: str
    hash: str = Field(unique=True)


GENESIS = "0" * 64
# Any fixed 64-bit number: the key of the PostgreSQL advisory lock that serialises appends.
APPEND_LOCK = 0x7464_6B74_6175_6474


def _utc_naive(at: datetime) -> datetime:
    """SQLite returns naive datetimes, PostgreSQL aware ones: hash one canonical form."""
    return at.astimezone(UTC).replace(tzinfo=None) if at.tzinfo else at


def record_body(record: AuditRecord) -> dict[str, Any]:
    """What a record's hash covers, as plain JSON values (an evidence bundle carries exactly this)."""
    return {
        "seq": record.seq,
        "idempotency_key": record.idempotency_key,
        "at": _utc_naive(record.at).isoformat(),
        "agency_code": record.agency_code,
        "nomination_id": record.nomination_id,
        "actor": record.actor,
        "action": record.action,
        "reason": record.reason,
        "outcome": record.outcome,
        "details": record.details,
        "prev_hash": record.prev_hash,
    }


def body_hash(body: dict[str, Any]) -> str:
    canonical = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def record_hash(record: AuditRecord) -> str:
    return body_hash(record_body(record))


async def append_audit(
    session: AsyncSession,
    *,
    idempotency_key: str,
    at: datetime,
    agency_code: str,
    actor: str,
    action: str,
    outcome: str,
    nomination_id: str | None = None,
    reason: str | None = None,
    details: dict[str, Any] | None = None,
    personal: dict[str, Any] | None = None,
    subject: str | None = None,
) -> AuditRecord:
    """Add the next link of the chain. `personal` values (about `subject`, which erasure names)
    enter it as salted commitments under `details["personal"]` (`shared/platform/personal.py`).

    Appends are serialised for the rest of the transaction: on PostgreSQL by a transaction-scoped
    advisory lock (locking the head row is not enough: a waiter would re-read the same head after
    the holder commits), on SQLite by the write lock every transaction takes when it opens
    (`shared.platform.db.make_engine`).
    """
    if session.bind is not None and session.bind.dialect.name == "postgresql":
        await session.exec(text("SELECT pg_advisory_xact_lock(:key)").bindparams(key=APPEND_LOCK))  # type: ignore[call-overload]
    if personal:
        if not subject:
            raise ValueError("personal data in the audit log needs the subject it is about")
        committed = commit_personal(session, record_key=idempotency_key, subject=subject, values=personal)
        details = {**(details or {}), "personal": committed}
    head = (await session.exec(select(AuditRecord).order_by(col(AuditRecord.seq).desc()).limit(1))).first()
    record = AuditRecord(
        seq=(head.seq or 0) + 1 if head else 1,
        idempotency_key=idempotency_key,
        at=at,
        agency_code=agency_code,
        nomination_id=nomination_id,
        actor=actor,
        action=action,
        reason=reason,
        outcome=outcome,
        details=details or {},
        prev_hash=head.hash if head else GENESIS,
        hash="",
    )
    record.hash = record_hash(record)
    session.add(record)
    await session.flush()
    return record


async def verify_chain(session: AsyncSession) -> dict[str, Any]:
    """Recompute every link; report the first broken one, if any."""
    prev = GENESIS
    count = 0
    rows = await session.exec(select(AuditRecord).order_by(col(AuditRecord.seq)))
    for record in rows:
        count += 1
        if record.prev_hash != prev or record_hash(record) != record.hash:
            return {"valid": False, "records": count, "broken_at_seq": record.seq, "head": prev}
        prev = record.hash
    return {"valid": True, "records": count, "broken_at_seq": None, "head": prev}


async def audit_count(session: AsyncSession) -> int:
    return (await session.exec(select(func.count()).select_from(AuditRecord))).one()
