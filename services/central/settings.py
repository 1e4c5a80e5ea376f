"""Settings of the central service: the Central Emulation and Commendation Board, the Prime Minister
and the President."""

from shared.contracts.tiers import Tier
from shared.platform.settings import ServiceSettings


class Settings(ServiceSettings):
    tier: Tier = Tier.CENTRAL
    http_port: int = 8004
