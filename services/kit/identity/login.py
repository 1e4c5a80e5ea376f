"""Logging in: a username, a password, a TOTP code once one is enrolled; a lock after repeated
failures; or an identity provider vouching for the officer (OIDC). Every attempt leaves an audit
record. Functions never commit.

A failed attempt must be counted even though the caller is refused, so `log_in` returns the
refusal instead of raising it: the route commits the count, then raises.
"""

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.kit.errors import DomainError, Forbidden, Locked, Unauthenticated
from services.kit.identity.credentials import hash_password, needs_rehash, password_matches, totp_matches
from services.kit.identity.models import Officer
from services.kit.identity.tokens import Issued, issue_token
from shared.platform.audit import append_audit, closing_record
from shared.platform.settings import ServiceSettings
from shared.rules.calendar import as_utc

WRONG = "wrong username or password (sai tên đăng nhập hoặc mật khẩu)"
# The same for every wrong login (whether the name exists here is not said), with the likeliest
# cause of a right password refused: an officer another service hosts, typed without the agency.
WRONG_VI = (
    "sai tên đăng nhập hoặc mật khẩu. Nếu tài khoản của bạn thuộc cơ quan ở cấp khác, hãy ghi tên đăng "
    "nhập kèm mã cơ quan của bạn, ví dụ hoa@U91-0001"
)


def wrong_login() -> Unauthenticated:
    return Unauthenticated(WRONG, vi=WRONG_VI)


@dataclass(frozen=True)
class LoginPolicy:
    max_failures: int
    lockout: timedelta
    token_ttl: timedelta

    @classmethod
    def of(cls, settings: ServiceSettings) -> "LoginPolicy":
        return cls(
            max_failures=settings.login_max_failures,
            lockout=timedelta(minutes=settings.login_lockout_minutes),
            token_ttl=timedelta(hours=settings.token_ttl_hours),
        )


@dataclass(frozen=True)
class Outcome:
    issued: Issued | None = None
    officer: Officer | None = None
    refusal: DomainError | None = None


async def record_identity(
    session: AsyncSession,
    *,
    action: str,
    outcome: str,
    agency_code: str,
    actor: str,
    at: datetime,
    reason: str | None = None,
    details: dict | None = None,
    typed: dict[str, str] | None = None,
) -> None:
    """An identity event in this service's audit chain (logins, tokens, officers, roles). What a
    person `typed` that names no officer here (a mistyped username, an e-mail, a password in the
    wrong field) enters as salted commitments under the typed username, erasable (decision 0040).

    The officers of an agency whose log a reorganization closed still log in to read its records
    (decision 0007): their identity events go to the service's own part of the log ("-", the
    agency named in the details), since nothing more may follow the agency's closing record
    (decision 0039)."""
    subject = f"login:{typed['username'].strip().lower()}" if typed else None
    if agency_code != "-" and await closing_record(session, agency_code) is not None:
        details = {**(details or {}), "agency_code": agency_code, "agency_log_closed": True}
        agency_code = "-"
    await append_audit(
        session,
        idempotency_key=f"identity:{uuid.uuid4()}",
        at=at,
        agency_code=agency_code,
        actor=actor,
        action=action,
        outcome=outcome,
        reason=reason,
        details=details or {},
        personal=typed,
        subject=subject,
    )


async def log_in(
    session: AsyncSession,
    *,
    username: str,
    password: str,
    totp_code: str | None,
    now: datetime,
    policy: LoginPolicy,
    agency_code: str | None = None,
) -> Outcome:
    """A password login; with `agency_code` (a login written `username@AGENCY`), the officer must
    belong to that agency, else the answer is the same as for an unknown username."""
    officer = (await session.exec(select(Officer).where(Officer.username == username.strip().lower()))).first()
    if officer is not None and agency_code is not None and officer.agency_code != agency_code:
        officer = None
    if officer is None or not officer.active:
        await record_identity(
            session,
            action="identity.login_failed",
            outcome="refused",
            agency_code=officer.agency_code if officer else "-",
            actor=officer.id if officer else "anonymous",
            at=now,
            reason="unknown or deactivated account",
            typed=None if officer else {"username": username[:100]},
        )
        return Outcome(refusal=wrong_login())
    if officer.locked_until is not None and as_utc(officer.locked_until) > as_utc(now):
        await record_identity(
            session,
            action="identity.login_failed",
            outcome="locked",
            agency_code=officer.agency_code,
            actor=officer.id,
            at=now,
            reason="account locked",
        )
        return Outcome(refusal=locked(officer))
    if not password_matches(officer.password_hash, password):
        return Outcome(refusal=await _failed(session, officer, now, policy, "wrong password"))
    if officer.totp_enabled and not totp_matches(officer.totp_secret, totp_code):
        reason = "a TOTP code is needed" if not totp_code else "wrong TOTP code"
        refusal = await _failed(session, officer, now, policy, reason)
        if not totp_code and isinstance(refusal, Unauthenticated):
            refusal = Unauthenticated("enter the 6-digit code of your authenticator app (mã xác thực hai lớp)")
        return Outcome(refusal=refusal)
    officer.failed_logins, officer.locked_until = 0, None
    if officer.password_hash and needs_rehash(officer.password_hash):
        officer.password_hash = hash_password(password)
    session.add(officer)
    return await _logged_in(session, officer, now, policy, {})


