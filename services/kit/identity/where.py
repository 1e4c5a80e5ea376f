"""One address for every officer: a login written `username@AGENCY` names the agency, and the
registry (which every service holds whole) names the tier whose service hosts it.

The decision reads only the login's own words and the public registry, never the officers table:
whether a username exists anywhere is not revealed by where the login is sent, and a password is
only ever checked by the service that hosts the officer (docs/decisions/0018-oidc-login.md).
"""

from dataclasses import dataclass
from datetime import date
from urllib.parse import urlencode

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.kit.errors import Invalid, Unavailable
from services.kit.registry.models import Agency
from services.kit.registry.service import agency_on
from shared.contracts.tiers import Tier
from shared.platform.settings import ServiceSettings

TIER_VI = {Tier.UNIT: "cơ sở", Tier.DISTRICT: "huyện", Tier.PROVINCE: "tỉnh", Tier.CENTRAL: "trung ương"}


@dataclass(frozen=True)
class Login:
    """A login as typed: the username, and the agency code when written `username@AGENCY`."""

    username: str
    agency_code: str | None

    @classmethod
    def parse(cls, typed: str) -> "Login":
        name, at, agency = typed.strip().rpartition("@")
        if not at:
            return cls(typed.strip().lower(), None)
        return cls(name.strip().lower(), agency.strip().upper() or None)


async def hosting_tier(session: AsyncSession, *, agency_code: str, today: date) -> Tier:
    """The tier whose service hosts `agency_code`: its version in force today, else its last one
    (a retired agency's officers still log in where its records are)."""
    agency = await agency_on(session, agency_code, today)
    if agency is None:
        rows = await session.exec(
            select(Agency).where(Agency.code == agency_code).order_by(col(Agency.valid_from).desc())
        )
        agency = rows.first()
    if agency is None:
        raise Invalid(
            f"no agency has the code '{agency_code}': write your login as username@agency code, e.g. hoa@U91-0001",
            "UnknownAgency",
            vi=f"không có cơ quan nào mang mã '{agency_code}': hãy nhập tên đăng nhập kèm mã cơ quan, "
            "ví dụ hoa@U91-0001",
        )
    return Tier(agency.tier)


def elsewhere(settings: ServiceSettings, tier: Tier, *, login: str, next_path: str) -> str:
    """The login page of `tier`'s service with the login prefilled and `next_path` kept. Only a
    configured address: never one the request names (no open redirect)."""
    base = settings.console_url(tier)
    if base is None:
        setting = f"{tier.value.upper()}_CONSOLE_URL"
        raise Unavailable(
            f"this agency's officers log in at the {tier.value} service, whose address this deployment "
            f"does not give ({setting}): ask the administrator",
            "ConsoleUnknown",
            vi=f"cán bộ của cơ quan này đăng nhập tại dịch vụ cấp {TIER_VI[tier]}, nhưng hệ thống chưa được "
            f"cấu hình địa chỉ của dịch vụ đó ({setting}): hãy báo quản trị viên",
        )
    return f"{base}/console/login?{urlencode({'username': login, 'next': next_path})}"
