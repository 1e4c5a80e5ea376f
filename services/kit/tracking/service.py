"""Tracking codes (mã hồ sơ) and the timeline of a nomination as its proposer sees it."""

import secrets
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.kit.errors import NotFound
from services.kit.nominations.models import Nomination
from services.kit.registry.models import Agency
from services.kit.tracking.models import TrackingCode, TrackingEntry
from services.kit.tracking.schemas import AgencyRef, ReasonOut
from shared.contracts.events import (
    AwardConferred,
    AwardRestored,
    AwardRevoked,
    AwardStripped,
    DeadlineReminder,
    DeadlineSet,
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
from shared.rules.calendar import default_calendar, local_date

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


async def _agencies(session: AsyncSession, codes: set[str]) -> dict[str, AgencyRef]:
    rows = await session.exec(select(Agency).where(col(Agency.code).in_(codes)).order_by(col(Agency.valid_from)))
    found = {a.code: AgencyRef(code=a.code, name=a.name, tier=a.tier) for a in rows.all()}  # latest version wins
    return {c: found.get(c, AgencyRef(code=c)) for c in codes}


async def tracking_view(session: AsyncSession, nomination: Nomination, *, today: date, public: bool) -> dict[str, Any]:
    """The fields both views share, and the timeline in the requested form."""
    entries = list(
        (
            await session.exec(
                select(TrackingEntry)
                .where(TrackingEntry.nomination_id == nomination.id)
                .order_by(col(TrackingEntry.occurred_at), col(TrackingEntry.id))
            )
        ).all()
    )
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


async def by_tracking_code(session: AsyncSession, code: str) -> tuple[TrackingCode, Nomination]:
    """The nomination a tracking code names, however the code was typed; a clear 404 otherwise."""
    canonical = normalise_code(code)
    issued = (
        None
        if canonical is None
        else (await session.exec(select(TrackingCode).where(TrackingCode.code == canonical))).first()
    )
    nomination = await session.get(Nomination, issued.nomination_id) if issued else None
    if issued is None or nomination is None:
        raise NotFound(
            f"no nomination has the tracking code '{code[:40]}': check it against the receipt from the proposing "
            f"agency ({PREFIX} followed by {GROUPS} groups of {GROUP_LEN} letters and digits, e.g. "
            f"{PREFIX}-7K3F-Q9XM-R2PA) (không tìm thấy mã hồ sơ)"
        )
    return issued, nomination
