"""Tracking: where a nomination is, for its proposer's officers and (by code, without login) its nominee.

The proposer's service is the one that holds the `nomination` row, so it is the one that keeps the
timeline: its consumer applies every nomination and award event, and these handlers record the
ones about its own nominations (`TRACKING_HANDLERS`, merged into the tier's handlers). The views
are computed from the recorded events at read time, so a late or redelivered event never leaves a
stale summary behind. The public view is a whitelist: no officer ids, no reminders, no internal
notes, no ballots (ballots are never recorded here at all).
"""

import secrets
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request, status
from pydantic import BaseModel, Field
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from shared.consumer import Handler
from shared.events import (
    AwardConferred,
    AwardRestored,
    AwardRevoked,
    AwardStripped,
    DeadlineReminder,
    DeadlineSet,
    Envelope,
    Event,
    NominationEscalated,
    NominationForwarded,
    NominationHeld,
    NominationReceived,
    NominationRefused,
    NominationReleased,
    NominationResubmitted,
    NominationReturned,
    NominationSubmitted,
    NominationTransferred,
    NominationWithdrawn,
)
from shared.kit.auth import Caller, current_officer
from shared.kit.deps import db
from shared.kit.lifecycle_models import TrackingCode, TrackingEntry
from shared.kit.service import own_nomination
from shared.models import Agency, Nomination
from shared.rules.calendar import default_calendar, local_date

router = APIRouter(tags=["tracking"])

# No 0/O, 1/I/L (read alike) and no U (Crockford's reason: no accidental words). 30 symbols, 12 drawn:
# 30**12 ≈ 5.3e17 codes (59 bits), so guessing a live code needs ~1e11 tries per million codes issued.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
GROUPS, GROUP_LEN, PREFIX = 3, 4, "TDKT"

LABELS = {
    NominationSubmitted.type: "Đã nộp hồ sơ",
    NominationReceived.type: "Đã tiếp nhận",
    NominationForwarded.type: "Đã trình cấp trên",
    NominationReturned.type: "Trả lại để bổ sung",
    NominationResubmitted.type: "Đã nộp lại",
    NominationRefused.type: "Không đồng ý",
    NominationWithdrawn.type: "Đã rút hồ sơ",
    NominationTransferred.type: "Chuyển cơ quan kế thừa",
    DeadlineSet.type: "Thời hạn xử lý",
    DeadlineReminder.type: "Nhắc hạn",
    NominationEscalated.type: "Quá hạn",
    NominationHeld.type: "Tạm dừng",
    NominationReleased.type: "Tiếp tục xử lý",
    AwardConferred.type: "Đã khen thưởng",
    AwardRevoked.type: "Thu hồi khen thưởng",
    AwardStripped.type: "Tước danh hiệu",
    AwardRestored.type: "Phục hồi danh hiệu",
}
STATE_AFTER = {
    NominationSubmitted.type: "submitted",
    NominationReceived.type: "in_review",
    NominationForwarded.type: "in_review",
    NominationReturned.type: "returned",
    NominationResubmitted.type: "in_review",
    NominationRefused.type: "refused",
    NominationWithdrawn.type: "withdrawn",
    NominationHeld.type: "held",
    AwardConferred.type: "conferred",
    AwardRevoked.type: "revoked",
    AwardStripped.type: "stripped",
    AwardRestored.type: "conferred",
}
# Events after which the step that had a deadline is over (or its clock stopped): the due date goes.
CLEARS_DUE = {t for t in STATE_AFTER if t != NominationSubmitted.type} | {NominationTransferred.type}
REASONED = (NominationReturned.type, NominationRefused.type, AwardRevoked.type, AwardStripped.type)
# The nominee's view: these event types only, these details only, reasons only where they are the
# official answer to the nominee (a return, a refusal, a withdrawal, a revocation).
PUBLIC_DETAILS: dict[str, tuple[str, ...]] = {
    **{t: () for t in LABELS if t != DeadlineReminder.type},
    NominationForwarded.type: ("to_agency",),
    NominationReturned.type: ("missing_documents",),
    NominationTransferred.type: ("to_agency",),
    DeadlineSet.type: ("due_on",),
    NominationEscalated.type: ("due_on", "to_agency"),
    AwardConferred.type: ("decision_no", "decided_on", "conferred_award_code"),
    **{t: ("decision_no", "decided_on") for t in (AwardRevoked.type, AwardStripped.type, AwardRestored.type)},
}
PUBLIC_REASONS = {*REASONED, NominationWithdrawn.type, AwardRestored.type}
# What every event repeats: kept in columns, not in an entry's details.
COMMON = {"nomination_id", "award_code", "nominee_name", "proposer_agency", "agency_code", "step", "actor", "reason"}


