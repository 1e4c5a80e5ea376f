"""The law as data over HTTP: the award catalog, authorities, route previews and eligibility checks."""

from typing import Any

from fastapi import APIRouter, Depends, Request
from sqlmodel.ext.asyncio.session import AsyncSession

from services.kit.catalog.schemas import EligibilityIn, RouteOut
from services.kit.deps import db
from services.kit.errors import Invalid, NotFound
from services.kit.identity.auth import current_officer
from services.kit.identity.service import Caller
from services.kit.movements.running import routing_movement
from services.kit.nominees.management import require_history_reader
from services.kit.nominees.service import history_of
from services.kit.registry.service import plan_route
from shared.routing import RoutingError
from shared.rules.catalog import default_catalog
from shared.rules.days import Day
from shared.rules.eligibility import check_eligibility
from shared.rules.history import NomineeHistory
from shared.rules.movements import movements
from shared.rules.people import default_people

router = APIRouter()


def _award_view(code: str) -> dict[str, Any]:
    catalog = default_catalog()
    entry = catalog.award(code)
    body = entry.model_dump(mode="json")
    body["authority_matrix"] = {
        regime.code: [
            {"authority": a, "name_vi": catalog.authorities[a].name_vi} for a in entry.authorities(regime.code)
        ]
        for regime in catalog.regimes
    }
    body["source_file"] = catalog.sources[code]
    return body


@router.get("/catalog/awards", tags=["rules"], summary="Award catalog: every emulation title and commendation form")
async def catalog_awards(category: str | None = None, level: str | None = None) -> list[dict[str, Any]]:
    awards = default_catalog().awards.values()
    return [
        _award_view(a.code)
        for a in awards
        if (category is None or a.category == category) and (level is None or a.level == level)
    ]


@router.get(
    "/catalog/awards/{code}", tags=["rules"], summary="One award: authorities per regime, ballot, dossier, citations"
)
async def catalog_award(code: str) -> dict[str, Any]:
    if code not in default_catalog().awards:
        raise NotFound(f"unknown award code '{code}'; GET /catalog/awards lists the codes")
    return _award_view(code)


@router.get("/catalog/regimes", tags=["rules"], summary="Legal regimes by date and which date decides a nomination's")
async def catalog_regimes() -> dict[str, Any]:
    catalog = default_catalog()
    return {
        "regimes": [r.model_dump(mode="json") for r in catalog.regimes],
        "policy": catalog.policy.model_dump(mode="json"),
    }


@router.get(
    "/catalog/authorities", tags=["rules"], summary="Conferring authorities and the agencies whose heads hold them"
)
async def catalog_authorities() -> list[dict[str, Any]]:
    return [a.model_dump(mode="json") for a in default_catalog().authorities.values()]


@router.get(
    "/catalog/matrix", tags=["rules"], summary="Authority matrix: award × regime → authorities that may confer it"
)
async def catalog_matrix() -> list[dict[str, Any]]:
    catalog = default_catalog()
    return [
        {"award_code": a.code, "name_vi": a.name_vi, **{r.code: a.authorities(r.code) for r in catalog.regimes}}
        for a in catalog.awards.values()
    ]


@router.get(
    "/catalog/people",
    tags=["rules"],
    summary="What statistics record about an individual: position categories (direct worker or not), sexes, "
    "ethnic groups (GSO codes)",
)
async def catalog_people() -> dict[str, Any]:
    return default_people().model_dump(mode="json")


@router.get("/catalog/movements", tags=["rules"], summary="Emulation movements and their launchers")
async def catalog_movements() -> list[dict[str, Any]]:
    return [m.model_dump(mode="json") for m in movements().values()]


@router.get(
    "/routes",
    response_model=RouteOut,
    tags=["rules"],
    summary="What route a nomination for this award from this agency would take, and why",
)
async def route_preview(
    request: Request,
    award_code: str,
    proposer_agency: str | None = None,
    on: Day | None = None,
    mode: str = "cong_trang",
    movement_code: str | None = None,
    caller: Caller = Depends(current_officer),
    session: AsyncSession = Depends(db, scope="function"),
):
    proposer = proposer_agency or caller.agency_code
    when = on or request.app.state.kit.settings.today()
    try:
        plan = await plan_route(
            session, proposer_agency=proposer, award_code=award_code, on=when, mode=mode, movement_code=movement_code,
            launched=await routing_movement(session, movement_code),
        )  # fmt: skip
    except RoutingError as err:
        raise Invalid(str(err)) from None
    return RouteOut(
        award_code=award_code,
        proposer_agency=proposer,
        on=when.isoformat(),
        regime=plan.regime,
        conferring_agency=plan.conferring_agency,
        steps=[s.__dict__ for s in plan.steps],
        reasons=[r.__dict__ for r in plan.reasons],
        explanation=plan.explanation,
    )


@router.post(
    "/eligibility/check",
    tags=["rules"],
    summary="Check eligibility: every criterion met / not met / unknown, with evidence and citation",
)
async def eligibility_check(
    body: EligibilityIn,
    request: Request,
    caller: Caller = Depends(current_officer),
    session: AsyncSession = Depends(db, scope="function"),
) -> dict[str, Any]:
    catalog = default_catalog()
    if body.award_code not in catalog.awards:
        raise Invalid(f"unknown award code '{body.award_code}'; GET /catalog/awards lists the codes")
    when = body.on or request.app.state.kit.settings.today()
    try:
        regime = catalog.regime(body.regime).code if body.regime else catalog.regime_on(when).code
        history = NomineeHistory.from_facts(body.facts) if body.facts is not None else None
    except (LookupError, ValueError) as err:
        raise Invalid(str(err).strip("'\"")) from None
    if history is None:
        if body.nominee_id:
            await require_history_reader(session, caller, body.nominee_id, when)
        history = await history_of(session, body.nominee_id)
    verdict = check_eligibility(
        body.award_code,
        history,
        mode=body.mode,
        year=body.period_year or when.year - 1,
        on=when,
        regime=regime,
        province_code=body.province_code,
        achievement=body.achievement,
        initiative_ids=tuple(body.initiative_ids),
        recipient_kind=body.recipient_kind,
    )
    return verdict.to_dict()
