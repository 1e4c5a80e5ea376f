"""Bearer-token officers: the FastAPI dependency that scopes every request to the caller's agency and role."""

from datetime import UTC, datetime

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from services.kit.identity.service import Caller, delegated_role, retired_reason
from services.kit.identity.tokens import holder_of

bearer = HTTPBearer(auto_error=False, description="An officer's token: from POST /auth/login, or an API token")


def unauthorized(detail: str) -> HTTPException:
    return HTTPException(status.HTTP_401_UNAUTHORIZED, detail, headers={"WWW-Authenticate": "Bearer"})


async def current_officer(
    request: Request, credentials: HTTPAuthorizationCredentials | None = Depends(bearer)
) -> Caller:
    if credentials is None:
        raise unauthorized("missing bearer token: log in (POST /auth/login) and send 'Authorization: Bearer <token>'")
    caller = await caller_of(request, credentials.credentials)
    if caller is None:
        raise unauthorized("unknown, expired or revoked token, or a deactivated officer: log in again")
    return caller


async def caller_of(request: Request, token: str) -> Caller | None:
    """Who a token (a bearer token, or the console's session cookie) belongs to today, or None."""
    settings = request.app.state.kit.settings
    today = settings.today()
    async with request.app.state.kit.sessions() as session:
        found = await holder_of(session, token, now=datetime.now(UTC), demo_allowed=settings.demo_allowed)
        if found is None:
            return None
        officer, row = found
        retired = await retired_reason(session, officer.agency_code, today)
        lent = await delegated_role(session, officer, today)
    role, on_behalf_of = lent or (officer.role, None)
    return Caller(officer.id, officer.name, officer.agency_code, role, retired, on_behalf_of, row.id)