def new_tracking_code() -> str:
    """A fresh code from the OS CSPRNG, e.g. TDKT-7K3F-Q9XM-R2PA."""
    groups = ("".join(secrets.choice(ALPHABET) for _ in range(GROUP_LEN)) for _ in range(GROUPS))
    return "-".join((PREFIX, *groups))


def normalise_code(raw: str) -> str | None:
    """The canonical form of what a person typed (any case, spaces or dashes, prefix optional), or None."""
    chars = "".join(c for c in raw.upper() if c.isalnum())
    chars = chars.removeprefix(PREFIX) if len(chars) == len(PREFIX) + GROUPS * GROUP_LEN else chars
    if len(chars) != GROUPS * GROUP_LEN or any(c not in ALPHABET for c in chars):
        return None
    return "-".join([PREFIX] + [chars[i : i + GROUP_LEN] for i in range(0, len(chars), GROUP_LEN)])


async def issue_tracking_code(session: AsyncSession, *, nomination: Nomination, at: datetime) -> TrackingCode:
    """The nomination's code, drawn once: a repeated submission event finds and keeps the first one."""
    existing = await session.get(TrackingCode, nomination.id)
    if existing is not None:
        return existing
    for _ in range(5):  # a clash is astronomically unlikely; the unique index is the real guarantee
        code = new_tracking_code()
        if (await session.exec(select(TrackingCode.code).where(TrackingCode.code == code))).first() is None:
            issued = TrackingCode(
                nomination_id=nomination.id, code=code, proposer_agency=nomination.proposer_agency, issued_at=at
            )
            session.add(issued)
            return issued
    raise RuntimeError(f"no unused tracking code for {nomination.id} after 5 draws: check the code generator")


async def record_tracking(session: AsyncSession, envelope: Envelope, event: Event) -> None:
    """At the proposer's service only (where the nomination row is): add the event to the timeline."""
    if envelope.nomination_id is None:
        return
    nomination = await session.get(Nomination, envelope.nomination_id)
    if nomination is None:
        return
    if isinstance(event, NominationSubmitted):
        await issue_tracking_code(session, nomination=nomination, at=envelope.occurred_at)
    seen = await session.exec(select(TrackingEntry.id).where(TrackingEntry.event_id == envelope.event_id))
    if seen.first() is not None:
        return
    payload = event.model_dump(mode="json")
    session.add(
        TrackingEntry(
            event_id=envelope.event_id,
            nomination_id=nomination.id,
            event_type=envelope.type,
            occurred_at=envelope.occurred_at,
            agency_code=payload.get("agency_code") or envelope.source_agency,
            step=payload.get("step"),
            actor=payload.get("actor") or "system",
            reason=payload.get("reason"),
            details={k: v for k, v in payload.items() if k not in COMMON and v not in (None, [], {})},
        )
    )


TRACKING_HANDLERS: dict[str, Handler] = {event_type: record_tracking for event_type in LABELS}


@dataclass
class Progress:
    """Where a nomination stands after its recorded events; see docs/lifecycle.md for each field."""

    state: str
    agency: str | None = None
    step: int | None = None
    due_on: date | None = None
    returns: int = 0
    with_proposer_working_days: int = 0
    decision_no: str | None = None
    reasons: list[TrackingEntry] = field(default_factory=list)


