"""Settings of the province service: provinces, centrally-run cities and ministry-level bodies
(bộ, ban, ngành, tỉnh)."""

from shared.contracts.tiers import Tier
from shared.platform.settings import ServiceSettings


class Settings(ServiceSettings):
    tier: Tier = Tier.PROVINCE
    http_port: int = 8003
