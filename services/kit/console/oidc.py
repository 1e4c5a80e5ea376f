"""Logging in through the deployment's OpenID Connect provider (shown only where configured).

`/console/oidc/start` sends the browser to the provider with a fresh state, nonce and PKCE
challenge, kept meanwhile in a short-lived HttpOnly cookie; `/console/oidc/callback` checks the
state, exchanges the code, verifies the id_token and logs the officer in with the same session
cookie as a password login. Both are public: they are how a person without a session gets one.
"""

import base64
import hmac
import json
from dataclasses import asdict
from datetime import UTC, datetime

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from services.kit.console.login import login_page, session_cookie
from services.kit.console.rendering import render, said
from services.kit.console.session import safe_next
from services.kit.deps import new_transaction
from services.kit.errors import DomainError, NotFound
from services.kit.identity.login import LoginPolicy, log_in_vouched, record_oidc_failure
from services.kit.identity.oidc import OidcRefused, Pending, Provider, username_of

router = APIRouter(prefix="/console/oidc", include_in_schema=False)

PENDING_COOKIE = "tdkt_oidc"
PENDING_SECONDS = 600  # time to log in at the provider


def provider(request: Request) -> Provider:
    """The configured provider (its discovery document and keys cached for the app's life)."""
    config = request.app.state.kit.settings
    if not config.oidc_enabled:
        raise NotFound(
            "this service has no identity provider (OIDC_ISSUER)", vi="dịch vụ này chưa cấu hình đăng nhập OIDC"
        )
    if getattr(request.app.state, "oidc", None) is None:
        request.app.state.oidc = Provider(config)
    found: Provider = request.app.state.oidc
    return found


def redirect_uri(request: Request) -> str:
    config = request.app.state.kit.settings
    base = config.console_url(config.tier) or str(request.base_url).rstrip("/")
    return f"{base}/console/oidc/callback"


@router.get("/start")
async def start(request: Request, next: str = "/console") -> Response:
    found = provider(request)
    try:
        url, pending = await found.begin(redirect_uri=redirect_uri(request), next_path=safe_next(next))
    except DomainError as refusal:  # the provider does not answer: say so where a password still works
        return login_page(request, next_path=safe_next(next), error=said(request, refusal), status=refusal.status)
    response = RedirectResponse(url, status_code=303)
    # Lax, not Strict: the provider sends the browser back with a top-level GET from its own site.
    response.set_cookie(
        PENDING_COOKIE,
        base64.urlsafe_b64encode(json.dumps(asdict(pending)).encode()).decode(),
        max_age=PENDING_SECONDS,
        httponly=True,
        secure=request.app.state.kit.settings.secure_cookies,
        samesite="lax",
        path="/console/oidc",
    )
    return response


@router.get("/callback", response_class=HTMLResponse)
async def callback(request: Request) -> Response:
    provider(request)  # none configured: nothing to answer
    now = datetime.now(UTC)
    pending = _pending(request)
    next_path = pending.next_path if pending else "/console"
    try:
        claims = await _vouched_claims(request, pending)
        config = request.app.state.kit.settings
        username = username_of(claims, claim=config.oidc_username_claim, email_domain=config.oidc_email_domain)
    except OidcRefused as refusal:
        async with new_transaction(request) as session:
            await record_oidc_failure(session, reason=refusal.reason, now=now, details={})
        return _refused(request, next_path, refusal)
    except DomainError as refusal:  # the provider did not answer: nothing was tried, nothing to audit
        return _refused(request, next_path, refusal)
    async with new_transaction(request) as session:
        outcome = await log_in_vouched(
            session,
            username=username,
            vouched_by="oidc",
            subject=str(claims["sub"]),
            now=now,
            policy=LoginPolicy.of(config),
        )
    if outcome.refusal is not None:
        return _refused(request, next_path, outcome.refusal)
    # A page that moves on, not a redirect: the browser came from the provider's site, and the
    # SameSite=Strict session cookie is sent only once the next request starts from this site.
    response = render(request, "oidc_done.html", next=safe_next(next_path))
    session_cookie(request, response, outcome)
    response.delete_cookie(PENDING_COOKIE, path="/console/oidc")
    return response


async def _vouched_claims(request: Request, pending: Pending | None) -> dict:
    sent_state, code = request.query_params.get("state", ""), request.query_params.get("code", "")
    if pending is None or not hmac.compare_digest(pending.state, sent_state):
        raise OidcRefused(
            "state mismatch",
            "this login was not started here, or took too long: start again",
            "lần đăng nhập này không bắt đầu từ trang này, hoặc đã quá lâu: hãy đăng nhập lại",
        )
    if error := request.query_params.get("error"):
        raise OidcRefused(
            f"provider error: {error[:100]}",
            f"the identity provider did not log you in ({error[:100]})",
            f"nhà cung cấp định danh không cho đăng nhập ({error[:100]})",
        )
    if not code:
        raise OidcRefused("no code", "the identity provider sent no code: start again", "thiếu mã: hãy đăng nhập lại")
    return await provider(request).finish(code=code, pending=pending, redirect_uri=redirect_uri(request))


def _pending(request: Request) -> Pending | None:
    raw = request.cookies.get(PENDING_COOKIE)
    if not raw:
        return None
    try:
        return Pending(**json.loads(base64.urlsafe_b64decode(raw.encode())))
    except (ValueError, TypeError):
        return None


def _refused(request: Request, next_path: str, refusal: DomainError) -> Response:
    response = login_page(request, next_path=next_path, error=said(request, refusal), status=refusal.status)
    response.delete_cookie(PENDING_COOKIE, path="/console/oidc")
    return response
