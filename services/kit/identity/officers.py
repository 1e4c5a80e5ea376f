"""An agency's officers, as its admin manages them: create, deactivate, change a role, reset a
password; and what an officer does for themselves: change their password, enrol a second factor.
Each change is an audit record. Functions never commit.
"""

import re
from datetime import UTC, datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.kit.errors import Conflict, Invalid, NotFound, Unauthenticated
from services.kit.identity.credentials import (
    check_password_policy,
    hash_password,
    new_totp_secret,
    password_matches,
    temporary_password,
    totp_matches,
    totp_uri,
)
from services.kit.identity.login import record_identity
from services.kit.identity.models import Officer, OfficerToken
from services.kit.identity.service import Caller
from services.kit.identity.tokens import revoke_tokens
from shared.rules.roles import ROLES
from shared.text import email_address

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{2,63}$")


async def create_officer(
    session: AsyncSession,
    *,
    agency_code: str,
    username: str,
    name: str,
    role: str,
    password: str | None,
    by: str,
    now: datetime,
    email: str | None = None,
) -> tuple[Officer, str | None]:
    """A new officer of `agency_code`; without a password, a temporary one is made and returned once."""
    username = username.strip().lower()
    if not USERNAME.match(username):
        raise Invalid(
            "a username has 3 to 64 characters: lower-case letters without diacritics, digits, '.', '_' or '-', "
            "starting with a letter or digit (tên đăng nhập không hợp lệ)"
        )
    if role not in ROLES:
        raise Invalid(f"unknown role '{role}'; use one of {', '.join(ROLES)}")
    email = checked_email(email)
    if (await session.exec(select(Officer.id).where(Officer.username == username))).first() is not None:
        raise Conflict(f"the username '{username}' is taken (tên đăng nhập đã tồn tại)")
    temporary = None
    if password is None:
        password = temporary = temporary_password()
    check_password_policy(password, username=username)
    officer = Officer(
        id=f"{agency_code}:{username}",
        agency_code=agency_code,
        name=name.strip(),
        role=role,
        username=username,
        email=email,
        password_hash=hash_password(password),
        created_at=now,
        created_by=by,
    )
    session.add(officer)
    await record_identity(
        session,
        action="identity.officer_created",
        outcome="active",
        agency_code=agency_code,
        actor=by,
        at=now,
        details={"officer_id": officer.id, "role": role},
    )
    return officer, temporary


def checked_email(email: str | None) -> str | None:
    """The address as stored, None for none (an empty field clears it); Invalid if it is not one."""
    if email is None or not email.strip():
        return None
    try:
        return email_address(email)
    except ValueError as err:
        raise Invalid(str(err)) from None


async def set_email(
    session: AsyncSession, *, caller: Caller, officer: Officer, email: str | None, now: datetime
) -> Officer:
    """Where the officer's notifications go by e-mail; None stops them."""
    officer.email = checked_email(email)
    session.add(officer)
    await record_identity(
        session,
        action="identity.email_changed",
        outcome="set" if officer.email else "cleared",
        agency_code=officer.agency_code,
        actor=caller.officer_id,
        at=now,
        details={"officer_id": officer.id},
    )
    return officer


async def officers_of(session: AsyncSession, agency_code: str) -> list[Officer]:
    rows = await session.exec(select(Officer).where(Officer.agency_code == agency_code).order_by(col(Officer.id)))
    return list(rows.all())


async def agency_officer(session: AsyncSession, caller: Caller, officer_id: str) -> Officer:
    """An officer of the caller's agency; other agencies' officers look absent."""
    officer = await session.get(Officer, officer_id)
    if officer is None or officer.agency_code != caller.agency_code:
        raise NotFound(f"no officer {officer_id} at {caller.agency_code}")
    return officer


