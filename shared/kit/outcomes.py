"""What becomes of a conferred award: revocation (Law Art. 93) and the President stripping and restoring
state honorary titles.

"Whoever has authority to award has authority to cancel": a revocation is decided by the agency
that conferred the award, so it is taken at the service holding that agency's `conferred` review.
Only the President strips and restores, and only state honorary titles (danh hiệu vinh dự nhà
nước): orders and medals the President conferred are cancelled by revocation instead. Each
decision is one row of `award_change`, one audit record and one outbox event, in the request's
transaction; every service applies the event (`shared/kit/handlers.py`). Functions never commit.
"""

from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from typing import Any, Literal

import pydantic
from fastapi import APIRouter, Depends, HTTPException, Request, status
from pydantic import BaseModel
from sqlalchemy import BigInteger, Column, UniqueConstraint, func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Field, SQLModel, select
from sqlmodel.ext.asyncio.session import AsyncSession

from shared.audit import append_audit
from shared.events import TOPIC_AWARDS, AwardConferred, AwardRestored, AwardRevoked, AwardStripped
from shared.hierarchy.registry import agency_on
from shared.kit.auth import Caller, current_officer, require_role
from shared.kit.deps import DECIDING_ROLES, db
from shared.kit.nominees import CHANGE_OF_EVENT
from shared.kit.service import history
from shared.models import Agency, AuditRecord, Nomination, OutboxEvent, Review
from shared.outbox import add_event
from shared.rules.catalog import default_catalog
from shared.rules.history import AWARD_CHANGES

Change = Literal["revoked", "stripped", "restored"]
EVENTS = {"revoked": AwardRevoked, "stripped": AwardStripped, "restored": AwardRestored}
HONOUR_CATEGORY = "danh_hieu_vinh_du"
ART_93 = "Luật Thi đua, khen thưởng 06/2022/QH15, Điều 93"


class AwardChange(SQLModel, table=True):
    """A later decision on a conferred award, taken here or received by event (then `event_id` dedups)."""

    __tablename__ = "award_change"
    __table_args__ = (UniqueConstraint("nomination_id", "seq"),)

    id: int | None = Field(default=None, primary_key=True)
    nomination_id: str = Field(index=True)
    seq: int  # 1, 2, … per nomination: two concurrent decisions on one award cannot both commit
    kind: str
    award_code: str
    nominee_name: str
    nominee_id: str | None = None
    agency_code: str = Field(index=True)
    decision_no: str
    original_decision_no: str
    ground: str | None = None
    reason: str | None = None
    recovered_amount: int | None = Field(default=None, sa_column=Column(BigInteger))
    recovered_items: str | None = None
    decided_on: date
    actor: str
    recorded_at: datetime
    event_id: str = Field(unique=True)


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


class RevokeIn(BaseModel):
    ground: Literal["a", "b", "c", "d"] = pydantic.Field(
        description="Law Art. 93(2): a fraudulent declaration; b false information or forged documents; "
        "c appraisal or approval contrary to law; d a later conclusion that the standard was not met"
    )
    decision_no: str = pydantic.Field(min_length=1, max_length=100, description="Number of the revocation decision")
    reason: str = pydantic.Field(min_length=1, max_length=5000)
    recovered_amount: int | None = pydantic.Field(default=None, ge=0, description="Bonus money to recover, đồng")
    recovered_items: str | None = pydantic.Field(
        default=None, max_length=2000, description="Physical awards to recover (certificate, medal, frame…)"
    )


class ChangeIn(BaseModel):
    decision_no: str = pydantic.Field(min_length=1, max_length=100, description="Number of the President's decision")
    reason: str = pydantic.Field(min_length=1, max_length=5000)


class ChangeOut(BaseModel):
    nomination_id: str
    kind: str
    award_code: str
    agency_code: str
    decision_no: str
    original_decision_no: str
    ground: str | None
    reason: str | None
    recovered_amount: int | None
    recovered_items: str | None
    decided_on: date
    actor: str
    recorded_at: datetime


