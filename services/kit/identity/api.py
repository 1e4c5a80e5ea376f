"""Who the caller is, logging in and out, and the caller's own tokens, password and second factor."""

from datetime import UTC, datetime, timedelta

from fastapi import APIRouter, Depends, Request
from sqlmodel.ext.asyncio.session import AsyncSession

from services.kit.deps import PUBLIC_ROUTE, db, new_transaction, settings
from services.kit.errors import Invalid
from services.kit.identity.auth import current_officer
from services.kit.identity.login import LoginPolicy, log_in, record_identity
from services.kit.identity.models import Officer
from services.kit.identity.officers import change_own_password, confirm_totp, revoke_own, start_totp
from services.kit.identity.schemas import ApiTokenIn, LoginIn, PasswordIn, TokenInfo, TokenOut, TotpCodeIn
from services.kit.identity.service import Caller
from services.kit.identity.tokens import issue_token, tokens_of
from services.kit.identity.where import Login
from services.kit.openapi import refusal
from shared.platform.settings import ServiceSettings

router = APIRouter(tags=["officers"])


@router.get("/me", summary="Who the token belongs to")
async def me(caller: Caller = Depends(current_officer)) -> dict[str, str]:
    return {
        "officer_id": caller.officer_id,
        "name": caller.name,
        "agency_code": caller.agency_code,
        "role": caller.role,
    }


@router.post(
    "/auth/login",
    response_model=TokenOut,
    openapi_extra=PUBLIC_ROUTE,
    responses={
        401: refusal("A wrong username or password, or a missing or wrong TOTP code"),
        423: refusal("The account is locked for a while after repeated failed logins"),
    },
    summary="Log in with a username, a password and, once enrolled, a TOTP code (no token needed)",
)
async def login(body: LoginIn, request: Request, config: ServiceSettings = Depends(settings)) -> TokenOut:
    policy = LoginPolicy.of(config)
    login = Login.parse(body.username)  # `username@AGENCY` too: only an officer of that agency
    async with new_transaction(request) as session:
        outcome = await log_in(
            session,
            username=login.username,
            password=body.password,
            totp_code=body.totp_code,
            now=datetime.now(UTC),
            policy=policy,
            agency_code=login.agency_code,
        )
    if outcome.refusal is not None:  # raised after the commit, which keeps the failed attempt's count
        raise outcome.refusal
    assert outcome.issued is not None and outcome.officer is not None
    return TokenOut(
        token=outcome.issued.token,
        token_id=outcome.issued.row.id,
        expires_at=outcome.issued.row.expires_at,
        officer_id=outcome.officer.id,
        agency_code=outcome.officer.agency_code,
        role=outcome.officer.role,
    )


@router.post("/auth/logout", summary="End the token this request carries")
async def logout(
    caller: Caller = Depends(current_officer), session: AsyncSession = Depends(db, scope="function")
) -> dict[str, str | None]:
    await revoke_own(session, caller, caller.token_id)
    return {"revoked": caller.token_id}


@router.get("/auth/tokens", response_model=list[TokenInfo], summary="The caller's tokens (never their secrets)")
async def my_tokens(caller: Caller = Depends(current_officer), session: AsyncSession = Depends(db, scope="function")):
    return [TokenInfo(**row.model_dump()) for row in await tokens_of(session, caller.officer_id)]


@router.post(
    "/auth/tokens", status_code=201, response_model=TokenOut, summary="An API token for a program (the CLI, a script)"
)
async def new_api_token(
    body: ApiTokenIn,
    caller: Caller = Depends(current_officer),
    session: AsyncSession = Depends(db, scope="function"),
    config: ServiceSettings = Depends(settings),
) -> TokenOut:
    if body.days > config.api_token_max_days:
        raise Invalid(f"an API token lives at most {config.api_token_max_days} days")
    officer = await session.get(Officer, caller.officer_id)
    assert officer is not None
    now = datetime.now(UTC)
    issued = await issue_token(session, officer, kind="api", now=now, ttl=timedelta(days=body.days), label=body.label)
    await record_identity(
        session,
        action="identity.token_issued",
        outcome="api",
        agency_code=caller.agency_code,
        actor=caller.officer_id,
        at=now,
        details={"token_id": issued.row.id, "label": body.label, "days": body.days},
    )
    return TokenOut(
        token=issued.token,
        token_id=issued.row.id,
        expires_at=issued.row.expires_at,
        officer_id=officer.id,
        agency_code=officer.agency_code,
        role=officer.role,
    )


@router.post("/auth/tokens/{token_id}/revoke", summary="End one of the caller's tokens")
async def revoke_token(
    token_id: str, caller: Caller = Depends(current_officer), session: AsyncSession = Depends(db, scope="function")
) -> dict[str, str]:
    await revoke_own(session, caller, token_id)
    return {"revoked": token_id}


@router.post("/auth/password", summary="Change the caller's own password")
async def change_password(
    body: PasswordIn, caller: Caller = Depends(current_officer), session: AsyncSession = Depends(db, scope="function")
) -> dict[str, bool]:
    await change_own_password(session, caller=caller, current=body.current, new=body.new, now=datetime.now(UTC))
    return {"changed": True}


@router.post("/auth/totp", summary="Start enrolling a second factor: the URI to scan into an authenticator app")
async def enrol_totp(
    caller: Caller = Depends(current_officer), session: AsyncSession = Depends(db, scope="function")
) -> dict[str, str]:
    return {"otpauth_uri": await start_totp(session, caller=caller)}


@router.post("/auth/totp/confirm", summary="Confirm the second factor with a current code: from now on it is needed")
async def confirm_second_factor(
    body: TotpCodeIn, caller: Caller = Depends(current_officer), session: AsyncSession = Depends(db, scope="function")
) -> dict[str, bool]:
    await confirm_totp(session, caller=caller, code=body.code, now=datetime.now(UTC))
    return {"totp_enabled": True}
