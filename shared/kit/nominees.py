"""Nominee history kept by every service: facts recorded locally or received by events.

The agency managing a nominee records their ratings, initiatives, discipline, holds and the like;
conferred awards are added from `award.conferred` events wherever they were decided, and later
revocations, strippings and restorations from `award.revoked` / `award.stripped` /
`award.restored` as `award_change` facts (the award fact is never edited). Facts are
keyed by a hash of (nominee, fact), so recording twice or receiving an event again adds nothing.
Functions never commit.
"""

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from fastapi import HTTPException
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from shared.audit import append_audit
from shared.events import (
    AwardConferred,
    AwardRestored,
    AwardRevoked,
    AwardStripped,
    Envelope,
    Event,
    NomineeFactsRecorded,
)
from shared.kit.auth import Caller
from shared.models import NomineeFact
from shared.outbox import add_event
from shared.rules.history import NomineeHistory


def fact_key(nominee_id: str, fact: dict[str, Any]) -> str:
    canonical = json.dumps({"nominee_id": nominee_id, "fact": fact}, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def normalised(facts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Validate facts (ValueError names the bad one) and return them in canonical JSON form."""
    return NomineeHistory.from_facts(facts).facts()


async def facts_of(session: AsyncSession, nominee_id: str) -> list[dict[str, Any]]:
    rows = await session.exec(select(NomineeFact).where(NomineeFact.nominee_id == nominee_id).order_by(NomineeFact.id))  # type: ignore[arg-type]
    return [row.fact for row in rows.all()]


async def history_of(session: AsyncSession, nominee_id: str | None) -> NomineeHistory:
    return NomineeHistory.from_facts(await facts_of(session, nominee_id) if nominee_id else [])


async def _store(
    session: AsyncSession,
    nominee_id: str,
    facts: list[dict[str, Any]],
    *,
    source_agency: str,
    recorded_by: str,
    at: datetime,
) -> list[dict[str, Any]]:
    keys = {fact_key(nominee_id, f): f for f in facts}
    existing = set((await session.exec(select(NomineeFact.fact_key).where(NomineeFact.fact_key.in_(list(keys))))).all())  # type: ignore[attr-defined]
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
        raise HTTPException(422, f"nominee history: {err}") from None
    now = datetime.now(UTC)
    fresh = await _store(
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


async def apply_recorded_facts(session: AsyncSession, envelope: Envelope, event: Event) -> None:
    assert isinstance(event, NomineeFactsRecorded)
    await _store(
        session,
        event.nominee_id,
        normalised(event.facts),
        source_agency=event.agency_code,
        recorded_by=event.actor,
        at=envelope.occurred_at,
    )


def award_fact(event: AwardConferred) -> dict[str, Any]:
    """The award fact every history holder records when an award is conferred: the form actually
    conferred (a lower form, where the authority chose one), which later changes name too."""
    decided_on = event.decided_on
    return {
        "kind": "award",
        "award_code": event.conferred_award_code or event.award_code,
        "year": event.period_year or int(decided_on[:4]),
        "decided_on": decided_on,
        "mode": event.mode or "cong_trang",
        "conferred_by": event.agency_code,
        "decision_no": event.decision_no or None,
        "achievement": event.achievement,
        "initiative_ids": list(event.initiative_ids),
    }


async def apply_conferral(session: AsyncSession, envelope: Envelope, event: Event) -> None:
    assert isinstance(event, AwardConferred)
    if event.nominee_id:
        await _store(
            session,
            event.nominee_id,
            normalised([award_fact(event)]),
            source_agency=event.agency_code,
            recorded_by=event.actor,
            at=envelope.occurred_at,
        )


CHANGE_OF_EVENT = {AwardRevoked.type: "revoked", AwardStripped.type: "stripped", AwardRestored.type: "restored"}


def award_change_fact(event: AwardRevoked | AwardStripped | AwardRestored) -> dict[str, Any]:
    """The fact that makes the award conferred by `original_decision_no` stop (or resume) counting."""
    return {
        "kind": "award_change",
        "award_code": event.award_code,
        "decision_no": event.original_decision_no,
        "change": CHANGE_OF_EVENT[event.type],
        "change_decision_no": event.decision_no,
        "decided_on": event.decided_on,
        "changed_by": event.agency_code,
        "ground": getattr(event, "ground", None),
    }


async def apply_award_change(session: AsyncSession, envelope: Envelope, event: Event) -> None:
    assert isinstance(event, AwardRevoked | AwardStripped | AwardRestored)
    if event.nominee_id and event.original_decision_no:  # without a number the award cannot be named
        await _store(
            session,
            event.nominee_id,
            normalised([award_change_fact(event)]),
            source_agency=event.agency_code,
            recorded_by=event.actor,
            at=envelope.occurred_at,
        )
