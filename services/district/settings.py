"""Settings of the district service, which hosts district-level People's Committees (abolished on 2025-07-01)."""

from shared.contracts.tiers import Tier
from shared.platform.settings import ServiceSettings


class Settings(ServiceSettings):
    tier: Tier = Tier.DISTRICT
    http_port: int = 8002
