"""Bearer-token officers: the FastAPI dependency that scopes every request to the caller's agency and role."""

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from services.kit.identity.service import Caller, delegated_role, officer_by_token, retired_reason

_bearer = HTTPBearer(auto_error=False, description="Officer token issued by the agency admin")


async def current_officer(
    request: Request, credentials: HTTPAuthorizationCredentials | None = Depends(_bearer)
) -> Caller:
    if credentials is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "missing bearer token: send 'Authorization: Bearer <officer token>'",
            headers={"WWW-Authenticate": "Bearer"},
        )
    factory = request.app.state.kit.sessions
    today = request.app.state.kit.settings.today()
    async with factory() as session:
        officer = await officer_by_token(session, credentials.credentials)
        if officer is None:
            raise HTTPException(
                status.HTTP_401_UNAUTHORIZED,
                "unknown or deactivated officer token",
                headers={"WWW-Authenticate": "Bearer"},
            )
        retired = await retired_reason(session, officer.agency_code, today)
        lent = await delegated_role(session, officer, today)
    role, on_behalf_of = lent or (officer.role, None)
    return Caller(officer.id, officer.name, officer.agency_code, role, retired, on_behalf_of)
