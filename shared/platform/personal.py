"""Personal data in the audit log as salted commitments, so that erasing it never breaks the chain.

A record's `details["personal"]` holds, per field, SHA-256(salt ‖ canonical JSON of the value); the
value and its 16-byte random salt stay in `audit_personal`, outside the chain, under the subject
they are about (a nominee's id). Erasing a subject deletes those rows: the commitments remain,
the chain and every checkpoint still verify, and nothing left in the log reveals the value (the
salt makes a guess uncheckable). Whoever holds an opening (value and salt) can prove it was logged.
"""

import hashlib
import json
import os
from typing import Any

from sqlalchemy import JSON, Column, UniqueConstraint, delete
from sqlmodel import Field, SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession


class AuditPersonal(SQLModel, table=True):
    """The opening of one committed field of one audit record, until its subject is erased."""

    __tablename__ = "audit_personal"
    __table_args__ = (UniqueConstraint("record_key", "field"),)

    id: int | None = Field(default=None, primary_key=True)
    record_key: str = Field(index=True)  # the audit record's idempotency key
    subject: str = Field(index=True)
    field: str
    value: Any = Field(sa_column=Column(JSON))
    salt: str


def commitment(value: Any, salt: str) -> str:
    canonical = json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(bytes.fromhex(salt) + canonical.encode()).hexdigest()


def commit_personal(session: AsyncSession, *, record_key: str, subject: str, values: dict[str, Any]) -> dict[str, str]:
    """Keep each value's opening aside; the commitments, by field, for the record's details."""
    commitments = {}
    for name, value in sorted(values.items()):
        salt = os.urandom(16).hex()
        session.add(AuditPersonal(record_key=record_key, subject=subject, field=name, value=value, salt=salt))
        commitments[name] = commitment(value, salt)
    return commitments


async def openings(session: AsyncSession, *, record_key: str) -> dict[str, dict[str, Any]]:
    """What a record committed to, field by field (value and salt), while its subject is not erased."""
    rows = await session.exec(select(AuditPersonal).where(AuditPersonal.record_key == record_key))
    return {row.field: {"value": row.value, "salt": row.salt} for row in rows.all()}


async def erase_personal(session: AsyncSession, *, subject: str) -> int:
    """Forget every logged value about `subject`; how many were forgotten."""
    found = (await session.exec(select(AuditPersonal.id).where(AuditPersonal.subject == subject))).all()
    await session.exec(delete(AuditPersonal).where(col(AuditPersonal.subject) == subject))
    return len(found)
