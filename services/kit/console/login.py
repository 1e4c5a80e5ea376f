"""The login page: a password login, the one address (a login written `username@AGENCY` is sent to
the service that hosts the agency) and, where configured, the button of the identity provider."""

from datetime import UTC, datetime

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from services.kit.console.rendering import render, said
from services.kit.console.session import safe_next, start_session
from services.kit.deps import new_transaction
from services.kit.errors import DomainError
from services.kit.identity.login import LoginPolicy, Outcome, log_in
from services.kit.identity.where import Login, elsewhere, hosting_tier

router = APIRouter(prefix="/console", include_in_schema=False)


def login_page(request: Request, *, next_path: str, username: str = "", error: str | None = None, status: int = 200):
    config = request.app.state.kit.settings
    oidc_label = config.oidc_label if config.oidc_enabled else None
    return render(
        request, "login.html", status=status, next=next_path, error=error, username=username, oidc_label=oidc_label
    )


@router.get("/login", response_class=HTMLResponse)
async def login_form(request: Request, next: str = "/console", username: str = "") -> Response:
    return login_page(request, next_path=safe_next(next), username=username[:200])


@router.post("/login", response_class=HTMLResponse)
async def login(request: Request) -> Response:
    form = await request.form()
    typed, password = str(form.get("username", ""))[:200], str(form.get("password", ""))
    next_path = safe_next(str(form.get("next", "")))
    config = request.app.state.kit.settings
    login = Login.parse(typed)
    try:
        if login.agency_code is not None:
            async with request.app.state.kit.sessions() as session:
                tier = await hosting_tier(session, agency_code=login.agency_code, today=config.today())
            if tier != config.tier:  # the password is not checked here: the hosting service checks it
                return RedirectResponse(elsewhere(config, tier, login=typed.strip(), next_path=next_path), 303)
    except DomainError as refusal:
        return login_page(
            request, next_path=next_path, username=typed, error=said(request, refusal), status=refusal.status
        )
    policy = LoginPolicy.of(config)
    async with new_transaction(request) as session:
        outcome = await log_in(
            session,
            username=login.username,
            password=password,
            totp_code=str(form.get("totp_code", "")) or None,
            now=datetime.now(UTC),
            policy=policy,
            agency_code=login.agency_code,
        )
    if outcome.refusal is not None or outcome.issued is None:  # the failed attempt is already counted
        status = outcome.refusal.status if outcome.refusal else 401
        error = said(request, outcome.refusal) if outcome.refusal else "?"
        return login_page(request, next_path=next_path, username=typed, error=error, status=status)
    response = RedirectResponse(next_path, status_code=303)
    session_cookie(request, response, outcome)
    return response


def session_cookie(request: Request, response: Response, outcome: Outcome) -> None:
    """The console's session for a login that succeeded, however it was made."""
    assert outcome.issued is not None
    config = request.app.state.kit.settings
    max_age = int(LoginPolicy.of(config).token_ttl.total_seconds())
    start_session(response, outcome.issued.token, secure=config.secure_cookies, max_age=max_age)
