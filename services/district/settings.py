"""Settings of the district service, which hosts district-level People's Committees (abolished on 2025-07-01)."""

from shared.settings import ServiceSettings
from shared.tiers import Tier


class Settings(ServiceSettings):
    tier: Tier = Tier.DISTRICT
    http_port: int = 8002
