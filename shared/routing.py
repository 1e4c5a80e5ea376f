"""Route resolution: (award, nominee's managing agency, date) → the chain of agencies that handle it.

The level that manages the nominee's staff and payroll proposes; every higher agency on the way
reviews and forwards, until the first one whose head holds an authority that may confer the award
under the regime in force on the date. Awards of the Prime Minister or the President go from the
province or ministry to the Central Board (appraisal), then the Prime Minister, then the President.
Thematic-movement awards stop at the movement's launcher.

`resolve_route` is pure: it reads the catalog and a hierarchy lookup and returns the steps with a
reason and a citation for each. `plan_route` loads what it needs from a service's registry replica.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from shared.contracts.nomination import RouteStep
from shared.contracts.tiers import Tier
from shared.rules.catalog import Catalog
from shared.rules.catalog_entries import Authority
from shared.rules.datafiles import Citation
from shared.rules.movements import Movement, movement

# Decree 91/2017 Art. 46(1), confirmed by MOHA in 2022; its place in the 2022 Law or Decree 152
# was not found (domain.md §4.1), so it is cited with low confidence.
PROPOSER_PRINCIPLE = Citation(
    instrument="Nghị định 91/2017/NĐ-CP",
    article="Điều 46 khoản 1 (cấp quản lý tổ chức, cán bộ và quỹ lương đề nghị)",
    source="S22",
    confidence="L",
    configurable=True,
)


CENTRAL_PROCEDURE = Citation(
    instrument="Quyết định 311/QĐ-BNV (2025)", article="thủ tục cấp trung ương", source="S3:3eb06cf023f78272"
)


MOVEMENT_PRINCIPLE = Citation(
    instrument="Nghị định 91/2017/NĐ-CP",
    article="cấp phát động phong trào khen thưởng hoặc đề nghị khen thưởng",
    source="S22",
    confidence="M",
    configurable=True,
)


PROVINCE_KINDS = ("province", "city")


class RoutingError(ValueError):
    """The nomination cannot be routed; the message says why in terms a clerk can act on."""


@dataclass(frozen=True)
class AgencyNode:
    code: str
    name: str
    tier: str
    kind: str
    parent_code: str | None


Lookup = Callable[[str], AgencyNode | None]


@dataclass(frozen=True)
class StepReason:
    agency_code: str
    role: str  # proposes | reviews | appraises | proposes_to_president | confers
    text: str
    citation: str


@dataclass
class RoutePlan:
    award_code: str
    regime: str
    on: date
    steps: list[RouteStep]
    reasons: list[StepReason] = field(default_factory=list)
    # The province (or centrally-run city) the managing agency belonged to on the date, if any:
    # it selects provincial rule sets layered over the national one.
    province_code: str | None = None

    @property
    def explanation(self) -> list[str]:
        return [f"{r.text} [{r.citation}]" for r in self.reasons]

    @property
    def conferring_agency(self) -> str:
        return self.steps[-1].agency_code


def resolve_route(
    catalog: Catalog,
    lookup: Lookup,
    *,
    award_code: str,
    managing_agency: str,
    on: date,
    mode: str = "cong_trang",
    movement_code: str | None = None,
    movements: Callable[[str], Movement | None] = movement,
) -> RoutePlan:
    """The route of a nomination for `award_code`, proposed by `managing_agency` on `on`.

    Who may confer is the authority matrix of the regime in force on `on`: after 2025-07-01 there
    is no district chairman to send anything to, whatever regime the dossier is judged under. The
    regime a dossier is *judged* under (eligibility, bonus) is the nomination's own (see
    `Catalog.judging_regime`), and a route computed later (re-routing) does not change it.
    """
    if award_code not in catalog.awards:
        raise RoutingError(f"unknown award code '{award_code}'; see GET /catalog/awards for the codes")
    award = catalog.awards[award_code]
    regime_code = catalog.regime_on(on).code
    allowed = award.authorities(regime_code)
    if not allowed:
        raise RoutingError(f"{award.name_vi} ({award_code}) is not conferred under regime {regime_code}")
    launcher = _launcher(lookup, mode, movement_code, on, movements)
    chain = _chain(lookup, managing_agency, on)
    if launcher is not None and launcher.tier != Tier.CENTRAL.value and launcher.code not in {a.code for a in chain}:
        raise RoutingError(
            f"movement {movement_code} was launched by {launcher.code} ({launcher.name}), which is not above "
            f"{managing_agency} on {on.isoformat()}; its awards go to the launcher"
        )
    province = next((a.code for a in chain if a.kind in PROVINCE_KINDS), None)
    plan = RoutePlan(award_code=award_code, regime=regime_code, on=on, steps=[], province_code=province)
    for index, agency in enumerate(chain):
        holder = _holder(catalog, agency)
        confers = holder is not None and holder.code in allowed and (launcher is None or agency.code == launcher.code)
        if confers:
            assert holder is not None
            _add(
                plan,
                agency,
                "confers",
                f"{agency.code} ({agency.name}): {holder.name_vi} quyết định tặng "
                f"{award.name_vi} (chế độ {regime_code})",
                _authority_citation(catalog, award_code, holder.code),
            )
            return _finish(plan)
        if index == 0:
            _add(
                plan,
                agency,
                "proposes",
                f"{agency.code} ({agency.name}) quản lý nhân sự và quỹ lương của đối tượng: trình cấp trên",
                PROPOSER_PRINCIPLE.text(),
            )
        else:
            _add(
                plan,
                agency,
                "reviews",
                f"{agency.code} ({agency.name}) xem xét và trình cấp trên",
                PROPOSER_PRINCIPLE.text(),
            )
        if launcher is not None and agency.code == launcher.code:
            raise RoutingError(
                f"{launcher.code} launched movement {movement_code} but its head cannot confer {award.name_vi} "
                f"under regime {regime_code}"
            )
    central = [a for a in allowed if a in ("prime_minister", "president")]
    if not central:
        raise RoutingError(
            f"no agency above {managing_agency} on {on.isoformat()} can confer {award.name_vi} under regime "
            f"{regime_code}; it is conferred by: {', '.join(catalog.authorities[a].name_vi for a in allowed)}"
        )
    if Tier(chain[-1].tier) is not Tier.PROVINCE:
        raise RoutingError(
            f"{managing_agency} has no provincial or ministry-level agency above it on {on.isoformat()}; "
            f"{award.name_vi} must be proposed through one"
        )
    return _finish(_central(catalog, lookup, plan, award_code, "president" in allowed, launcher))


def _chain(lookup: Lookup, code: str, on: date) -> list[AgencyNode]:
    chain: list[AgencyNode] = []
    current: str | None = code
    while current is not None and current not in {a.code for a in chain}:
        agency = lookup(current)
        if agency is None:
            if not chain:
                raise RoutingError(f"agency {code} does not exist on {on.isoformat()}")
            raise RoutingError(f"{chain[-1].code}'s parent {current} does not exist on {on.isoformat()}")
        chain.append(agency)
        current = agency.parent_code
    return chain


def _launcher(
    lookup: Lookup, mode: str, movement_code: str | None, on: date, movements: Callable[[str], Movement | None]
) -> AgencyNode | None:
    if movement_code is None:
        if mode == "chuyen_de":
            raise RoutingError("a chuyên đề (thematic) nomination must name its movement (movement_code)")
        return None
    found = movements(movement_code)
    if found is None:
        raise RoutingError(
            f"unknown emulation movement '{movement_code}'; see GET /movements and GET /catalog/movements"
        )
    if not found.covers(on):
        raise RoutingError(f"movement {movement_code} runs {found.period()}, not on {on.isoformat()}")
    launcher = lookup(found.launcher)
    if launcher is None:
        raise RoutingError(
            f"the launcher {found.launcher} of movement {movement_code} does not exist on {on.isoformat()}"
        )
    return launcher


def _holder(catalog: Catalog, agency: AgencyNode) -> Authority | None:
    return catalog.authority_of_agency(agency.code, agency.kind)


def _authority_citation(catalog: Catalog, award_code: str, authority: str) -> str:
    cited = catalog.awards[award_code].citations["conferred_by"].text()
    return f"{cited}; {catalog.authorities[authority].citation.text()}"


def _add(plan: RoutePlan, agency: AgencyNode, role: str, text: str, citation: str) -> None:
    plan.steps.append(RouteStep(tier=agency.tier, agency_code=agency.code, role=role))
    plan.reasons.append(StepReason(agency.code, role, text, citation))


def _central(
    catalog: Catalog, lookup: Lookup, plan: RoutePlan, award_code: str, by_president: bool, launcher: AgencyNode | None
) -> RoutePlan:
    award = catalog.awards[award_code]

    def central_agency(authority: str) -> AgencyNode:
        codes = catalog.authorities[authority].agency_codes
        node = lookup(codes[0]) if codes else None
        if node is None:
            raise RoutingError(f"the {catalog.authorities[authority].name_vi} ({codes}) is not in the registry")
        return node

    board, pm = central_agency("central_board"), central_agency("prime_minister")
    _add(
        plan,
        board,
        "appraises",
        f"{board.code} ({board.name}) thẩm định hồ sơ và trình Thủ tướng Chính phủ",
        CENTRAL_PROCEDURE.text(),
    )
    if not by_president:
        _add(
            plan,
            pm,
            "confers",
            f"{pm.code} ({pm.name}) quyết định tặng {award.name_vi} (chế độ {plan.regime})",
            _authority_citation(catalog, award_code, "prime_minister"),
        )
        return plan
    _add(plan, pm, "proposes_to_president", f"{pm.code} ({pm.name}) đề nghị Chủ tịch nước", CENTRAL_PROCEDURE.text())
    president = central_agency("president")
    _add(
        plan,
        president,
        "confers",
        f"{president.code} ({president.name}) quyết định tặng {award.name_vi} (chế độ {plan.regime})",
        _authority_citation(catalog, award_code, "president"),
    )
    return plan


def _finish(plan: RoutePlan) -> RoutePlan:
    plan.steps[-1].confers = True
    return plan