class AwardChangesOut(BaseModel):
    nomination_id: str
    status: str = pydantic.Field(description="conferred, revoked or stripped")
    conferral: dict | None = pydantic.Field(description="The conferral as this service knows it")
    changes: list[ChangeOut]


def standing(changes: list[AwardChange]) -> str:
    state = "conferred"
    for change in changes:
        state = AWARD_CHANGES[state].get(change.kind, state)
    return state


async def changes_of(session: AsyncSession, nomination_id: str) -> list[AwardChange]:
    rows = await session.exec(
        select(AwardChange).where(AwardChange.nomination_id == nomination_id).order_by(AwardChange.seq)
    )  # type: ignore[arg-type]
    return list(rows.all())


async def conferral_here(session: AsyncSession, nomination_id: str) -> Conferral | None:
    """The conferral decided by an agency of this service: its `conferred` review, and the
    `award.conferred` event it published (the facts every other service received)."""
    review = (
        await session.exec(select(Review).where(Review.nomination_id == nomination_id, Review.status == "conferred"))
    ).first()
    if review is None:
        return None
    outbox = await session.exec(
        select(OutboxEvent).where(OutboxEvent.key == nomination_id, OutboxEvent.topic == TOPIC_AWARDS)
    )
    published = next(
        (
            row.envelope["payload"]
            for row in outbox.all()
            if row.envelope.get("type") == AwardConferred.type
            and row.envelope.get("source_agency") == review.agency_code
        ),
        None,
    )
    if published is not None:
        event = AwardConferred.model_validate(published)
        return Conferral(
            nomination_id,
            event.agency_code,
            event.conferred_award_code or event.award_code,
            event.nominee_name,
            event.nominee_id,
            event.proposer_agency,
            event.decision_no,
            event.decided_on,
            event.bonus_amount,
        )
    decision = (
        await session.exec(
            select(AuditRecord).where(
                AuditRecord.nomination_id == nomination_id, AuditRecord.action == "decision.confer"
            )
        )
    ).first()
    return Conferral(
        nomination_id,
        review.agency_code,
        review.award_code,
        review.nominee_name,
        None,
        review.proposer_agency,
        (decision.details if decision else {}).get("decision_no") or "",
        review.decided_at.date().isoformat() if review.decided_at else None,
    )


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


