"""Route resolution: from the proposing agency up its hierarchy to the conferring authority.

The level that manages staff and payroll proposes; each higher agency on the way reviews and
forwards. The skeleton's authority table says at which tier the award is conferred.
"""

from dataclasses import dataclass
from datetime import date

from sqlmodel.ext.asyncio.session import AsyncSession

from shared.authority import AUTHORITIES
from shared.hierarchy.registry import agency_on, chain_upwards
from shared.tiers import Tier
from workflows.nomination.inputs import RouteStep


class RoutingError(ValueError):
    """The nomination cannot be routed; the message says why in terms a clerk can act on."""


@dataclass(frozen=True)
class RoutePlan:
    steps: list[RouteStep]
    explanation: list[str]


async def plan_route(
    session: AsyncSession, *, proposer_agency: str, award_code: str, on: date
) -> RoutePlan:
    authority = AUTHORITIES.get(award_code)
    if authority is None:
        raise RoutingError(
            f"unknown award code '{award_code}'; known codes: {', '.join(sorted(AUTHORITIES))}"
        )
    chain = await chain_upwards(session, proposer_agency, on)
    if not chain:
        raise RoutingError(f"agency {proposer_agency} does not exist on {on.isoformat()}")
    steps: list[RouteStep] = []
    why: list[str] = []
    for agency in chain:
        tier = Tier(agency.tier)
        if tier.rank > authority.tier.rank:
            break
        steps.append(RouteStep(tier=tier.value, agency_code=agency.code))
        why.append(f"{agency.code} ({agency.name}, {tier.value}) reviews")
    if authority.tier is Tier.CENTRAL:
        assert authority.central_agency is not None
        central = await agency_on(session, authority.central_agency, on)
        if central is None:
            raise RoutingError(f"central authority {authority.central_agency} is not registered")
        if steps[-1].tier != Tier.PROVINCE.value:
            raise RoutingError(
                f"{proposer_agency} has no provincial or ministry-level ancestor on {on}; "
                f"{authority.name} must be proposed through one"
            )
        steps.append(RouteStep(tier=Tier.CENTRAL.value, agency_code=central.code))
        why.append(f"{central.code} ({central.name}) confers {authority.name}")
    elif Tier(steps[-1].tier) is not authority.tier:
        raise RoutingError(
            f"no {authority.tier.value}-tier authority above {proposer_agency} on {on} "
            f"can confer {authority.name}"
        )
    else:
        why[-1] = f"{steps[-1].agency_code} confers {authority.name}"
    steps[-1].confers = True
    return RoutePlan(steps, why)
