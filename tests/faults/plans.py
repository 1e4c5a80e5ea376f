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


def mix(tag: str, many: int = 30) -> list[Plan]:
    """`many` (30 or 20) nominations with every kind of ending: conferred alone, conferred with
    others under one decision at the President's and at the province, refused and returned at each
    tier."""
    state, province = f"{tag}/QĐ-CTN", f"{tag}/QĐ-UBND"
    counts = (6, 8, 6, 2, 2, 2, 2, 2) if many == 30 else (4, 5, 4, 1, 2, 1, 2, 1)
    kinds = [
        Plan(STATE_AWARD),
        Plan(STATE_AWARD, together=state),
        Plan(PROVINCE_AWARD, together=province),
        Plan(STATE_AWARD, "refuse", at=1),
        Plan(PROVINCE_AWARD, "return", at=1),
        Plan(STATE_AWARD, "return", at=2),
        Plan(STATE_AWARD, "refuse", at=3),
        Plan(STATE_AWARD, "return", at=4),
    ]
    plans = [plan for plan, count in zip(kinds, counts, strict=True) for _ in range(count)]
    assert len(plans) == many, (many, len(plans))
    return plans


def spread(flights: list[Flight]) -> dict[str, int]:
    """Where each flight waits before the fault: every level of the route has some."""
    return {
        f.nomination_id: min(i % 6, LAST_STEP[f.plan.award] if f.plan.at is None else f.plan.at)
        for i, f in enumerate(flights)
    }
