"""What each nomination of a fault test's fleet is driven to: its plan, and where it waits before
the fault (`tests/faults/fleet.py` drives them, `tests/faults/verdict.py` checks where they ended)."""

from dataclasses import dataclass, field
from typing import Any

from shared.contracts.tiers import Tier

SCHOOL = "U91-0001"
ENDS = {"confer": "conferred", "refuse": "refused", "return": "returned"}


@dataclass(frozen=True)
class Plan:
    award: str
    action: str = "confer"  # what the deciding level does: confer (at the route's end), refuse or return
    at: int | None = None  # the step that refuses or returns; a conferral is the route's last step
    together: str | None = None  # one decision number conferring on the whole group (POST /decisions)

    @property
    def ends(self) -> str:
        return ENDS[self.action]


@dataclass
class Flight:
    nomination_id: str
    nominee: str
    plan: Plan
    route: list[dict[str, Any]] = field(default_factory=list)
    done: bool = False  # its last decision was accepted (its outcome is checked afterwards)
    last_error: str = ""

    def deciding_step(self) -> int:
        return len(self.route) - 1 if self.plan.at is None else self.plan.at


LEVELS = [
    (Tier.UNIT, SCHOOL), (Tier.DISTRICT, "D903"), (Tier.PROVINCE, "P91"),
    (Tier.CENTRAL, "TW-BTDKT"), (Tier.CENTRAL, "TW-TTG"), (Tier.CENTRAL, "TW-CTN"),
]  # fmt: skip
STATE_AWARD, PROVINCE_AWARD = "HCLD_HANG_BA", "BANG_KHEN_TINH"  # to the President; the province confers
LAST_STEP = {STATE_AWARD: 5, PROVINCE_AWARD: 2}


def mix(tag: str, scale: int = 1) -> list[Plan]:
    """30 × `scale` nominations with every kind of ending: conferred alone, conferred with others
    under one decision at the President's and at the province, refused and returned at each tier."""
    state, province = f"{tag}/QĐ-CTN", f"{tag}/QĐ-UBND"
    one = [
        *[Plan(STATE_AWARD)] * 6,
        *[Plan(STATE_AWARD, together=state)] * 8,
        *[Plan(PROVINCE_AWARD, together=province)] * 6,
        *[Plan(STATE_AWARD, "refuse", at=1)] * 2,
        *[Plan(PROVINCE_AWARD, "return", at=1)] * 2,
        *[Plan(STATE_AWARD, "return", at=2)] * 2,
        *[Plan(STATE_AWARD, "refuse", at=3)] * 2,
        *[Plan(STATE_AWARD, "return", at=4)] * 2,
    ]
    return one * scale


def spread(flights: list[Flight]) -> dict[str, int]:
    """Where each flight waits before the fault: every level of the route has some."""
    return {
        f.nomination_id: min(i % 6, LAST_STEP[f.plan.award] if f.plan.at is None else f.plan.at)
        for i, f in enumerate(flights)
    }
