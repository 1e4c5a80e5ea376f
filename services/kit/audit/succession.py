"""A retired agency's log closed here, its final cosigned checkpoint, and its successors' references to
it (decision 0039; the format and the offline check: `shared/platform/succession.py`). Never commits.

The service hosting an agency a plan retired appends the agency's closing record once every
transfer of the plan has been recorded there; from then on `append_audit` refuses the agency.
Agencies with no record in this log have no log here to close. An agency with business still open
here (a review not transferred, a nomination it proposed still in flight: each writes at it
later) is deferred and named, not closed.
"""

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.kit.audit.evidence import cosigned_checkpoint, signed_and_cosigned
from services.kit.errors import Conflict, NotFound
from services.kit.nominations.models import Nomination, Review
from services.kit.registry.models import Agency
from services.kit.registry.service import agency_on, in_force
from shared.contracts.reorganization import PredecessorReference
from shared.platform.audit import LOG_CLOSED, LOG_SUCCEEDED, AuditRecord, append_audit, closing_record, record_body
from shared.platform.checkpoints import AuditCheckpoint, latest_checkpoint, leaf_hashes
from shared.platform.merkle import inclusion_proof
from shared.platform.signing import Signer
from shared.platform.succession import FORMAT, verify_reference

SHOWN = 50  # agencies named per tier in the workflow's status


def closing_key(plan_code: str, agency_code: str) -> str:
    return f"agency-closed:{plan_code}:{agency_code}"


async def _retired_here(session: AsyncSession, effective: date, tier: str) -> dict[str, list[str]]:
    """The agencies of this tier whose last version ended the day before `effective`, with successors."""
    rows = (
        await session.exec(
            select(Agency.code, Agency.successors).where(
                Agency.valid_to == effective - timedelta(days=1), Agency.tier == tier
            )
        )
    ).all()
    ended = {code: list(successors or []) for code, successors in rows}
    alive = set((await session.exec(select(Agency.code).where(col(Agency.code).in_(ended), in_force(effective)))).all())
    return {code: successors for code, successors in ended.items() if code not in alive}


async def _still_open(session: AsyncSession, code: str) -> str | None:
    """Why something will still be written at `code`, if anything will."""
    pending = (
        await session.exec(select(Review.nomination_id).where(Review.agency_code == code, Review.status == "pending"))
    ).first()
    if pending is not None:
        return f"nomination {pending} is still pending here (not transferred: a person must choose its successor)"
    returned = {
        nomination_id: opened_at
        for nomination_id, opened_at in (
            await session.exec(
                select(Review.nomination_id, Review.opened_at).where(
                    Review.agency_code == code, Review.status == "returned"
                )
            )
        ).all()
    }
    if returned:
        # Settled: transferred under the plan, or resubmitted and reviewed again since (a returned
        # row keeps its status once the nomination moves on).
        moved = await session.exec(
            select(AuditRecord.nomination_id).where(
                AuditRecord.agency_code == code,
                AuditRecord.action == "nomination.transferred_out",
                col(AuditRecord.nomination_id).in_(returned),
            )
        )
        later = await session.exec(
            select(Review.nomination_id, Review.opened_at).where(col(Review.nomination_id).in_(returned))
        )
        settled = set(moved.all()) | {n for n, opened in later.all() if opened > returned[n]}
        stays = sorted(set(returned) - settled)
        if stays:
            return f"nomination {stays[0]} was returned here and not transferred"
    proposed = (
        await session.exec(
            select(Nomination.id).where(
                Nomination.proposer_agency == code, col(Nomination.status).in_(("in_review", "returned"))
            )
        )
    ).first()
    if proposed is not None:
        return f"nomination {proposed}, which it proposed, is still in flight (its resubmission is recorded here)"
    return None


async def close_agency_logs(
    session: AsyncSession, *, plan_code: str, effective: date, legal_basis: str, tier: str, now: datetime
) -> dict[str, Any]:
    """Append the closing record of every retired agency this tier hosts that has records here."""
    retired = await _retired_here(session, effective, tier)
    logged = set((await session.exec(select(AuditRecord.agency_code).distinct())).all())
    closed, already, deferred = [], [], {}
    for code in sorted(set(retired) & logged):
        if await closing_record(session, code) is not None:
            already.append(code)
            continue
        reason = await _still_open(session, code)
        if reason is not None:
            deferred[code] = reason
            continue
        count = (
            await session.exec(select(func.count()).select_from(AuditRecord).where(AuditRecord.agency_code == code))
        ).one()
        await append_audit(
            session,
            idempotency_key=closing_key(plan_code, code),
            at=now,
            agency_code=code,
            actor="system",
            action=LOG_CLOSED,
            outcome="closed",
            reason=legal_basis,
            details={
                "plan": plan_code,
                "effective": effective.isoformat(),
                "legal_basis": legal_basis,
                "successors": retired[code],
                "records": count,
            },
        )
        closed.append(code)
    return {
        "closed": len(closed) + len(already),
        "agencies": sorted([*closed, *already])[:SHOWN],
        "deferred": dict(sorted(deferred.items())[:SHOWN]),
        "deferred_count": len(deferred),
    }


