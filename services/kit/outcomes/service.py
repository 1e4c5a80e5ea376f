"""service."""

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, Literal

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.kit.errors import Conflict, Forbidden, Invalid, NotFound
from services.kit.identity.service import Caller, require
from services.kit.nominations.models import Nomination, Review
from services.kit.outcomes.models import AwardChange
from services.kit.registry.models import Agency
from services.kit.registry.service import agency_on
from shared.contracts.events import (
    CHANGE_OF_EVENT,
    AwardRestored,
    AwardRevoked,
    AwardStripped,
)
from shared.platform.audit import AuditRecord, append_audit
from shared.platform.outbox import add_event
from shared.rules.catalog import default_catalog
from shared.rules.history import AWARD_CHANGES

Change = Literal["revoked", "stripped", "restored"]


EVENTS = {"revoked": AwardRevoked, "stripped": AwardStripped, "restored": AwardRestored}


HONOUR_CATEGORY = "danh_hieu_vinh_du"


ART_93 = "Luật Thi đua, khen thưởng 06/2022/QH15, Điều 93"


@dataclass(frozen=True)
class Conferral:
    """The conferral an award change refers to, as this service knows it."""

    nomination_id: str
    agency_code: str
    award_code: str  # the form actually conferred
    nominee_name: str
    nominee_id: str | None
    proposer_agency: str
    decision_no: str
    decided_on: str | None
    bonus_amount: int | None = None
    signer: str | None = None  # who signed the quyết định, as the conferral recorded it
    reason: str | None = None
    batch_no: str | None = None  # the tờ trình that proposed it, where one did


def standing(changes: list[AwardChange]) -> str:
    state = "conferred"
    for change in changes:
        state = AWARD_CHANGES[state].get(change.kind, state)
    return state


async def changes_of(session: AsyncSession, nomination_id: str) -> list[AwardChange]:
    rows = await session.exec(
        select(AwardChange).where(AwardChange.nomination_id == nomination_id).order_by(col(AwardChange.seq))
    )
    return list(rows.all())


async def conferral_here(session: AsyncSession, nomination_id: str) -> Conferral | None:
    """The conferral decided by an agency of this service: its `conferred` review and the audit
    record of the decision (the form conferred, number, date, signer and bonus it recorded)."""
    review = (
        await session.exec(select(Review).where(Review.nomination_id == nomination_id, Review.status == "conferred"))
    ).first()
    if review is None:
        return None
    found = await _conferral_records(session, [nomination_id])
    return _conferral(review, found.get(nomination_id))


async def conferrals_of(session: AsyncSession, agency_code: str, decision_no: str | None = None) -> list[Conferral]:
    """Every conferral `agency_code` decided (under the decision `decision_no`, when given), in two
    queries whatever their number."""
    chosen = [Review.agency_code == agency_code, Review.status == "conferred"]
    if decision_no is not None:
        chosen.append(Review.decision_no == decision_no)
    reviews = (await session.exec(select(Review).where(*chosen))).all()
    found = await _conferral_records(session, [r.nomination_id for r in reviews])
    return [_conferral(review, found.get(review.nomination_id)) for review in reviews]


async def _conferral_records(session: AsyncSession, nomination_ids: list[str]) -> dict[str, AuditRecord]:
    rows = await session.exec(
        select(AuditRecord).where(
            col(AuditRecord.nomination_id).in_(nomination_ids), AuditRecord.action == "decision.confer"
        )
    )
    return {row.nomination_id or "": row for row in rows.all()}


def _conferral(review: Review, decision: AuditRecord | None) -> Conferral:
    """Records written before the decision's date and the nominee's id were in its details fall
    back to the review's."""
    details = decision.details if decision else {}
    return Conferral(
        review.nomination_id,
        review.agency_code,
        details.get("conferred_award_code") or review.award_code,
        review.nominee_name,
        details.get("nominee_id"),
        review.proposer_agency,
        details.get("decision_no") or review.decision_no or "",
        details.get("decided_on") or _day(review),
        details.get("bonus_amount"),
        details.get("signer"),
        review.reason,
        review.batch_no,
    )


