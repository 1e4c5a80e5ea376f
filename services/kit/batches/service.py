"""A tờ trình for many nominees (issue "The emulation year", item 3): the proposer numbers a batch,
puts its drafts in it and submits them together, all or none; each stays its own nomination, with
its own verdict, route, outcome and audit trail, and carries the batch's number to every level
(`Review.batch_no`). A level returns or refuses one awardee without holding up the rest, and confers
on many under one decision number (`reviews.bulk`, action `confer`); `decision_of` lists a
decision's awardees with their bonus. Functions never commit."""

import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import func
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.kit.dossier.models import Document
from services.kit.dossier.service import add_document
from services.kit.errors import Conflict, DomainError, Invalid, NotFound
from services.kit.identity.service import Caller
from services.kit.nominations.models import Nomination, ProposalBatch, Review
from services.kit.nominations.service import own_nomination
from services.kit.outcomes.service import conferrals_of
from services.kit.proposals.service import prepare_submission
from shared.contracts.nomination import NominationInput
from shared.platform.audit import append_audit
from shared.text import collation_key

MAX_AWARDEES = 20_000  # a province's base titles for a year fit in a few


async def create_batch(session: AsyncSession, *, caller: Caller, number: str, title: str) -> ProposalBatch:
    taken = await session.exec(
        select(ProposalBatch).where(ProposalBatch.proposer_agency == caller.agency_code, ProposalBatch.number == number)
    )
    if taken.first() is not None:
        raise Conflict(f"tờ trình {number} already exists here", vi=f"đã có tờ trình số {number}")
    batch = ProposalBatch(
        id=str(uuid.uuid4()), proposer_agency=caller.agency_code, number=number, title=title,
        created_by=caller.officer_id, created_at=datetime.now(UTC),
    )  # fmt: skip
    session.add(batch)
    return batch


async def own_batch(session: AsyncSession, caller: Caller, batch_id: str) -> ProposalBatch:
    batch = await session.get(ProposalBatch, batch_id)
    if batch is None or batch.proposer_agency != caller.agency_code:
        raise NotFound(f"no tờ trình {batch_id} at {caller.agency_code}")
    return batch


async def members(session: AsyncSession, batch: ProposalBatch) -> list[Nomination]:
    rows = await session.exec(
        select(Nomination).where(Nomination.batch_id == batch.id).order_by(col(Nomination.created_at))
    )
    return list(rows.all())


async def add_to_batch(
    session: AsyncSession, *, caller: Caller, batch_id: str, nomination_ids: list[str]
) -> ProposalBatch:
    """The agency's own drafts join the tờ trình (all or none)."""
    batch = await own_batch(session, caller, batch_id)
    if batch.submitted_at is not None:
        raise Conflict(f"tờ trình {batch.number} is submitted", vi=f"tờ trình {batch.number} đã trình")
    if len(await members(session, batch)) + len(set(nomination_ids)) > MAX_AWARDEES:
        raise Invalid(
            f"a tờ trình proposes at most {MAX_AWARDEES} awardees", vi=f"mỗi tờ trình tối đa {MAX_AWARDEES} đối tượng"
        )
    for nomination_id in dict.fromkeys(nomination_ids):
        nomination = await own_nomination(session, caller=caller, nomination_id=nomination_id)
        if nomination.status != "draft" or nomination.batch_id not in (None, batch.id):
            raise Conflict(
                f"nomination {nomination_id} is {nomination.status}"
                + (" and in another tờ trình" if nomination.batch_id not in (None, batch.id) else ""),
                vi=f"hồ sơ {nomination.nominee_name} không còn là dự thảo hoặc đã thuộc tờ trình khác",
            )
        nomination.batch_id = batch.id
        session.add(nomination)
    return batch


async def prepare_batch(
    session: AsyncSession, *, caller: Caller, batch_id: str, today: date
) -> tuple[ProposalBatch, list[NominationInput]]:
    """Every draft of the tờ trình checked and frozen for submission, or nothing: the refusal lists
    each awardee that cannot go, with why."""
    batch = await own_batch(session, caller, batch_id)
    drafts = [n for n in await members(session, batch) if n.status == "draft"]
    if not drafts:
        raise Conflict(
            f"tờ trình {batch.number} has no draft left to submit", vi="tờ trình không còn hồ sơ dự thảo để trình"
        )
    inputs, problems = [], []
    for nomination in drafts:
        try:
            prepared, _ = await prepare_submission(session, caller=caller, nomination_id=nomination.id, today=today)
            inputs.append(prepared)
        except DomainError as refusal:
            problems.append(
                {"nomination_id": nomination.id, "nominee_name": nomination.nominee_name, "error": str(refusal)}
            )
    if problems:
        raise Invalid(
            {"message": f"{len(problems)} of {len(drafts)} awardees cannot be submitted: nothing was submitted",
             "items": problems},
            vi=f"{len(problems)}/{len(drafts)} đối tượng chưa đủ điều kiện trình: chưa trình đối tượng nào",
        )  # fmt: skip
    batch.submitted_at = datetime.now(UTC)
    session.add(batch)
    await append_audit(
        session,
        idempotency_key=f"batch-submitted:{batch.id}:{batch.submitted_at.isoformat()}",
        at=batch.submitted_at,
        agency_code=caller.agency_code,
        actor=caller.officer_id,
        action="batch.submitted",
        outcome="submitted",
        details={"number": batch.number, "nominations": [i.nomination_id for i in inputs]},
    )
    return batch, inputs


