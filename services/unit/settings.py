"""Settings of the unit service, which hosts grassroots bodies and commune-level People's Committees (cấp cơ sở)."""

from shared.settings import ServiceSettings
from shared.tiers import Tier


class Settings(ServiceSettings):
    tier: Tier = Tier.UNIT
    http_port: int = 8001
