"""Erasing a nominee's erasable personal data, at every service that keeps a copy, without breaking
any audit log (Decree 13/2023/NĐ-CP; decision 0040).

Erased: an individual's sex and ethnic group, wherever this service keeps them (the registration,
the proposer's dossiers, the award records statistics count, the nominations' timelines, the outbox
rows kept for replay), and the openings of the audit log's commitments about the nominee (the
commitments stay: the chain, the tree and every checkpoint still verify). Kept: the id, kind and
name (a conferral is a public legal record naming its awardee) and the position category (the
capacity the award was given in, which the decision states and form 0602.N counts).

Functions never commit.
"""

from collections.abc import Iterable
from copy import deepcopy
from datetime import UTC, date, datetime
from typing import Any

from sqlmodel import SQLModel, col, or_, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.kit.errors import NotFound
from services.kit.identity.service import Caller
from services.kit.nominations.models import Nomination, Review
from services.kit.nominees.management import require_manager
from services.kit.nominees.models import Nominee
from services.kit.statistics.models import AwardRecord
from services.kit.tracking.models import TrackingEntry
from shared.contracts.events import NomineePersonalErased
from shared.platform.audit import AuditRecord, append_audit
from shared.platform.outbox import OutboxEvent, add_event
from shared.platform.personal import erase_personal

ERASED = ("sex", "ethnicity")
DOSSIER_FIELDS = ("nominee_sex", "nominee_ethnicity")
# The names the erased values go by in rows, events and timelines.
ERASED_KEYS = frozenset({*ERASED, *DOSSIER_FIELDS})
ACTION = "nominee.personal_erased"


def scrub(data: Any) -> int:
    """Blank every erased key of a JSON value, in place and at any depth; how many values it held."""
    found = 0
    if isinstance(data, dict):
        for key, value in data.items():
            if key in ERASED_KEYS and value is not None:
                data[key] = None
                found += 1
            else:
                found += scrub(value)
    elif isinstance(data, list):
        found += sum(scrub(item) for item in data)
    return found


def blank(row: SQLModel, fields: Iterable[str]) -> int:
    found = 0
    for name in fields:
        if getattr(row, name) is not None:
            setattr(row, name, None)
            found += 1
    return found


def audit_key(nominee_id: str, event_id: str) -> str:
    """One erasure's record, the same at the managing agency's service and at every other one."""
    return f"personal-erased:{nominee_id}:{event_id}"


async def nominations_about(session: AsyncSession, nominee_id: str, known: Iterable[str] = ()) -> set[str]:
    """Every nomination about the nominee this service knows of: its dossiers, reviews, award records."""
    found = set(known)
    for column, where in (
        (Nomination.id, Nomination.nominee_id),
        (Review.nomination_id, Review.nominee_id),
        (AwardRecord.nomination_id, AwardRecord.nominee_id),
    ):
        found |= set((await session.exec(select(column).where(where == nominee_id))).all())
    return found


async def erase_copies(session: AsyncSession, nominee_id: str, known: Iterable[str] = ()) -> tuple[int, set[str]]:
    """Erase what this service keeps of the nominee's erasable data; (how many values, the nominations)."""
    erased = await erase_personal(session, subject=nominee_id)
    nominee = await session.get(Nominee, nominee_id)
    rows: list[SQLModel] = [nominee] if nominee is not None else []
    rows += (await session.exec(select(Nomination).where(Nomination.nominee_id == nominee_id))).all()
    ids = await nominations_about(session, nominee_id, known)
    rows += (await session.exec(select(AwardRecord).where(col(AwardRecord.nomination_id).in_(ids)))).all()
    for row in rows:
        if found := blank(row, ERASED if isinstance(row, Nominee) else DOSSIER_FIELDS):
            erased += found
            session.add(row)
    entries = (await session.exec(select(TrackingEntry).where(col(TrackingEntry.nomination_id).in_(ids)))).all()
    for entry in entries:
        details = deepcopy(entry.details)
        if found := scrub(details):
            entry.details, erased = details, erased + found  # a new value: the JSON column sees the change
            session.add(entry)
    kept = select(OutboxEvent).where(or_(OutboxEvent.key == nominee_id, col(OutboxEvent.key).in_(ids)))
    for row in (await session.exec(kept)).all():
        erased += scrub_envelope(session, row)
    return erased, ids


def scrub_envelope(session: AsyncSession, row: OutboxEvent) -> int:
    """An outbox row kept for replay (decision 0032) no longer carries the values: a replay tells none."""
    envelope = deepcopy(row.envelope)
    found = scrub(envelope.get("payload"))
    if found:
        row.envelope = envelope
        session.add(row)
    return found


async def erase_nominee(
    session: AsyncSession, *, caller: Caller, nominee_id: str, basis: str, reason: str, on: date
) -> dict[str, Any]:
    """The managing agency erases a registered nominee's erasable data here, in the caller's
    transaction, audits it (who, when, basis, reason, how many values; no value) and tells every
    other service. With nothing left to erase it changes nothing (a second erasure is a no-op)."""
    nominee = await session.get(Nominee, nominee_id)
    if nominee is None:
        raise NotFound(
            f"no registered nominee {nominee_id}: only a registered person, household or team holds personal data "
            f"here (không có đối tượng đã đăng ký)"
        )
    await require_manager(session, caller, nominee_id, on)
    erased, ids = await erase_copies(session, nominee_id)
    result = {"nominee_id": nominee_id, "erased_values": erased, "fields": list(ERASED), "basis": basis}
    if not erased:
        return {**result, "erased_at": nominee.personal_erased_at, "already_erased": True}
    now = datetime.now(UTC)
    nominee.personal_erased_at = now
    session.add(nominee)
    told = NomineePersonalErased(
        nominee_id=nominee_id,
        agency_code=caller.agency_code,
        actor=caller.officer_id,
        basis=basis,
        fields=list(ERASED),
        nomination_ids=sorted(ids),
    )
    row = add_event(session, told, source_agency=caller.agency_code, occurred_at=now, key=nominee_id)
    await append_audit(
        session,
        idempotency_key=audit_key(nominee_id, row.event_id),
        at=now,
        agency_code=caller.agency_code,
        actor=caller.officer_id,
        action=ACTION,
        outcome="erased",
        reason=reason,
        details={"nominee_id": nominee_id, "basis": basis, "fields": list(ERASED), "values": erased},
    )
    return {**result, "erased_at": now, "already_erased": False}


async def audited(session: AsyncSession, key: str) -> bool:
    return (await session.exec(select(AuditRecord.seq).where(AuditRecord.idempotency_key == key))).first() is not None