def _day(review: Review) -> str | None:
    day = review.decided_on or (review.decided_at.date() if review.decided_at else None)
    return day.isoformat() if day else None


async def known_conferral(session: AsyncSession, nomination_id: str) -> Conferral | None:
    """Decided here, or else as the proposer learnt it from `award.conferred`."""
    if (found := await conferral_here(session, nomination_id)) is not None:
        return found
    nomination = await session.get(Nomination, nomination_id)
    if nomination is None or nomination.status not in AWARD_CHANGES:
        return None
    return Conferral(
        nomination_id,
        nomination.outcome_agency or "",
        nomination.award_code,
        nomination.nominee_name,
        nomination.nominee_id,
        nomination.proposer_agency,
        nomination.decision_no or "",
        nomination.outcome_at.date().isoformat() if nomination.outcome_at else None,
    )


async def is_successor_of(session: AsyncSession, old: str, new: str, today: date) -> bool:
    """Whether `new` stands for `old`, an agency a reorganization retired (its successors, followed)."""
    frontier, seen = [old], set()
    while frontier:
        code = frontier.pop()
        if code in seen or await agency_on(session, code, today) is not None:
            continue
        seen.add(code)
        last = (
            await session.exec(select(Agency).where(Agency.code == code).order_by(col(Agency.valid_from).desc()))
        ).first()
        successors = list(last.successors or []) if last else []
        if new in successors:
            return True
        frontier += successors
    return False


def _described(change: AwardChange) -> str:
    return f"decision {change.decision_no} of {change.decided_on.isoformat()} ({change.agency_code})"


def _refuse_unless_allowed(nomination_id: str, kind: Change, changes: list[AwardChange]) -> None:
    """409 unless `kind` may follow the award's standing; the message names the decisions in the way."""
    now = standing(changes)
    if kind in AWARD_CHANGES[now]:
        return
    last = {c.kind: c for c in changes}
    if now == "revoked":
        first = next(c for c in changes if c.kind == "revoked")
        raise Conflict(
            f"the award of nomination {nomination_id} was already revoked by {_described(first)}: "
            "a revoked conferral is void and cannot be revoked, stripped or restored again",
        )
    if kind == "stripped":
        raise Conflict(
            f"the title of nomination {nomination_id} is already stripped by "
            f"{_described(last['stripped'])}; restore it before stripping it again",
        )
    raise Conflict(
        f"the title of nomination {nomination_id} is not stripped (it is {now}): only a stripped title can be restored",
    )


async def store_change(
    session: AsyncSession,
    event: AwardRevoked | AwardStripped | AwardRestored,
    *,
    event_id: str,
    recorded_at: datetime,
    recovered_items: str | None = None,
) -> AwardChange | None:
    """Add the change `event` records, once per event id (a decision taken here arrives back by event)."""
    if (await session.exec(select(AwardChange.id).where(AwardChange.event_id == event_id))).first() is not None:
        return None
    last = (
        await session.exec(select(func.max(AwardChange.seq)).where(AwardChange.nomination_id == event.nomination_id))
    ).one()
    row = AwardChange(
        nomination_id=event.nomination_id,
        seq=(last or 0) + 1,
        kind=CHANGE_OF_EVENT[event.type],
        award_code=event.award_code,
        nominee_name=event.nominee_name,
        nominee_id=event.nominee_id,
        agency_code=event.agency_code,
        decision_no=event.decision_no,
        original_decision_no=event.original_decision_no,
        ground=getattr(event, "ground", None),
        reason=event.reason,
        recovered_amount=getattr(event, "recovered_amount", None),
        recovered_items=recovered_items,
        decided_on=date.fromisoformat(event.decided_on),
        actor=event.actor,
        recorded_at=recorded_at,
        event_id=event_id,
    )
    session.add(row)
    return row


