"""What the door does besides checking size (`limits.py`): a rate limit on logins and on the routes
anyone may call without a token, per client address, with `limits` (moving window, in memory, per
process); and the security headers every answer carries.

Behind a reverse proxy the client address is the proxy's unless the proxy passes it on and the
server is told to trust it (uvicorn's `--forwarded-allow-ips`): configure that, or the limit counts
everyone together."""

import re
from collections.abc import Awaitable, Callable

from fastapi import Request, Response
from fastapi.responses import JSONResponse
from limits import RateLimitItem, parse
from limits.aio.storage import MemoryStorage
from limits.aio.strategies import MovingWindowRateLimiter

# (method, path pattern) → the most a client address may send. Logins are also locked per account
# after LOGIN_MAX_FAILURES wrong passwords (identity/login.py); this bounds guessing across accounts.
RATES: list[tuple[str, re.Pattern[str], RateLimitItem]] = [
    ("POST", re.compile(r"^/auth/login$"), parse("20/minute")),
    ("POST", re.compile(r"^/console/login$"), parse("20/minute")),
    ("POST", re.compile(r"^/public/consultations/[^/]+/comments$"), parse("5/minute")),
    ("POST", re.compile(r"^/console/public/consultations/[^/]+$"), parse("5/minute")),
    ("GET", re.compile(r"^/track/[^/]+$"), parse("60/minute")),
    ("GET", re.compile(r"^/console/public/track$"), parse("60/minute")),
]
HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}
# The console's pages load only what the service itself serves (htmx is vendored; a few inline scripts).
CONSOLE_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self' 'unsafe-inline'; frame-ancestors 'none'; form-action 'self'"
)


def guarded() -> Callable[[Request, Callable[[Request], Awaitable[Response]]], Awaitable[Response]]:
    limiter = MovingWindowRateLimiter(MemoryStorage())

    async def guard(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        client = request.client.host if request.client else "unknown"
        for method, pattern, rate in RATES:
            if request.method == method and pattern.match(request.url.path):
                if not await limiter.hit(rate, pattern.pattern, client):
                    return JSONResponse(
                        {"detail": f"too many requests from this address: at most {rate}; try again in a minute "
                         f"(quá nhiều yêu cầu từ địa chỉ này, hãy thử lại sau một phút)"},
                        status_code=429,
                        headers={"Retry-After": "60"},
                    )  # fmt: skip
                break
        response = await call_next(request)
        response.headers.update(HEADERS)
        if request.url.path.startswith("/console"):
            response.headers["Content-Security-Policy"] = CONSOLE_POLICY
        return response

    return guard