def progress_of(entries: list[TrackingEntry], *, proposer: str, status_now: str, today: date) -> Progress:
    """Fold the timeline, oldest first. Time with the proposer counts the working days (Vietnamese
    calendar, days in (returned, resubmitted]) of every return, an open one up to today."""
    calendar, p = default_calendar(), Progress(state=status_now)
    before_hold, returned_on = "in_review", None
    returned_from: tuple[str, int | None] = (proposer, 0)
    for e in entries:
        t, d = e.event_type, e.details
        if t in CLEARS_DUE:
            p.due_on = None
        if t == NominationHeld.type:
            before_hold = p.state
        p.state = before_hold if t == NominationReleased.type else STATE_AFTER.get(t, p.state)
        if t in (NominationSubmitted.type, NominationReceived.type, NominationRefused.type, AwardConferred.type):
            p.agency, p.step = e.agency_code, e.step
        elif t == NominationForwarded.type:
            p.agency, p.step = d.get("to_agency"), (e.step or 0) + 1
        elif t in (NominationTransferred.type, NominationEscalated.type) and d.get("to_agency"):
            if p.state == "returned":  # a successor takes over the review it will resume
                returned_from = (d["to_agency"], returned_from[1])
            else:
                p.agency = d["to_agency"]
        elif t == NominationReturned.type:
            p.returns, returned_from, returned_on = p.returns + 1, (e.agency_code, e.step), local_date(e.occurred_at)
            p.agency = proposer
        elif t == NominationResubmitted.type:
            if returned_on is not None:
                p.with_proposer_working_days += max(
                    0, calendar.working_days_between(returned_on, local_date(e.occurred_at))
                )
            p.agency, p.step, returned_on = returned_from[0], returned_from[1], None
        elif t == DeadlineSet.type:
            p.due_on = date.fromisoformat(d["due_on"])
        if t == AwardConferred.type:
            p.decision_no = d.get("decision_no")
        if t in REASONED:
            p.reasons.append(e)
    if returned_on is not None and p.state == "returned":
        p.with_proposer_working_days += max(0, calendar.working_days_between(returned_on, today))
    return p


class AgencyRef(BaseModel):
    code: str
    name: str | None = None
    tier: str | None = None


class ReasonOut(BaseModel):
    at: datetime
    event: str = Field(description="nomination.returned, nomination.refused, award.revoked or award.stripped")
    agency: AgencyRef
    reason: str | None
    missing_documents: list[str] = Field(default_factory=list)


class TimelineItem(BaseModel):
    at: datetime
    event: str
    label: str = Field(description="Vietnamese label of the event")
    agency: AgencyRef
    step: int | None
    reason: str | None = None
    details: dict[str, Any] = Field(default_factory=dict)


class OfficerTimelineItem(TimelineItem):
    actor: str = Field(description="Officer id, or 'system'")


class _Tracking(BaseModel):
    award_code: str
    proposer: AgencyRef
    state: str = Field(
        description="draft, submitted, in_review, returned, held, refused, withdrawn, conferred, revoked or stripped"
    )
    current_agency: AgencyRef | None = Field(description="Where the dossier is (the proposer while returned)")
    current_level: str | None = Field(description="Tier of the current agency")
    step: int | None = Field(description="Index of the current step on the route (0: the first)")
    steps: int = Field(description="Steps on the route")
    due_on: date | None = Field(description="Deadline of the current step; none while held or between steps")
    returns: int
    time_with_proposer_working_days: int = Field(
        description="Working days (Vietnamese calendar) the dossier spent with the proposer after returns"
    )
    reasons: list[ReasonOut] = Field(description="Every return, refusal and revocation, with its reasons")
    decision_no: str | None


class PublicTrackingOut(_Tracking):
    """What the nominee sees: no nominee name (a leaked code reveals no one), no officer ids."""

    code: str
    timeline: list[TimelineItem]


class TrackingOut(_Tracking):
    nomination_id: str
    nominee_name: str
    code: str | None = Field(description="None until the submission has been recorded")
    timeline: list[OfficerTimelineItem]


async def _agencies(session: AsyncSession, codes: set[str]) -> dict[str, AgencyRef]:
    rows = await session.exec(select(Agency).where(Agency.code.in_(codes)).order_by(Agency.valid_from))  # type: ignore[attr-defined,arg-type]
    found = {a.code: AgencyRef(code=a.code, name=a.name, tier=a.tier) for a in rows.all()}  # latest version wins
    return {c: found.get(c, AgencyRef(code=c)) for c in codes}