async def _successor_of(session: AsyncSession, old: str, new: str, today: date) -> bool:
    """Whether `new` stands for `old`, an agency a reorganization retired (its successors, followed)."""
    frontier, seen = [old], set()
    while frontier:
        code = frontier.pop()
        if code in seen or await agency_on(session, code, today) is not None:
            continue
        seen.add(code)
        last = (
            await session.exec(select(Agency).where(Agency.code == code).order_by(Agency.valid_from.desc()))
        ).first()  # type: ignore[attr-defined]
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
        raise HTTPException(
            status.HTTP_409_CONFLICT,
            f"the award of nomination {nomination_id} was already revoked by {_described(first)}: "
            "a revoked conferral is void and cannot be revoked, stripped or restored again",
        )
    if kind == "stripped":
        raise HTTPException(
            status.HTTP_409_CONFLICT,
            f"the title of nomination {nomination_id} is already stripped by "
            f"{_described(last['stripped'])}; restore it before stripping it again",
        )
    raise HTTPException(
        status.HTTP_409_CONFLICT,
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
        raise HTTPException(
            status.HTTP_409_CONFLICT,
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


async def _conferred_here(session: AsyncSession, nomination_id: str) -> Conferral:
    conferral = await conferral_here(session, nomination_id)
    if conferral is None:
        raise HTTPException(
            status.HTTP_404_NOT_FOUND,
            f"no agency served here conferred an award on nomination {nomination_id}: a conferral "
            "is changed at the service of the agency that conferred it",
        )
    return conferral


router = APIRouter(tags=["outcomes"])


@router.post(
    "/awards/{nomination_id}/revoke",
    status_code=201,
    response_model=ChangeOut,
    summary="Revoke a conferral (hủy bỏ quyết định khen thưởng, Law Art. 93): the conferring agency only",
)
async def revoke(
    nomination_id: str,
    body: RevokeIn,
    request: Request,
    caller: Caller = Depends(current_officer),
    session: AsyncSession = Depends(db, scope="function"),
):
    require_role(caller, *DECIDING_ROLES)
    conferral = await _conferred_here(session, nomination_id)
    today = request.app.state.kit.settings.today()
    if conferral.agency_code != caller.agency_code and not await _successor_of(
        session, conferral.agency_code, caller.agency_code, today
    ):
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            f"the award of nomination {nomination_id} ({conferral.award_code}) was conferred by "
            f"{conferral.agency_code} (decision {conferral.decision_no}); only its chair or admin may "
            f"revoke it, as whoever has authority to award has authority to cancel ({ART_93})",
        )
    row = await change_award(
        session, caller=caller, conferral=conferral, kind="revoked", today=today, **body.model_dump()
    )
    return ChangeOut(**row.model_dump())


async def _presidential(session: AsyncSession, caller: Caller, nomination_id: str) -> Conferral:
    """The President's office only, and only for a state honorary title conferred here."""
    require_role(caller, *DECIDING_ROLES)
    president = default_catalog().authorities["president"]
    if caller.agency_code not in president.agency_codes:
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            f"only the President ({', '.join(president.agency_codes)}) strips and restores state "
            f"honorary titles ({ART_93}); {caller.agency_code} cannot",
        )
    conferral = await _conferred_here(session, nomination_id)
    award = default_catalog().awards.get(conferral.award_code)
    if award is None or award.category != HONOUR_CATEGORY:
        what = f"{award.name_vi} ({award.category})" if award else f"unknown award {conferral.award_code}"
        raise HTTPException(
            422,
            f"{what} is not a state honorary title (danh hiệu vinh dự nhà nước): only those are "
            f"stripped and restored ({ART_93}); to cancel it, revoke the conferral",
        )
    return conferral


@router.post(
    "/awards/{nomination_id}/strip",
    status_code=201,
    response_model=ChangeOut,
    summary="Strip a state honorary title (tước danh hiệu vinh dự nhà nước): the President's office only",
)
async def strip(
    nomination_id: str,
    body: ChangeIn,
    request: Request,
    caller: Caller = Depends(current_officer),
    session: AsyncSession = Depends(db, scope="function"),
):
    conferral = await _presidential(session, caller, nomination_id)
    row = await change_award(
        session,
        caller=caller,
        conferral=conferral,
        kind="stripped",
        today=request.app.state.kit.settings.today(),
        **body.model_dump(),
    )
    return ChangeOut(**row.model_dump())


@router.post(
    "/awards/{nomination_id}/restore",
    status_code=201,
    response_model=ChangeOut,
    summary="Restore a stripped state honorary title (phục hồi): the President's office only",
)
async def restore(
    nomination_id: str,
    body: ChangeIn,
    request: Request,
    caller: Caller = Depends(current_officer),
    session: AsyncSession = Depends(db, scope="function"),
):
    conferral = await _presidential(session, caller, nomination_id)
    row = await change_award(
        session,
        caller=caller,
        conferral=conferral,
        kind="restored",
        today=request.app.state.kit.settings.today(),
        **body.model_dump(),
    )
    return ChangeOut(**row.model_dump())


@router.get(
    "/awards/{nomination_id}/changes",
    response_model=AwardChangesOut,
    summary="A conferral and its later revocation, stripping or restoration, for agencies on its route",
)
async def award_changes(
    nomination_id: str, caller: Caller = Depends(current_officer), session: AsyncSession = Depends(db, scope="function")
):
    await history(session, caller=caller, nomination_id=nomination_id)  # 404 unless on its route
    conferral = await known_conferral(session, nomination_id)
    changes = await changes_of(session, nomination_id)
    if conferral is None and not changes:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"nomination {nomination_id} has no conferred award known here")
    return AwardChangesOut(
        nomination_id=nomination_id,
        status=standing(changes),
        conferral=asdict(conferral) if conferral else None,
        changes=[ChangeOut(**c.model_dump()) for c in changes],
    )
