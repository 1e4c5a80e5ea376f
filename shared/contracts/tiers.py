"""The four authority tiers and the Temporal task queue each one serves."""

from enum import StrEnum


class Tier(StrEnum):
    UNIT = "unit"
    DISTRICT = "district"
    PROVINCE = "province"
    CENTRAL = "central"

    @property
    def task_queue(self) -> str:
        """Activities a tier must perform run on a queue named after the tier."""
        return f"tdkt-{self.value}"

    @property
    def rank(self) -> int:
        return TIER_ORDER.index(self)


TIER_ORDER = [Tier.UNIT, Tier.DISTRICT, Tier.PROVINCE, Tier.CENTRAL]

NOMINATION_TASK_QUEUE = "tdkt-nominations"
