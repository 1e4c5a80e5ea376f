"""Append-only, hash-chained audit log, one chain per service database.

Each record's hash covers its content and the previous record's hash, so altering or deleting
any record breaks every later link; `verify_chain` recomputes the chain from the start.
"""

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from shared.models import AuditRecord

GENESIS = "0" * 64


def _utc_naive(at: datetime) -> datetime:
    """SQLite returns naive datetimes, PostgreSQL aware ones: hash one canonical form."""
    return at.astimezone(UTC).replace(tzinfo=None) if at.tzinfo else at


def record_hash(record: AuditRecord) -> str:
    body = {
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
    canonical = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


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
) -> AuditRecord:
    """Add the next link of the chain. Writers are serialised by locking the current head row."""
    head = (
        await session.exec(
            select(AuditRecord).order_by(AuditRecord.seq.desc()).limit(1).with_for_update()  # type: ignore[union-attr]
        )
    ).first()
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
    rows = await session.exec(select(AuditRecord).order_by(AuditRecord.seq))  # type: ignore[arg-type]
    for record in rows:
        count += 1
        if record.prev_hash != prev or record_hash(record) != record.hash:
            return {"valid": False, "records": count, "broken_at_seq": record.seq, "head": prev}
        prev = record.hash
    return {"valid": True, "records": count, "broken_at_seq": None, "head": prev}


async def audit_count(session: AsyncSession) -> int:
    return (await session.exec(select(func.count()).select_from(AuditRecord))).one()
