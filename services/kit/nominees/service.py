"""Nominee histories: recording facts, retracting a fact recorded in error, reading the history.
Who may do each is asked of `management`. Functions never commit."""

import hashlib
import json
from datetime import UTC, date, datetime
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.kit.days import require_day, require_year
from services.kit.errors import Conflict, Forbidden, Invalid, NotFound
from services.kit.identity.service import Caller
from services.kit.nominees.management import require_manager
from services.kit.nominees.models import NomineeFact
from services.kit.registry.service import require_known_agency
from shared.contracts.events import NomineeFactRetracted, NomineeFactsRecorded
from shared.platform.audit import append_audit
from shared.platform.outbox import add_event
from shared.rules.days import HAPPENED, VALIDITY
from shared.rules.history import NomineeHistory


def fact_key(nominee_id: str, fact: dict[str, Any]) -> str:
    canonical = json.dumps({"nominee_id": nominee_id, "fact": fact}, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def normalised(facts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Validate facts (ValueError names the bad one) and return them in canonical JSON form."""
    return NomineeHistory.from_facts(facts).facts()


async def records_of(session: AsyncSession, nominee_id: str) -> list[NomineeFact]:
    """Every fact of the nominee's history held here, retracted ones included, in recording order."""
    rows = await session.exec(
        select(NomineeFact).where(NomineeFact.nominee_id == nominee_id).order_by(col(NomineeFact.id))
    )
    return list(rows.all())


async def facts_of(session: AsyncSession, nominee_id: str) -> list[dict[str, Any]]:
    """The history the rules judge: every fact not retracted."""
    return [row.fact for row in await records_of(session, nominee_id) if row.retracted_at is None]


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
    origin: str = "recorded",
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
                origin=origin,
            )
        )
    return [f for _, f in fresh]


async def record_facts(
    session: AsyncSession, *, caller: Caller, nominee_id: str, facts: list[dict[str, Any]], on: date
) -> list[dict[str, Any]]:
    """Record facts at the managing agency, audit them and tell the other services."""
    await require_manager(session, caller, nominee_id, on)
    await check_fact_sources(session, facts, on)
    return await record_authority_facts(session, caller=caller, nominee_id=nominee_id, facts=facts)


# What a fact says that the registry or the business date can contradict: the agencies it names (a
# retired code is fine: it existed), what happened on a day or in a year (not after today), the end
# of a period (a discipline's, a hold's: at most ten years ahead).
AGENCY_FIELDS = ("agency_code", "conferred_by", "changed_by", "recognised_by", "organiser_agency")
HAPPENED_ON = {"decided_on": "ngày quyết định", "recognised_on": "ngày công nhận", "start": "ngày bắt đầu"}
ENDS_ON = {"end": "ngày kết thúc"}
YEARS = {"year": "năm", "start_year": "năm bắt đầu", "end_year": "năm kết thúc"}


async def check_fact_sources(session: AsyncSession, facts: list[dict[str, Any]], on: date) -> None:
    """Facts that parse, name agencies the registry has known and are not dated after `on`."""
    try:
        history = NomineeHistory.from_facts(facts)
    except ValueError as err:
        raise Invalid(f"nominee history: {err}") from None
    for index, fact in enumerate(history.items):
        where, where_vi = f"fact #{index} ({fact.kind})", f"dữ kiện #{index}"
        for field in AGENCY_FIELDS:
            if code := getattr(fact, field, None):
                await require_known_agency(session, code, field=f"{where} {field}")
        for fields, window in ((HAPPENED_ON, HAPPENED), (ENDS_ON, VALIDITY)):
            for field, vi in fields.items():
                if (day := getattr(fact, field, None)) is not None:
                    require_day(day, on, window, field=f"{where} {field}", field_vi=f"{where_vi}, {vi}")
        for field, vi in YEARS.items():
            if (year := getattr(fact, field, None)) is not None:
                require_year(year, on, field=f"{where} {field}", field_vi=f"{where_vi}, {vi}")


async def record_authority_facts(
    session: AsyncSession, *, caller: Caller, nominee_id: str, facts: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Facts the caller's agency is the authority for, whoever manages the nominee (a cluster's
    organiser records its members' rankings): stored, audited and told to the other services."""
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


async def retract_fact(
    session: AsyncSession, *, caller: Caller, nominee_id: str, fact_key: str, reason: str
) -> NomineeFact:
    """Retract a fact recorded in error: only the agency that recorded it, with a reason; every
    service learns it by an event. Retracting twice answers 409."""
    row = (
        await session.exec(
            select(NomineeFact).where(NomineeFact.fact_key == fact_key, NomineeFact.nominee_id == nominee_id)
        )
    ).first()
    if row is None:
        raise NotFound(f"no fact {fact_key} in the history of {nominee_id}")
    if row.source_agency != caller.agency_code:
        raise Forbidden(
            f"the fact was recorded by {row.source_agency}: only that agency may retract it (chỉ đơn vị đã ghi nhận)"
        )
    if row.origin == "decision":  # undone by a decision (revoke, strip), not retracted
        raise Invalid(f"the {row.kind} fact comes from a decision: revoke or strip the award instead")
    if row.retracted_at is not None:
        raise Conflict(f"the fact was already retracted on {row.retracted_at:%Y-%m-%d} by {row.retracted_by}")
    now = datetime.now(UTC)
    mark_retracted(row, by=caller.officer_id, reason=reason, at=now)
    session.add(row)
    await append_audit(
        session,
        idempotency_key=f"nominee-fact-retracted:{fact_key}",
        at=now,
        agency_code=caller.agency_code,
        nomination_id=None,
        actor=caller.officer_id,
        action="nominee.fact_retracted",
        outcome="retracted",
        reason=reason,
        details={"nominee_id": nominee_id, "fact_key": fact_key, "kind": row.kind},
    )
    add_event(
        session,
        NomineeFactRetracted(
            nominee_id=nominee_id,
            fact_key=fact_key,
            agency_code=caller.agency_code,
            actor=caller.officer_id,
            reason=reason,
        ),
        source_agency=caller.agency_code,
        occurred_at=now,
        key=nominee_id,
    )
    return row


def mark_retracted(row: NomineeFact, *, by: str, reason: str, at: datetime) -> None:
    row.retracted_at, row.retracted_by, row.retraction_reason = at, by, reason