async def pending_awardees(session: AsyncSession, agency_code: str, batch_no: str) -> list[str]:
    """The awardees of the tờ trình `batch_no` pending at `agency_code`, in a stable order."""
    rows = await session.exec(
        select(Review.nomination_id)
        .where(Review.agency_code == agency_code, Review.batch_no == batch_no, Review.status == "pending")
        .order_by(col(Review.nomination_id))
    )
    return list(rows.all())


async def reviewed_here(session: AsyncSession, agency_code: str, batch_no: str) -> bool:
    """Whether any awardee of the tờ trình `batch_no` has come to `agency_code`, in any state."""
    query = select(Review.id).where(Review.agency_code == agency_code, Review.batch_no == batch_no).limit(1)
    return (await session.exec(query)).first() is not None


async def batch_out(session: AsyncSession, batch: ProposalBatch) -> dict[str, Any]:
    return {
        **batch.model_dump(mode="json"),
        "awardees": [
            {
                "nomination_id": n.id, "nominee_name": n.nominee_name, "nominee_kind": n.nominee_kind,
                "award_code": n.award_code, "status": n.status, "decision_no": n.decision_no,
                "outcome_reason": n.outcome_reason,
                "eligibility": (n.eligibility or {}).get("outcome"),
            }
            for n in await members(session, batch)
        ],
    }  # fmt: skip


DECISIONS_PAGE = 50


async def decisions_of(session: AsyncSession, *, caller: Caller, page: int = 1) -> dict[str, Any]:
    """The caller's agency's quyết định khen thưởng, the latest recorded first, `DECISIONS_PAGE` a
    page: each number, its day and how many it conferred on."""
    here, numbered = Review.agency_code == caller.agency_code, col(Review.decision_no).is_not(None)
    chosen = (here, Review.status == "conferred", numbered)
    total = (await session.exec(select(func.count(func.distinct(Review.decision_no))).where(*chosen))).one()
    rows = await session.exec(
        select(Review.decision_no, func.min(Review.decided_on), func.count())
        .where(*chosen)
        .group_by(col(Review.decision_no))
        .order_by(func.max(Review.decided_at).desc(), col(Review.decision_no))
        .offset((page - 1) * DECISIONS_PAGE)
        .limit(DECISIONS_PAGE)
    )
    return {
        "total": total,
        "page": page,
        "pages": max(1, -(-total // DECISIONS_PAGE)),
        "decisions": [
            {"decision_no": number, "decided_on": day.isoformat() if day else None, "awardees": count}
            for number, day, count in rows.all()
        ],
    }


async def decision_of(session: AsyncSession, *, caller: Caller, number: str) -> dict[str, Any]:
    """A quyết định of the caller's agency: every awardee it conferred, with the form and bonus."""
    return await awardees_of_decision(session, agency_code=caller.agency_code, number=number)


async def awardees_of_decision(session: AsyncSession, *, agency_code: str, number: str) -> dict[str, Any]:
    """Every awardee `agency_code` conferred under the decision `number`, with the form and bonus."""
    conferrals = await conferrals_of(session, agency_code, decision_no=number)
    awardees = [
        {
            "nomination_id": c.nomination_id, "nominee_name": c.nominee_name, "award_code": c.award_code,
            "proposer_agency": c.proposer_agency, "batch_no": c.batch_no,
            "decided_on": c.decided_on, "bonus_amount": c.bonus_amount,
        }
        for c in conferrals
    ]  # fmt: skip
    if not awardees:
        raise NotFound(
            f"no decision {number} conferring anything at {agency_code}",
            vi=f"cơ quan chưa có quyết định khen thưởng số {number}: kiểm tra lại số quyết định",
        )
    return {
        "decision_no": number,
        "agency_code": agency_code,
        "decided_on": awardees[0]["decided_on"],
        "awardees": sorted(awardees, key=lambda a: collation_key(a["nominee_name"])),
        "bonus_total": sum(a["bonus_amount"] or 0 for a in awardees),
    }


async def attach_to_all(
    session: AsyncSession, *, caller: Caller, batch_id: str, kind: str, filename: str, content_type: str,
    content_base64: str, sha256: str,
) -> int:  # fmt: skip
    """One document (the tờ trình itself, its list of awardees) in every draft's dossier: its bytes
    are stored once (content-addressed), each draft gets its own row."""
    batch = await own_batch(session, caller, batch_id)
    drafts = [n for n in await members(session, batch) if n.status in ("draft", "returned")]
    if not drafts:
        raise Conflict(f"tờ trình {batch.number} has no draft to attach to", vi="tờ trình không có hồ sơ dự thảo")
    first = await add_document(
        session, caller=caller, nomination_id=drafts[0].id, kind=kind, filename=filename,
        content_type=content_type, content_base64=content_base64, sha256=sha256,
    )  # fmt: skip
    for nomination in drafts[1:]:
        session.add(
            Document(
                **first.model_dump(exclude={"id", "nomination_id"}), id=str(uuid.uuid4()), nomination_id=nomination.id
            )
        )
    return len(drafts)


def batch_members(sessions: async_sessionmaker[AsyncSession]) -> Callable[[list[str]], Awaitable[dict[str, str]]]:
    """Which of these nominations travel in a tờ trình's BatchWorkflow, as this service's reviews
    name it (decision 0042): the workflow client addresses them there."""

    async def locate(nomination_ids: list[str]) -> dict[str, str]:
        if not nomination_ids:
            return {}
        async with sessions() as session:
            rows = await session.exec(
                select(Review.nomination_id, Review.workflow_id)
                .where(col(Review.nomination_id).in_(nomination_ids), col(Review.workflow_id).startswith("batch-"))
                .order_by(col(Review.opened_at))  # the latest review's batch wins
            )
            return dict(rows.all())

    return locate