async def log_in_vouched(
    session: AsyncSession, *, username: str, vouched_by: str, subject: str, now: datetime, policy: LoginPolicy
) -> Outcome:
    """A login an identity provider vouches for (`vouched_by`: "oidc"): the officer must already
    exist here and be active, and not be locked. No password and no second factor are asked here
    (the provider asks its own); a refusal counts toward no lock, since nothing was guessed."""
    officer = (await session.exec(select(Officer).where(Officer.username == username))).first()
    details = {"via": vouched_by, "subject": subject[:200], "username": username[:100]}
    if officer is None or not officer.active:
        reason = "unknown identity" if officer is None else "deactivated account"
        await record_oidc_failure(session, reason=reason, now=now, details=details, officer=officer)
        if officer is None:
            return Outcome(refusal=Unauthenticated(
                f"the identity provider vouches for '{username}', but this service has no officer with that "
                "username: ask your agency's admin to create your account with it",
                "UnknownIdentity",
                vi=f"nhà cung cấp định danh xác nhận bạn là '{username}', nhưng dịch vụ này không có cán bộ nào "
                "mang tên đăng nhập đó: hãy nhờ quản trị viên cơ quan tạo tài khoản với tên đăng nhập này",
            ))  # fmt: skip
        return Outcome(refusal=Forbidden(
            f"the account '{username}' is deactivated: ask your agency's admin",
            "DeactivatedAccount",
            vi=f"tài khoản '{username}' đã bị vô hiệu hóa: hãy liên hệ quản trị viên cơ quan",
        ))  # fmt: skip
    if officer.locked_until is not None and as_utc(officer.locked_until) > as_utc(now):
        await record_oidc_failure(session, reason="account locked", now=now, details=details, officer=officer)
        return Outcome(refusal=locked(officer))
    return await _logged_in(session, officer, now, policy, details)


async def record_oidc_failure(
    session: AsyncSession, *, reason: str, now: datetime, details: dict, officer: Officer | None = None
) -> None:
    """A login through the identity provider that failed, and why (a bad state, a refused token…)."""
    await record_identity(
        session,
        action="identity.login_failed",
        outcome="refused",
        agency_code=officer.agency_code if officer else "-",
        actor=officer.id if officer else "anonymous",
        at=now,
        reason=reason,
        # Whom the provider vouched for, when no officer here has that username: committed, not kept in clear.
        details={"via": "oidc"} if officer is None and details else {"via": "oidc", **details},
        typed={k: str(v) for k, v in details.items() if k != "via"} if officer is None and details else None,
    )


async def _logged_in(
    session: AsyncSession, officer: Officer, now: datetime, policy: LoginPolicy, details: dict
) -> Outcome:
    issued = await issue_token(session, officer, kind="login", now=now, ttl=policy.token_ttl)
    await record_identity(
        session,
        action="identity.login",
        outcome="token_issued",
        agency_code=officer.agency_code,
        actor=officer.id,
        at=now,
        details={
            **details,
            "token_id": issued.row.id,
            "expires_at": issued.row.expires_at.isoformat() if issued.row.expires_at else None,
        },
    )
    return Outcome(issued=issued, officer=officer)


def locked(officer: Officer) -> Locked:
    until = as_utc(officer.locked_until).isoformat(timespec="minutes") if officer.locked_until else "?"
    return Locked(
        f"this account is locked after repeated failed logins, until {until} UTC "
        "(tài khoản tạm khóa do đăng nhập sai nhiều lần); ask your agency's admin to reset it sooner"
    )


async def _failed(
    session: AsyncSession, officer: Officer, now: datetime, policy: LoginPolicy, reason: str
) -> DomainError:
    officer.failed_logins += 1
    refusal: DomainError = wrong_login() if reason == "wrong password" else Unauthenticated(reason)
    outcome = "refused"
    if officer.failed_logins >= policy.max_failures:
        officer.locked_until, officer.failed_logins = now + policy.lockout, 0
        refusal, outcome = locked(officer), "locked"
    session.add(officer)
    await record_identity(
        session,
        action="identity.login_failed",
        outcome=outcome,
        agency_code=officer.agency_code,
        actor=officer.id,
        at=now,
        reason=reason,
    )
    return refusal
