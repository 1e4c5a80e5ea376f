"""Bearer tokens: issued, looked up, revoked. Only a token's SHA-256 is stored.

A token names one officer. It is refused once it has expired, once it is revoked, once its officer
is deactivated, and, for a demo token, anywhere but a development deployment.
"""

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.kit.identity.models import Officer, OfficerToken
from shared.rules.calendar import as_utc


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class Issued:
    """A token as its holder receives it, once: the secret itself is not kept."""

    token: str
    row: OfficerToken


async def issue_token(
    session: AsyncSession,
    officer: Officer,
    *,
    kind: str,
    now: datetime,
    ttl: timedelta | None,
    label: str | None = None,
    secret: str | None = None,
) -> Issued:
    """A new token for `officer`; `secret` is given only for seeded demo tokens."""
    token = secret or secrets.token_urlsafe(32)
    row = OfficerToken(
        id=str(uuid.uuid4()),
        officer_id=officer.id,
        token_sha256=token_digest(token),
        kind=kind,
        label=label,
        issued_at=now,
        expires_at=now + ttl if ttl is not None else None,
    )
    session.add(row)
    return Issued(token, row)


async def holder_of(
    session: AsyncSession, token: str, *, now: datetime, demo_allowed: bool
) -> tuple[Officer, OfficerToken] | None:
    """The active officer a valid token names, with the token; None for any token that is not."""
    found = (
        await session.exec(
            select(Officer, OfficerToken)
            .join(OfficerToken, col(OfficerToken.officer_id) == col(Officer.id))
            .where(OfficerToken.token_sha256 == token_digest(token), Officer.active)
        )
    ).first()
    if found is None:
        return None
    officer, row = found
    if row.revoked_at is not None or (row.expires_at is not None and as_utc(row.expires_at) <= as_utc(now)):
        return None
    if row.kind == "demo" and not demo_allowed:
        return None
    return officer, row


async def tokens_of(session: AsyncSession, officer_id: str) -> list[OfficerToken]:
    rows = await session.exec(
        select(OfficerToken).where(OfficerToken.officer_id == officer_id).order_by(col(OfficerToken.issued_at))
    )
    return list(rows.all())


async def revoke_tokens(session: AsyncSession, officer_id: str, *, by: str, now: datetime) -> None:
    """End every live token of an officer (deactivation, a new password)."""
    await session.exec(
        update(OfficerToken)
        .where(col(OfficerToken.officer_id) == officer_id, col(OfficerToken.revoked_at).is_(None))
        .values(revoked_at=now, revoked_by=by)
    )