async def change_award(
    session: AsyncSession,
    *,
    caller: Caller,
    conferral: Conferral,
    kind: Change,
    decision_no: str,
    reason: str,
    today: date,
    ground: str | None = None,
    recovered_amount: int | None = None,
    recovered_items: str | None = None,
) -> AwardChange:
    """Record one decision on `conferral`: award_change row, audit record and outbox event."""
    nid = conferral.nomination_id
    before = await changes_of(session, nid)
    _refuse_unless_allowed(nid, kind, before)
    now = datetime.now(UTC)
    common: dict[str, Any] = dict(
        nomination_id=nid,
        award_code=conferral.award_code,
        nominee_name=conferral.nominee_name,
        nominee_id=conferral.nominee_id,
        proposer_agency=conferral.proposer_agency,
        agency_code=caller.agency_code,
        decision_no=decision_no,
        original_decision_no=conferral.decision_no,
        decided_on=today.isoformat(),
        actor=caller.officer_id,
        reason=reason,
    )
    if kind == "revoked":
        common |= {"ground": ground, "recovered_amount": recovered_amount}
    event = EVENTS[kind](**common)
    outbox = add_event(session, event, source_agency=caller.agency_code, occurred_at=now, key=nid)
    row = await store_change(session, event, event_id=outbox.event_id, recorded_at=now, recovered_items=recovered_items)
    assert row is not None  # a fresh event id
    try:
        await session.flush()
    except IntegrityError:
        raise Conflict(
            f"another decision on the award of nomination {nid} was recorded at the same time; "
            f"reload GET /awards/{nid}/changes and decide again",
        ) from None
    await append_audit(
        session,
        idempotency_key=f"award-change:{nid}:{row.seq}",
        at=now,
        agency_code=caller.agency_code,
        nomination_id=nid,
        actor=caller.officer_id,
        action=f"award.{kind}",
        outcome=standing([*before, row]),
        reason=reason,
        details={
            "decision_no": decision_no,
            "original_decision_no": conferral.decision_no,
            "award_code": conferral.award_code,
            "decided_on": today.isoformat(),
            "ground": ground,
            "recovered_amount": recovered_amount,
            "recovered_items": recovered_items,
            "event_id": outbox.event_id,
        },
    )
    return row


async def require_conferral_here(session: AsyncSession, nomination_id: str) -> Conferral:
    conferral = await conferral_here(session, nomination_id)
    if conferral is None:
        raise NotFound(
            f"no agency served here conferred an award on nomination {nomination_id}: a conferral "
            "is changed at the service of the agency that conferred it",
        )
    return conferral


async def presidential_conferral(session: AsyncSession, caller: Caller, nomination_id: str) -> Conferral:
    """The President's office only, and only for a state honorary title conferred here."""
    require(caller, "decide")
    president = default_catalog().authorities["president"]
    if caller.agency_code not in president.agency_codes:
        raise Forbidden(
            f"only the President ({', '.join(president.agency_codes)}) strips and restores state "
            f"honorary titles ({ART_93}); {caller.agency_code} cannot",
        )
    conferral = await require_conferral_here(session, nomination_id)
    award = default_catalog().awards.get(conferral.award_code)
    if award is None or award.category != HONOUR_CATEGORY:
        what = f"{award.name_vi} ({award.category})" if award else f"unknown award {conferral.award_code}"
        raise Invalid(
            f"{what} is not a state honorary title (danh hiệu vinh dự nhà nước): only those are "
            f"stripped and restored ({ART_93}); to cancel it, revoke the conferral",
        )
    return conferral


async def revocable_conferral(session: AsyncSession, caller: Caller, nomination_id: str, today: date) -> Conferral:
    """Whoever has authority to award has authority to cancel (Law Art. 93): the conferring
    agency, or its successor after a reorganization."""
    require(caller, "decide")
    conferral = await require_conferral_here(session, nomination_id)
    if conferral.agency_code != caller.agency_code and not await is_successor_of(
        session, conferral.agency_code, caller.agency_code, today
    ):
        raise Forbidden(
            f"the award of nomination {nomination_id} ({conferral.award_code}) was conferred by "
            f"{conferral.agency_code} (decision {conferral.decision_no}); only its chair or admin may "
            f"revoke it, as whoever has authority to award has authority to cancel ({ART_93})",
        )
    return conferral
