"""The deployment's first admin: from BOOTSTRAP_ADMIN_* at start-up, or `python -m deploy.admin`.

Creating it is idempotent: a username that exists already is left as it is.
"""

from datetime import UTC, datetime

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.kit.identity.models import Officer
from services.kit.identity.officers import create_officer
from services.kit.registry.service import agency_on


async def ensure_admin(
    session: AsyncSession, *, tier: str, agency_code: str, username: str, password: str
) -> Officer | None:
    """The admin of `agency_code` with this username, created if missing; None if it existed.

    The agency must exist today and be one this service (`tier`) hosts.
    """
    if (await session.exec(select(Officer).where(Officer.username == username.strip().lower()))).first():
        return None
    now = datetime.now(UTC)
    agency = await agency_on(session, agency_code, now.date())
    if agency is None or agency.tier != tier:
        hosted = f"a {agency.tier} agency" if agency else "not in the registry today"
        raise ValueError(f"the first admin's agency {agency_code} is {hosted}; this is the {tier} service")
    name = f"Quản trị {agency.name}"
    officer, _ = await create_officer(
        session,
        agency_code=agency_code,
        username=username,
        name=name,
        role="admin",
        password=password,
        by="bootstrap",
        now=now,
    )
    return officer
