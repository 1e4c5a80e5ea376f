"""Domain errors: what service functions raise, each with a message a person can act on.

Service functions know nothing of HTTP; the app factory installs one handler that answers each
error with its status and `{"detail": ...}` (`services.kit.app`).
"""

from typing import Any

from sqlalchemy.exc import OperationalError


class DomainError(Exception):
    """A request the domain refuses. `detail` is a sentence, or a dict for structured verdicts;
    `kind`, where given, names the refusal for a program (the console words it in the page's
    language); `vi` is the same refusal in Vietnamese where the service says it (the console shows
    it on a Vietnamese page; the API's `detail` does not change)."""

    status = 400

    def __init__(self, detail: str | dict[str, Any], kind: str | None = None, *, vi: str | None = None) -> None:
        super().__init__(detail if isinstance(detail, str) else detail.get("message", str(detail)))
        self.detail = detail
        self.kind = kind
        self.vi = vi


class NotFound(DomainError):
    """The thing does not exist for this caller (other agencies' records look absent too)."""

    status = 404


class Forbidden(DomainError):
    status = 403


class Conflict(DomainError):
    """Not allowed in the current state (already decided, not pending, a vote already cast)."""

    status = 409


class Tampered(DomainError):
    """Stored bytes that no longer match their SHA-256: refused, never served."""

    status = 409


class Invalid(DomainError):
    """The request is well-formed but says something the rules refuse."""

    status = 422


class TooLarge(DomainError):
    status = 413


class UnsupportedType(DomainError):
    status = 415


class Unavailable(DomainError):
    """A part the request needs (Temporal, the broker) does not answer now; trying again may work."""

    status = 503


def database_busy(err: BaseException) -> Unavailable | None:
    """SQLite's one writer kept the lock past the busy timeout (`shared/platform/db.py`): what the
    waiting transaction would have written was not, and trying again may work. None for any other
    error."""
    if not isinstance(err, OperationalError) or "database is locked" not in str(err.orig):
        return None
    return Unavailable(
        "the database is busy with other writes and this request waited too long; nothing was written: "
        "try again in a moment",
        "DatabaseBusy",
        vi="cơ sở dữ liệu đang bận ghi dữ liệu khác; yêu cầu chưa được ghi: xin thử lại sau ít giây",
    )


class Unauthenticated(DomainError):
    """Who the caller is could not be established (a wrong password, an unknown user)."""

    status = 401


class Locked(DomainError):
    """The account is locked for a while after repeated failed logins."""

    status = 423
