"""Settings of the unit service, which hosts grassroots bodies and commune-level People's Committees (cấp cơ sở)."""

from shared.contracts.tiers import Tier
from shared.platform.settings import ServiceSettings


class Settings(ServiceSettings):
    tier: Tier = Tier.UNIT
    http_port: int = 8001
