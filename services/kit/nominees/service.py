"""service."""

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.kit.errors import Invalid
from services.kit.identity.service import Caller
from services.kit.nominees.models import NomineeFact
from shared.contracts.events import (
    NomineeFactsRecorded,
)
from shared.platform.audit import append_audit
from shared.platform.outbox import add_event
from shared.rules.history import NomineeHistory


def fact_key(nominee_id: str, fact: dict[str, Any]) -> str:
    canonical = json.dumps({"nominee_id": nominee_id, "fact": fact}, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def normalised(facts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Validate facts (ValueError names the bad one) and return them in canonical JSON form."""
    return NomineeHistory.from_facts(facts).facts()


async def facts_of(session: AsyncSession, nominee_id: str) -> list[dict[str, Any]]:
    rows = await session.exec(
        select(NomineeFact).where(NomineeFact.nominee_id == nominee_id).order_by(col(NomineeFact.id))
    )
    return [row.fact for row in rows.all()]


async def history_of(session: AsyncSession, nominee_id: str | None) -> NomineeHistory:
    return NomineeHistory.from_facts(await facts_of(session, nominee_id) if nominee_id else [])


async def store_facts(
    session: AsyncSession,
    nominee_id: str,
    facts: list[dict[str, Any]],
    *,
    source_agency: str,
    recorded_by: str,
    at: datetime,
) -> list[dict[str, Any]]:
    keys = {fact_key(nominee_id, f): f for f in facts}
    existing = set(
        (await session.exec(select(NomineeFact.fact_key).where(col(NomineeFact.fact_key).in_(list(keys))))).all()
    )
    fresh = [(k, f) for k, f in keys.items() if k not in existing]
    for key, fact in fresh:
        session.add(
            NomineeFact(
                fact_key=key,
                nominee_id=nominee_id,
                kind=fact["kind"],
                fact=fact,
                source_agency=source_agency,
                recorded_by=recorded_by,
                recorded_at=at,
            )
        )
    return [f for _, f in fresh]


async def record_facts(
    session: AsyncSession, *, caller: Caller, nominee_id: str, facts: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Record facts at the caller's agency, audit them and tell the other services."""
    try:
        clean = normalised(facts)
    except ValueError as err:
        raise Invalid(f"nominee history: {err}") from None
    now = datetime.now(UTC)
    fresh = await store_facts(
        session, nominee_id, clean, source_agency=caller.agency_code, recorded_by=caller.officer_id, at=now
    )
    if fresh:
        await append_audit(
            session,
            idempotency_key=f"nominee-facts:{caller.agency_code}:{fact_key(nominee_id, {'facts': fresh})}",
            at=now,
            agency_code=caller.agency_code,
            nomination_id=None,
            actor=caller.officer_id,
            action="nominee.facts_recorded",
            outcome="recorded",
            details={"nominee_id": nominee_id, "kinds": sorted({f["kind"] for f in fresh}), "count": len(fresh)},
        )
        add_event(
            session,
            NomineeFactsRecorded(
                nominee_id=nominee_id, agency_code=caller.agency_code, actor=caller.officer_id, facts=fresh
            ),
            source_agency=caller.agency_code,
            occurred_at=now,
            key=nominee_id,
        )
    return fresh
