"""The console's session: an HttpOnly, SameSite=Strict cookie holding the officer's login token
(the same token `POST /auth/login` issues, so expiry, revocation and lock-out are the API's), and
a CSRF token derived from it that every form sends back.

The CSRF token is a hash of the session token: a page of another site can neither read the
cookie nor compute the hash, and the server keeps no state for it.
"""

import hashlib
import hmac
from urllib.parse import quote

from fastapi import Request
from starlette.datastructures import FormData
from starlette.responses import Response

from services.kit.errors import Forbidden
from services.kit.identity.auth import caller_of
from services.kit.identity.service import Caller

COOKIE = "tdkt_session"


class LoginRequired(Exception):
    """No valid session: the app answers with a redirect to the login page."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


def csrf_of(session_token: str) -> str:
    return hashlib.sha256(f"tdkt-console-csrf:{session_token}".encode()).hexdigest()[:40]


async def console_officer(request: Request) -> Caller:
    token = request.cookies.get(COOKIE)
    caller = await caller_of(request, token) if token else None
    if caller is None:  # back to the same address after the login, its filters too
        raise LoginRequired(f"{request.url.path}?{request.url.query}" if request.url.query else request.url.path)
    return caller


def csrf_valid(request: Request, sent: str | None) -> bool:
    token = request.cookies.get(COOKIE)
    return bool(token and sent and hmac.compare_digest(csrf_of(token), sent))


async def checked_form(request: Request) -> FormData:
    """The posted form, once its CSRF token matches the session's."""
    form = await request.form()
    if not csrf_valid(request, str(form.get("csrf", ""))):
        raise Forbidden("the form has expired: reload the page (biểu mẫu đã hết hạn, hãy tải lại trang)")
    return form


def login_url(next_path: str) -> str:
    return f"/console/login?next={quote(next_path)}"


def safe_next(next_path: str | None) -> str:
    """Only a path of this console: never an address elsewhere (open redirect)."""
    if next_path and next_path.startswith("/console") and not next_path.startswith("//"):
        return next_path
    return "/console"


def start_session(response: Response, token: str, *, secure: bool, max_age: int) -> None:
    response.set_cookie(COOKIE, token, max_age=max_age, httponly=True, secure=secure, samesite="strict", path="/")


def end_session(response: Response) -> None:
    response.delete_cookie(COOKIE, path="/")
