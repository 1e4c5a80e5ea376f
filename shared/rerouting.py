"""Re-routing a nomination in flight when the hierarchy changes (the 2025 reorganization and later).

Pure: given the route, the step the nomination is at, the plan's successor map and a way to compute
a fresh route on the effective date, say where the nomination goes now and under which rule.

- Decided steps stay as they were: history is never rewritten.
- Pending at an **abolished district**: if the award is one the commune chairman now confers
  (Decree 129/2025 Art. 59), it goes to the commune now managing the nominee; otherwise (a
  provincial award, or the nominee spans several new communes) to the province.
- Pending at a **merged province or commune**: to its successor.
- Pending at an agency that still exists: it stays; queued steps not reached yet are recomputed.
- A proposer that no longer exists is replaced by its successor; if that is ambiguous (a divided
  commune without a geographic hint) a person must choose, and nothing moves until they do.
"""

from dataclasses import dataclass, field
from datetime import date

from shared.contracts.nomination import RouteStep
from shared.contracts.tiers import Tier
from shared.routing import Lookup, RoutePlan, RoutingError, resolve_route
from shared.rules.catalog import Catalog

RULE_DISTRICT_TO_COMMUNE = "district_abolished_to_commune"
RULE_DISTRICT_TO_PROVINCE = "district_abolished_to_province"
RULE_SUCCESSOR = "successor_agency"
RULE_SAME_AGENCY = "agency_unchanged"
LEGAL_DISTRICT = "NĐ 129/2025/NĐ-CP Điều 59 (thẩm quyền của Chủ tịch UBND cấp huyện chuyển về cấp xã)"


class NeedsChoice(Exception):
    """The successor is ambiguous; `candidates` lists the choices a person must make between."""

    def __init__(self, agency: str, candidates: list[str], why: str) -> None:
        super().__init__(f"{agency}: {why}; choose one of {candidates}")
        self.agency, self.candidates, self.why = agency, candidates, why


@dataclass
class Reroute:
    changed: bool
    route: list[RouteStep]
    from_agency: str
    to_agency: str
    rule: str
    explanation: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Successors:
    """What the plan says became of each agency that no longer exists on the effective date."""

    of: dict[str, list[str]]  # retired code -> successor codes, default first
    ambiguous: dict[str, str]  # retired code -> why a person must choose (divided, no hint)
    choices: dict[str, str] = field(default_factory=dict)  # retired code -> a person's choice

    def successor(self, code: str) -> str:
        if code in self.choices:
            chosen = self.choices[code]
            if chosen not in self.of.get(code, []):
                raise NeedsChoice(code, self.of.get(code, []), f"{chosen} is not a successor of {code}")
            return chosen
        candidates = self.of.get(code, [])
        if not candidates:
            raise NeedsChoice(code, [], "it was retired without a successor")
        if code in self.ambiguous and len(candidates) > 1:
            raise NeedsChoice(code, candidates, self.ambiguous[code])
        return candidates[0]


def managing_agency(route: list[RouteStep], successors: Successors, retired: set[str]) -> str:
    """Who proposes now: the proposer, or its successor if it no longer exists."""
    proposer = route[0].agency_code
    return successors.successor(proposer) if proposer in retired else proposer


def touched(route: list[RouteStep], step: int, retired: set[str]) -> bool:
    return route[0].agency_code in retired or any(s.agency_code in retired for s in route[step:])


def reroute(
    route: list[RouteStep],
    step: int,
    *,
    fresh: RoutePlan,
    successors: Successors,
    retired: set[str],
    kinds: dict[str, str],
    commune_kinds: tuple[str, ...] = ("commune", "ward", "town", "special_zone"),
) -> Reroute:
    """Where a nomination at `route[step]` goes once the agencies in `retired` no longer exist.

    `fresh` is the route the nomination would take if proposed on the effective date by its
    managing agency (see `managing_agency`); `kinds` gives the registry kind of its agencies.
    """
    current = route[step]
    start, rule = _resume_at(current, fresh, successors, retired, kinds, commune_kinds)
    new_route = [*route[:step], *fresh.steps[start:]]
    changed = [(s.agency_code, s.confers) for s in new_route] != [(s.agency_code, s.confers) for s in route]
    why = [r.text for r in fresh.reasons[start:]]
    return Reroute(changed, new_route, current.agency_code, new_route[step].agency_code, rule, why)


def plan_move(
    catalog: Catalog,
    lookup: Lookup,
    route: list[RouteStep],
    step: int,
    *,
    award_code: str,
    mode: str,
    on: date,
    successors: Successors,
    retired: set[str],
) -> Reroute:
    """Where a nomination at `route[step]` goes on `on`, over the hierarchy `lookup` gives for that day.

    The one rule both the real transfer and the dry run use. Raises `NeedsChoice` when a person
    must decide (an ambiguous successor, or no route at all on that day).
    """
    current = route[step]
    if not touched(route, step, retired):
        return Reroute(False, route, current.agency_code, current.agency_code, RULE_SAME_AGENCY)
    managing = managing_agency(route, successors, retired)
    try:
        fresh = resolve_route(catalog, lookup, award_code=award_code, managing_agency=managing, on=on, mode=mode)
    except RoutingError as err:
        raise NeedsChoice(current.agency_code, [], f"{managing} cannot be routed on {on.isoformat()}: {err}") from None
    kinds = {s.agency_code: node.kind for s in fresh.steps if (node := lookup(s.agency_code)) is not None}
    return reroute(route, step, fresh=fresh, successors=successors, retired=retired, kinds=kinds)


def _resume_at(
    current: RouteStep,
    fresh: RoutePlan,
    successors: Successors,
    retired: set[str],
    kinds: dict[str, str],
    commune_kinds: tuple[str, ...],
) -> tuple[int, str]:
    codes = [s.agency_code for s in fresh.steps]
    if current.agency_code not in retired:
        if current.agency_code in codes:
            return codes.index(current.agency_code), RULE_SAME_AGENCY
        return _first_at_or_above(fresh, Tier(current.tier)), RULE_SAME_AGENCY
    if current.tier == Tier.DISTRICT.value:
        conferrer = fresh.steps[-1]
        if kinds.get(conferrer.agency_code) in commune_kinds:
            return len(codes) - 1, RULE_DISTRICT_TO_COMMUNE
        return _first_at_or_above(fresh, Tier.PROVINCE), RULE_DISTRICT_TO_PROVINCE
    candidates = successors.of.get(current.agency_code, [])
    for index, code in enumerate(codes):
        if code in candidates:
            return index, RULE_SUCCESSOR
    return _first_at_or_above(fresh, Tier(current.tier)), RULE_SUCCESSOR


def _first_at_or_above(fresh: RoutePlan, tier: Tier) -> int:
    for index, step in enumerate(fresh.steps):
        if Tier(step.tier).rank >= tier.rank:
            return index
    return len(fresh.steps) - 1
