"""Passwords and second factors: hashed with argon2 (argon2-cffi), TOTP codes by pyotp.

A password is kept only as its argon2 hash; a hash made with weaker parameters than today's is
replaced at the next successful login. TOTP follows RFC 6238 (30-second steps, one step of drift
allowed), the scheme of the authenticator apps an officer already has.
"""

import secrets

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from services.kit.errors import Invalid

MIN_PASSWORD_LENGTH = 10
ISSUER = "tdkt"

_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def password_matches(stored_hash: str | None, password: str) -> bool:
    if not stored_hash:
        return False
    try:
        return _hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return _hasher.check_needs_rehash(stored_hash)


def check_password_policy(password: str, *, username: str) -> None:
    """Refuse a password a person could guess: too short, or the username itself."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise Invalid(f"the password must have at least {MIN_PASSWORD_LENGTH} characters (mật khẩu quá ngắn)")
    if password.strip().lower() == username.strip().lower():
        raise Invalid("the password must not be the username (mật khẩu không được trùng tên đăng nhập)")


def temporary_password() -> str:
    """A one-time password an admin hands over; the officer changes it after logging in."""
    return secrets.token_urlsafe(12)


def new_totp_secret() -> str:
    return pyotp.random_base32()


def totp_uri(secret: str, username: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=ISSUER)


def totp_matches(secret: str | None, code: str | None) -> bool:
    if not secret or not code:
        return False
    return pyotp.TOTP(secret).verify(code.strip(), valid_window=1)
