"""Clusters and blocs (cụm, khối thi đua) over HTTP: organised and run by their organiser (chair,
admin); members sign the pledge and score themselves and each other. Routes stay thin."""

from datetime import date
from typing import Any

from fastapi import APIRouter, Depends, Response
from sqlmodel.ext.asyncio.session import AsyncSession

from services.kit.clusters.requests import kept_here, requests_of, send_act
from services.kit.clusters.schemas import CloseIn, ClusterIn, LeadIn, LeaveIn, MemberIn, RankIn, ScoreIn, SignIn, YearIn
from services.kit.clusters.scoring import give_score, open_year, rank_year, sign_pledge
from services.kit.clusters.service import (
    add_member,
    appoint_lead,
    close_cluster,
    cluster_of,
    cluster_out,
    clusters_of,
    end_member,
    set_up_cluster,
)
from services.kit.deps import db, settings
from services.kit.identity.auth import current_officer
from services.kit.identity.service import Caller, require
from shared.platform.settings import ServiceSettings

router = APIRouter(prefix="/clusters", tags=["clusters"])
Session = Depends(db, scope="function")


@router.post(
    "", status_code=201, summary="Form a cluster or bloc (chair, admin of a province, ministry or central body)"
)
async def form(
    body: ClusterIn, caller: Caller = Depends(current_officer), session: AsyncSession = Session,
    config: ServiceSettings = Depends(settings),
) -> dict[str, Any]:  # fmt: skip
    require(caller, "organise_clusters")
    cluster = await set_up_cluster(session, caller=caller, body=body, today=config.today())
    await session.flush()
    return await cluster_out(session, cluster, config.today())


@router.get("", summary="The clusters the caller's agency organises or belongs to")
async def list_clusters(
    caller: Caller = Depends(current_officer), session: AsyncSession = Session
) -> list[dict[str, Any]]:
    return [c.model_dump(mode="json", exclude={"created_at"}) for c in await clusters_of(session, caller.agency_code)]


@router.get("/requests", summary="What the caller's agency sent to clusters kept elsewhere, with each answer")
async def sent_requests(
    caller: Caller = Depends(current_officer), session: AsyncSession = Session
) -> list[dict[str, Any]]:
    return await requests_of(session, caller.agency_code)


@router.get("/{code}", summary="A cluster: members, leaders, years with pledges, scores and rankings")
async def get_cluster(
    code: str, caller: Caller = Depends(current_officer), session: AsyncSession = Session,
    config: ServiceSettings = Depends(settings),
) -> dict[str, Any]:  # fmt: skip
    return await cluster_out(session, await cluster_of(session, code, caller), config.today())


@router.post("/{code}/members", status_code=201, summary="A member from a date (the organiser)")
async def member(
    code: str, body: MemberIn, caller: Caller = Depends(current_officer), session: AsyncSession = Session
) -> dict[str, Any]:
    require(caller, "organise_clusters")
    return (await add_member(session, caller=caller, code=code, body=body)).model_dump(mode="json")


@router.post("/{code}/members/{agency_code}/leave", summary="A member leaves from a date (the organiser)")
async def leave(
    code: str, agency_code: str, body: LeaveIn, caller: Caller = Depends(current_officer),
    session: AsyncSession = Session,
) -> dict[str, Any]:  # fmt: skip
    require(caller, "organise_clusters")
    return (await end_member(session, caller=caller, code=code, agency_code=agency_code, on=body.on)).model_dump(
        mode="json"
    )


@router.post("/{code}/leads", status_code=201, summary="The leader or deputy for a term (the organiser)")
async def lead(
    code: str, body: LeadIn, caller: Caller = Depends(current_officer), session: AsyncSession = Session
) -> dict[str, Any]:
    require(caller, "organise_clusters")
    return (await appoint_lead(session, caller=caller, code=code, body=body)).model_dump(mode="json")


@router.post("/{code}/close", summary="Close the cluster (after a merger): memberships end, its history stays")
async def close(
    code: str, body: CloseIn, caller: Caller = Depends(current_officer), session: AsyncSession = Session
) -> dict[str, Any]:
    require(caller, "organise_clusters")
    return (await close_cluster(session, caller=caller, code=code, body=body)).model_dump(
        mode="json", exclude={"created_at"}
    )


@router.post("/{code}/years", status_code=201, summary="Open a year: its pledge and criteria (the organiser)")
async def year(
    code: str, body: YearIn, caller: Caller = Depends(current_officer), session: AsyncSession = Session
) -> dict[str, Any]:
    require(caller, "organise_clusters")
    return (await open_year(session, caller=caller, code=code, body=body)).model_dump(mode="json")


SENT = (
    "; a member whose cluster is kept at another service sends it from its own: 202 with the request, "
    "whose answer GET /clusters/requests shows"
)


async def sent(session: AsyncSession, caller: Caller, code: str, year: int, body: SignIn | ScoreIn, today: date,
               response: Response) -> dict[str, Any]:  # fmt: skip
    response.status_code = 202
    row = await send_act(session, caller=caller, code=code, year=year, body=body, today=today)
    return row.model_dump(mode="json")


# A member at another service than the organiser's: the act is sent there, answered later.
SENT_ANSWER: dict[int | str, dict[str, Any]] = {
    202: {"description": "Sent to the organiser's service, which applies or refuses it: see GET /clusters/requests"}
}


@router.post(
    "/{code}/years/{year}/signatures",
    status_code=201,
    responses=SENT_ANSWER,
    summary="A member signs the year's pledge" + SENT,
)
async def sign(
    code: str, year: int, body: SignIn, response: Response, caller: Caller = Depends(current_officer),
    session: AsyncSession = Session, config: ServiceSettings = Depends(settings),
) -> dict[str, Any]:  # fmt: skip
    require(caller, "register_movements")
    if not await kept_here(session, code):
        return await sent(session, caller, code, year, body, config.today(), response)
    found = await sign_pledge(session, caller=caller, code=code, year=year, body=body, today=config.today())
    return found.model_dump(mode="json")


@router.post(
    "/{code}/years/{year}/scores", status_code=201, responses=SENT_ANSWER, summary="A self, peer or final score" + SENT
)
async def score(
    code: str, year: int, body: ScoreIn, response: Response, caller: Caller = Depends(current_officer),
    session: AsyncSession = Session, config: ServiceSettings = Depends(settings),
) -> dict[str, Any]:  # fmt: skip
    require(caller, "register_movements")
    if not await kept_here(session, code):
        return await sent(session, caller, code, year, body, config.today(), response)
    return (await give_score(session, caller=caller, code=code, year=year, body=body)).model_dump(mode="json")


@router.post("/{code}/years/{year}/ranking", summary="Rank the year and draft the proposals it makes (the organiser)")
async def ranking(
    code: str, year: int, body: RankIn, caller: Caller = Depends(current_officer), session: AsyncSession = Session,
    config: ServiceSettings = Depends(settings),
) -> dict[str, Any]:  # fmt: skip
    require(caller, "organise_clusters")
    found = await rank_year(session, caller=caller, code=code, year=year, body=body, today=config.today())
    return found.model_dump(mode="json")