async def tracking_view(session: AsyncSession, nomination: Nomination, *, today: date, public: bool) -> dict[str, Any]:
    """The fields both views share, and the timeline in the requested form."""
    entries = list(
        (
            await session.exec(
                select(TrackingEntry)
                .where(TrackingEntry.nomination_id == nomination.id)
                .order_by(TrackingEntry.occurred_at, TrackingEntry.id)
            )
        ).all()
    )  # type: ignore[arg-type]
    if public:
        entries = [e for e in entries if e.event_type in PUBLIC_DETAILS]
    p = progress_of(entries, proposer=nomination.proposer_agency, status_now=nomination.status, today=today)
    codes = {nomination.proposer_agency, *(e.agency_code for e in entries), *([p.agency] if p.agency else [])}
    names = await _agencies(session, codes)
    current = names[p.agency] if p.agency else None

    def item(e: TrackingEntry) -> dict[str, Any]:
        shown = {
            "at": e.occurred_at,
            "event": e.event_type,
            "label": LABELS.get(e.event_type, e.event_type),
            "agency": names[e.agency_code],
            "step": e.step,
        }
        if not public:
            return shown | {"reason": e.reason, "details": e.details, "actor": e.actor}
        return shown | {
            "reason": e.reason if e.event_type in PUBLIC_REASONS else None,
            "details": {k: e.details[k] for k in PUBLIC_DETAILS[e.event_type] if k in e.details},
        }

    return {
        "award_code": nomination.award_code,
        "proposer": names[nomination.proposer_agency],
        "state": p.state,
        "current_agency": current,
        "current_level": current.tier if current else None,
        "step": p.step,
        "steps": len(nomination.route),
        "due_on": p.due_on,
        "returns": p.returns,
        "time_with_proposer_working_days": p.with_proposer_working_days,
        "decision_no": p.decision_no,
        "reasons": [
            ReasonOut(
                at=e.occurred_at,
                event=e.event_type,
                agency=names[e.agency_code],
                reason=e.reason,
                missing_documents=e.details.get("missing_documents", []),
            )
            for e in p.reasons
        ],
        "timeline": [item(e) for e in entries],
    }


@router.get(
    "/nominations/{nomination_id}/tracking",
    response_model=TrackingOut,
    summary="Where one of the caller's agency's nominations is: state, deadline, returns, timeline",
)
async def nomination_tracking(
    nomination_id: str,
    request: Request,
    caller: Caller = Depends(current_officer),
    session: AsyncSession = Depends(db, scope="function"),
) -> TrackingOut:
    nomination = await own_nomination(session, caller=caller, nomination_id=nomination_id)
    code = await session.get(TrackingCode, nomination_id)
    view = await tracking_view(session, nomination, today=request.app.state.kit.settings.today(), public=False)
    return TrackingOut(
        **view, nomination_id=nomination.id, nominee_name=nomination.nominee_name, code=code.code if code else None
    )


@router.get(
    "/track/{code}",
    response_model=PublicTrackingOut,
    openapi_extra={"security": []},
    summary="For the nominee, WITHOUT login: a nomination's progress by its tracking code",
    description="The code is on the receipt the proposing agency gives the nominee. The view leaves out "
    "officer ids, internal notes and reminders. An unknown code answers 404.",
)
async def public_tracking(
    code: str, request: Request, session: AsyncSession = Depends(db, scope="function")
) -> PublicTrackingOut:
    canonical = normalise_code(code)
    issued = (
        None
        if canonical is None
        else (await session.exec(select(TrackingCode).where(TrackingCode.code == canonical))).first()
    )
    nomination = await session.get(Nomination, issued.nomination_id) if issued else None
    if issued is None or nomination is None:
        raise HTTPException(
            status.HTTP_404_NOT_FOUND,
            (
                f"no nomination has the tracking code '{code}': check it against the receipt from the proposing "
                f"agency ({PREFIX} followed by {GROUPS} groups of {GROUP_LEN} letters and digits, e.g. "
                f"{PREFIX}-7K3F-Q9XM-R2PA)"
            ),
        )
    view = await tracking_view(session, nomination, today=request.app.state.kit.settings.today(), public=True)
    return PublicTrackingOut(**view, code=issued.code)