async def anchor(
    session: AsyncSession, record: AuditRecord, checkpoint: AuditCheckpoint, leaves: list[bytes]
) -> dict[str, Any]:
    """The record with its inclusion proof in `checkpoint`, the checkpoint and its cosignatures."""
    seq = record.seq or 0
    return {
        **await signed_and_cosigned(session, checkpoint),
        "record": {**record_body(record), "hash": record.hash},
        "leaf_index": seq - 1,
        "inclusion_proof": [h.hex() for h in inclusion_proof(seq - 1, leaves[: checkpoint.size])],
    }


async def final_references(
    session: AsyncSession,
    *,
    plan_code: str,
    effective: date,
    origin: str,
    after: str,
    limit: int,
    after_seq: int | None = None,
) -> tuple[list[PredecessorReference], list[str]]:
    """A page of the agencies this plan closed here with their final cosigned checkpoints, and the
    agencies of the page whose closing record no cosigned checkpoint holds yet. Paged in the order
    the logs were closed (records after `after_seq`), or by agency code after `after`."""
    closings_of_plan = select(AuditRecord).where(
        AuditRecord.action == LOG_CLOSED,
        col(AuditRecord.idempotency_key).startswith(closing_key(plan_code, ""), autoescape=True),
    )
    if after_seq is None:
        page_of = closings_of_plan.where(col(AuditRecord.agency_code) > after).order_by(col(AuditRecord.agency_code))
    else:
        page_of = closings_of_plan.where(col(AuditRecord.seq) > after_seq).order_by(col(AuditRecord.seq))
    closings = (await session.exec(page_of.limit(limit))).all()
    finals = [(record, await cosigned_checkpoint(session, origin, record.seq or 0, first=True)) for record in closings]
    waiting = [record.agency_code for record, final in finals if final is None]
    if waiting or not finals:
        return [], waiting
    leaves = await leaf_hashes(session)
    page = []
    for record, final in finals:
        assert final is not None
        successors = []
        for code in record.details.get("successors") or []:
            version = await agency_on(session, code, effective)
            successors.append({"code": code, "tier": version.tier if version else ""})
        page.append(PredecessorReference(record.agency_code, successors, await anchor(session, record, final, leaves)))
    return page, []


async def _known_keys(session: AsyncSession, signer: Signer, origins: set[str]) -> dict[str, str]:
    """The key this service knows each origin by: its own, or the one it witnessed the origin sign with."""
    known = {signer.origin: signer.public_key}
    for origin in origins - {signer.origin}:
        latest = await latest_checkpoint(session, origin)
        if latest is not None:
            known[origin] = latest.public_key
    return known


async def record_successions(
    session: AsyncSession,
    *,
    plan_code: str,
    legal_basis: str,
    references: list[PredecessorReference],
    tier: str,
    signer: Signer,
    now: datetime,
) -> int:
    """At each successor this tier hosts, a record referencing its predecessor's final cosigned
    checkpoint, once the reference verifies with the keys this service knows; how many were written."""
    trusted = await _known_keys(session, signer, {str(ref.reference.get("origin")) for ref in references})
    written = 0
    for ref in references:
        closing = verify_reference(ref.reference, trusted=trusted, agency=ref.agency)  # SuccessionInvalid
        for successor in ref.successors:
            if successor["tier"] != tier:
                continue
            key = f"agency-succeeded:{plan_code}:{ref.agency}:{successor['code']}"
            if (await session.exec(select(AuditRecord.seq).where(AuditRecord.idempotency_key == key))).first():
                continue
            await append_audit(
                session,
                idempotency_key=key,
                at=now,
                agency_code=successor["code"],
                actor="system",
                action=LOG_SUCCEEDED,
                outcome="succeeded",
                reason=legal_basis,
                details={
                    "plan": plan_code,
                    "predecessor": ref.agency,
                    "predecessor_records": closing.record["details"].get("records"),
                    "reference": ref.reference,
                },
            )
            written += 1
    return written


async def succession_file(session: AsyncSession, *, agency_code: str, origin: str) -> dict[str, Any]:
    """What this service's log holds of the agency's succession, each record anchored in a cosigned
    checkpoint: its closing record (if its log was closed here) and its references to predecessors."""
    closing = await closing_record(session, agency_code)
    succeeded = (
        await session.exec(
            select(AuditRecord)
            .where(AuditRecord.agency_code == agency_code, AuditRecord.action == LOG_SUCCEEDED)
            .order_by(col(AuditRecord.seq))
        )
    ).all()
    if closing is None and not succeeded:
        raise NotFound(
            f"{agency_code}'s log was neither closed by a reorganization at {origin} nor succeeds another there",
            vi=f"nhật ký của {agency_code} tại {origin} chưa khép lại do sắp xếp và không kế thừa cơ quan nào",
        )
    records = [*([closing] if closing else []), *succeeded]
    finals = [(r, await cosigned_checkpoint(session, origin, r.seq or 0, first=True)) for r in records]
    if any(final is None for _, final in finals):
        raise Conflict(
            f"no checkpoint of {origin} cosigned by another service holds {agency_code}'s succession records yet; "
            "checkpoints are signed every few seconds and cosigned as the other services receive them: try again",
            vi=f"chưa có điểm kiểm tra nào của {origin} được cơ quan khác ký xác nhận chứa các bản ghi kế thừa của "
            f"{agency_code}; xin thử lại sau ít giây",
        )
    leaves = await leaf_hashes(session)
    anchors = [await anchor(session, r, final, leaves) for r, final in finals if final is not None]
    return {
        "format": FORMAT,
        "agency": agency_code,
        "closed": anchors[0] if closing else None,
        "succeeded": anchors[1:] if closing else anchors,
    }