async def deactivate_officer(session: AsyncSession, *, caller: Caller, officer: Officer, now: datetime) -> Officer:
    if officer.id == caller.officer_id:
        raise Conflict("an admin cannot deactivate themselves; another admin of the agency can")
    officer.active = False
    session.add(officer)
    await revoke_tokens(session, officer.id, by=caller.officer_id, now=now)
    await record_identity(
        session,
        action="identity.officer_deactivated",
        outcome="inactive",
        agency_code=officer.agency_code,
        actor=caller.officer_id,
        at=now,
        details={"officer_id": officer.id},
    )
    return officer


async def change_role(session: AsyncSession, *, caller: Caller, officer: Officer, role: str, now: datetime) -> Officer:
    if role not in ROLES:
        raise Invalid(f"unknown role '{role}'; use one of {', '.join(ROLES)}")
    before, officer.role = officer.role, role
    session.add(officer)
    await record_identity(
        session,
        action="identity.role_changed",
        outcome=role,
        agency_code=officer.agency_code,
        actor=caller.officer_id,
        at=now,
        details={"officer_id": officer.id, "from": before, "to": role},
    )
    return officer


async def reset_password(session: AsyncSession, *, caller: Caller, officer: Officer, now: datetime) -> str:
    """A temporary password, returned once; the lock is lifted and every token of the officer ends."""
    password = temporary_password()
    officer.password_hash, officer.failed_logins, officer.locked_until = hash_password(password), 0, None
    session.add(officer)
    await revoke_tokens(session, officer.id, by=caller.officer_id, now=now)
    await record_identity(
        session,
        action="identity.password_reset",
        outcome="reset",
        agency_code=officer.agency_code,
        actor=caller.officer_id,
        at=now,
        details={"officer_id": officer.id},
    )
    return password


async def change_own_password(session: AsyncSession, *, caller: Caller, current: str, new: str, now: datetime) -> None:
    officer = await session.get(Officer, caller.officer_id)
    assert officer is not None, "the caller's officer exists"
    if not password_matches(officer.password_hash, current):
        raise Unauthenticated("the current password is wrong (mật khẩu hiện tại không đúng)")
    check_password_policy(new, username=officer.username or "")
    officer.password_hash = hash_password(new)
    session.add(officer)
    await record_identity(
        session,
        action="identity.password_changed",
        outcome="changed",
        agency_code=officer.agency_code,
        actor=officer.id,
        at=now,
    )


async def start_totp(session: AsyncSession, *, caller: Caller) -> str:
    """A new secret for the officer's authenticator app; it takes effect once a code confirms it."""
    officer = await session.get(Officer, caller.officer_id)
    assert officer is not None, "the caller's officer exists"
    if officer.totp_enabled:
        raise Conflict("a second factor is already enrolled; ask your admin to reset it first")
    officer.totp_secret = new_totp_secret()
    session.add(officer)
    return totp_uri(officer.totp_secret, officer.username or officer.id)


async def confirm_totp(session: AsyncSession, *, caller: Caller, code: str, now: datetime) -> None:
    officer = await session.get(Officer, caller.officer_id)
    assert officer is not None, "the caller's officer exists"
    if officer.totp_enabled:
        raise Conflict("a second factor is already enrolled")
    if not totp_matches(officer.totp_secret, code):
        raise Invalid("the code does not match: enter the current code of the app you enrolled (mã không đúng)")
    officer.totp_enabled = True
    session.add(officer)
    await record_identity(
        session,
        action="identity.totp_enabled",
        outcome="enabled",
        agency_code=officer.agency_code,
        actor=officer.id,
        at=now,
    )


async def revoke_own(session: AsyncSession, caller: Caller, token_id: str | None) -> None:
    """End one of the caller's own tokens (logging out, a lost API token)."""
    row = await session.get(OfficerToken, token_id) if token_id else None
    if row is None or row.officer_id != caller.officer_id:
        raise NotFound(f"no token {token_id} of {caller.officer_id}")
    now = datetime.now(UTC)
    if row.revoked_at is None:
        row.revoked_at, row.revoked_by = now, caller.officer_id
        session.add(row)
        await record_identity(
            session,
            action="identity.token_revoked",
            outcome="revoked",
            agency_code=caller.agency_code,
            actor=caller.officer_id,
            at=now,
            details={"token_id": row.id},
        )
