"""A member acting from its own service on a cluster kept at its organiser's (decision 0036): its
signature or its self or peer score is recorded as a request and sent (`cluster.act_requested`);
the organiser's service applies it with the same functions as a signature or score given there,
and answers (`cluster.act_answered`), which the member's service keeps beside the request.
Functions never commit."""

import uuid
from datetime import UTC, date, datetime
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.kit.clusters.models import Cluster, ClusterRequest
from services.kit.clusters.schemas import ScoreIn, SignIn
from services.kit.clusters.scoring import give_score, sign_pledge
from services.kit.errors import DomainError, Forbidden
from services.kit.identity.service import Caller
from shared.contracts.events import ClusterActAnswered, ClusterActRequested
from shared.platform.audit import append_audit, write_audit
from shared.platform.outbox import add_event


async def kept_here(session: AsyncSession, code: str) -> bool:
    return await session.get(Cluster, code) is not None


def for_itself(caller: Caller, act: str, agency_code: str, by_agency: str | None) -> None:
    """From its own service a member acts only for itself: it signs and self-scores itself, and
    peer-scores another member as itself (the organiser records for others at its own service)."""
    acting = (by_agency or caller.agency_code) if act == "peer" else agency_code
    if acting != caller.agency_code or (act == "peer" and agency_code == caller.agency_code):
        raise Forbidden(
            f"from its own service {caller.agency_code} signs and scores only as itself; the organiser "
            "records for other members at its own service",
            vi=f"tại hệ thống của mình, {caller.agency_code} chỉ ký và chấm điểm cho chính mình; cơ quan tổ "
            "chức cụm, khối ghi nhận thay cho thành viên khác",
        )


async def send_act(
    session: AsyncSession, *, caller: Caller, code: str, year: int, body: SignIn | ScoreIn, today: date
) -> ClusterRequest:
    act = body.kind if isinstance(body, ScoreIn) else "sign"
    by_agency = body.by_agency if isinstance(body, ScoreIn) else None
    points = body.points if isinstance(body, ScoreIn) else {}
    if act == "final":
        raise Forbidden(
            "the organiser gives the final score, at its own service", vi="điểm chính thức do cơ quan tổ chức chấm"
        )
    for_itself(caller, act, body.agency_code, by_agency)
    row = ClusterRequest(
        id=str(uuid.uuid4()), cluster_code=code, year=year, act=act, agency_code=body.agency_code,
        by_agency=(by_agency or caller.agency_code) if act == "peer" else None, points=points,
        requester_agency=caller.agency_code, actor=caller.officer_id, requested_at=datetime.now(UTC),
    )  # fmt: skip
    session.add(row)
    await append_audit(
        session, idempotency_key=f"cluster-request:{row.id}", at=row.requested_at, agency_code=caller.agency_code,
        actor=caller.officer_id, action="cluster.act_requested", outcome="sent",
        details={"cluster": code, "year": year, "act": act, "agency_code": body.agency_code},
    )  # fmt: skip
    event = ClusterActRequested(
        request_id=row.id, cluster_code=code, year=year, act=act, agency_code=row.agency_code,
        by_agency=row.by_agency, points=points, requested_on=today.isoformat(), actor=caller.officer_id,
        actor_agency=caller.agency_code, actor_role=caller.role,
    )  # fmt: skip
    add_event(session, event, source_agency=caller.agency_code, occurred_at=row.requested_at, key=code)
    return row


async def apply_request(session: AsyncSession, event: ClusterActRequested) -> bool:
    """At the organiser's service (others ignore it): applied as if the member's officer acted here,
    or refused with the same reason; either way answered. A refusal changes nothing of the year."""
    cluster = await session.get(Cluster, event.cluster_code)
    if cluster is None:
        return False
    caller = Caller(officer_id=event.actor, name=event.actor, agency_code=event.actor_agency, role=event.actor_role)
    outcome, reason, reason_vi = "applied", None, None
    await write_audit(session)  # a savepoint follows the records queued before it (decision 0046)
    try:
        async with session.begin_nested():
            if event.act == "sign":
                body = SignIn(agency_code=event.agency_code)
                day = date.fromisoformat(event.requested_on)
                await sign_pledge(session, caller=caller, code=cluster.code, year=event.year, body=body, today=day)
            else:
                score = ScoreIn(
                    agency_code=event.agency_code, kind=event.act, by_agency=event.by_agency,
                    points=event.points,
                )  # fmt: skip
                await give_score(session, caller=caller, code=cluster.code, year=event.year, body=score)
    except DomainError as refusal:
        outcome, reason, reason_vi = "refused", str(refusal), refusal.vi
    answer = ClusterActAnswered(
        request_id=event.request_id, cluster_code=cluster.code, requester_agency=event.actor_agency,
        outcome=outcome, reason=reason, reason_vi=reason_vi, actor=event.actor,
    )  # fmt: skip
    add_event(session, answer, source_agency=cluster.organiser_agency, occurred_at=datetime.now(UTC), key=cluster.code)
    return True


async def learn_answer(session: AsyncSession, event: ClusterActAnswered) -> bool:
    """At the member's service: the request takes the organiser's answer (other services ignore it)."""
    row = await session.get(ClusterRequest, event.request_id)
    if row is None:
        return False
    row.status, row.reason, row.reason_vi = event.outcome, event.reason, event.reason_vi
    session.add(row)
    return True


async def requests_of(session: AsyncSession, agency_code: str) -> list[dict[str, Any]]:
    rows = await session.exec(
        select(ClusterRequest)
        .where(ClusterRequest.requester_agency == agency_code)
        .order_by(col(ClusterRequest.requested_at).desc())
    )
    return [row.model_dump(mode="json") for row in rows.all()]
