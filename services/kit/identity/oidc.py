"""OpenID Connect, the relying party's side: the authorization code flow with PKCE, a state and a
nonce (authlib), the provider's discovery document and keys, and the id_token checked against
those keys (joserfc): signature, issuer, audience, expiry and nonce.

Which officer the provider vouches for is `username_of`: the configured claim names an existing
officer's username; nothing is ever created from a provider's answer (docs/decisions/0018-oidc-login.md).
"""

import time
from dataclasses import dataclass
from functools import partial
from typing import Any
from urllib.parse import quote_plus

import httpx
from authlib.common.security import generate_token
from authlib.common.urls import add_params_to_uri
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from joserfc import jwt
from joserfc.errors import ExpiredTokenError, JoseError
from joserfc.jwk import KeySet

from services.kit.errors import Unauthenticated, Unavailable
from shared.platform.settings import ServiceSettings

ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA")
LEEWAY_SECONDS = 60  # clocks of the provider and this service may differ a little
CACHE_SECONDS = 600  # the provider's discovery document and keys are fetched again after this


class OidcRefused(Unauthenticated):
    """The provider's answer does not establish who the officer is; `reason` goes to the audit log."""

    def __init__(self, reason: str, detail: str, vi: str) -> None:
        super().__init__(detail, "OidcRefused", vi=vi)
        self.reason = reason


@dataclass(frozen=True)
class Pending:
    """What the browser keeps between leaving for the provider and coming back."""

    state: str
    nonce: str
    verifier: str
    next_path: str


def verify_id_token(id_token: str, keys: KeySet, *, issuer: str, client_id: str, nonce: str, now: int) -> dict:
    """The id_token's claims, once its signature matches one of the provider's keys and it was
    issued by `issuer` for `client_id`, in answer to `nonce`, and has not expired."""
    try:
        token = jwt.decode(id_token, keys, algorithms=ALGORITHMS)
    except JoseError as err:
        raise OidcRefused(
            f"bad id_token: {err.error}",
            "the identity provider's answer is not signed by its keys: log in again",
            "câu trả lời của nhà cung cấp định danh không có chữ ký hợp lệ: hãy đăng nhập lại",
        ) from err
    registry = jwt.JWTClaimsRegistry(
        now=now,
        leeway=LEEWAY_SECONDS,
        iss={"essential": True, "value": issuer},
        aud={"essential": True, "value": client_id},
        sub={"essential": True},
        exp={"essential": True},
        nonce={"essential": True, "value": nonce},
    )
    try:
        registry.validate(token.claims)
    except ExpiredTokenError as err:
        raise OidcRefused(
            "expired id_token",
            "the identity provider's answer has expired: log in again",
            "câu trả lời của nhà cung cấp định danh đã hết hạn: hãy đăng nhập lại",
        ) from err
    except JoseError as err:
        raise OidcRefused(
            f"id_token claim refused: {err.description or err.error}",
            "the identity provider's answer was not meant for this login: log in again",
            "câu trả lời của nhà cung cấp định danh không dành cho lần đăng nhập này: hãy đăng nhập lại",
        ) from err
    audiences = token.claims["aud"] if isinstance(token.claims["aud"], list) else [token.claims["aud"]]
    if len(audiences) > 1 and token.claims.get("azp") != client_id:
        raise OidcRefused(
            "id_token azp is not this client",
            "the identity provider's answer was meant for another application: log in again",
            "câu trả lời của nhà cung cấp định danh dành cho ứng dụng khác: hãy đăng nhập lại",
        )
    return dict(token.claims)


def username_of(claims: dict[str, Any], *, claim: str, email_domain: str | None) -> str:
    """The officer's username the provider vouches for: the claim's value in lower case, or with
    an e-mail domain configured, the local part of a (not unverified) address at that domain."""
    value = claims.get(claim)
    if not isinstance(value, str) or not value.strip():
        raise OidcRefused(
            f"no claim {claim}",
            f"the identity provider did not say who you are (no '{claim}'): ask the administrator",
            f"nhà cung cấp định danh không cho biết bạn là ai (thiếu '{claim}'): hãy báo quản trị viên",
        )
    value = value.strip().lower()
    if email_domain is None:
        return value
    local, at, domain = value.rpartition("@")
    if not at or not local or domain != email_domain.lower() or claims.get("email_verified") is False:
        raise OidcRefused(
            f"{claim} is not a verified address at {email_domain}",
            f"'{value}' is not a verified address at {email_domain}: log in with your work account",
            f"'{value}' không phải địa chỉ đã xác minh thuộc {email_domain}: hãy đăng nhập bằng tài khoản công vụ",
        )
    return local


class Provider:
    """The configured provider, as its discovery document and keys describe it (cached)."""

    def __init__(self, settings: ServiceSettings) -> None:
        assert settings.oidc_issuer and settings.oidc_client_id, "OIDC is not configured"
        self.issuer, self.client_id = settings.oidc_issuer, settings.oidc_client_id
        self.secret = settings.oidc_client_secret.get_secret_value() if settings.oidc_client_secret else None
        self.scopes = settings.oidc_scopes
        self._metadata: dict[str, Any] = {}
        self._keys: KeySet | None = None
        self._fetched = 0.0

    async def begin(self, *, redirect_uri: str, next_path: str) -> tuple[str, Pending]:
        """The provider's authorization address to send the browser to, and what to keep meanwhile."""
        metadata = await self._discover()
        pending = Pending(generate_token(32), generate_token(32), generate_token(64), next_path)
        url = add_params_to_uri(
            metadata["authorization_endpoint"],
            [
                ("response_type", "code"),
                ("client_id", self.client_id),
                ("redirect_uri", redirect_uri),
                ("scope", self.scopes),
                ("state", pending.state),
                ("nonce", pending.nonce),
                ("code_challenge", create_s256_code_challenge(pending.verifier)),
                ("code_challenge_method", "S256"),
            ],
        )
        return url, pending

    async def finish(self, *, code: str, pending: Pending, redirect_uri: str) -> dict[str, Any]:
        """The verified id_token claims for the authorization code the provider sent back."""
        metadata = await self._discover()
        form = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri}
        form["code_verifier"] = pending.verifier
        auth = None
        if self.secret is None:
            form["client_id"] = self.client_id
        else:  # client_secret_basic: each part form-encoded first (RFC 6749, 2.3.1)
            auth = httpx.BasicAuth(quote_plus(self.client_id), quote_plus(self.secret))
        answer = await _fetch("POST", metadata["token_endpoint"], data=form, auth=auth)
        id_token = answer.get("id_token")
        if not isinstance(id_token, str):
            raise OidcRefused(
                "no id_token",
                "the identity provider gave no id_token: check OIDC_SCOPES includes 'openid'",
                "nhà cung cấp định danh không trả về id_token: kiểm tra OIDC_SCOPES có 'openid'",
            )
        check = partial(verify_id_token, id_token, issuer=self.issuer, client_id=self.client_id, nonce=pending.nonce)
        try:
            return check(await self._jwks(), now=int(time.time()))
        except OidcRefused as refusal:
            if not refusal.reason.startswith("bad id_token"):
                raise
        # The provider may have rotated its keys since they were fetched: fetch them once more.
        return check(await self._jwks(refresh=True), now=int(time.time()))

    async def _discover(self) -> dict[str, Any]:
        if self._metadata and time.monotonic() - self._fetched < CACHE_SECONDS:
            return self._metadata
        metadata = await _fetch("GET", f"{self.issuer}/.well-known/openid-configuration")
        needed = ("issuer", "authorization_endpoint", "token_endpoint", "jwks_uri")
        if metadata.get("issuer") != self.issuer or not all(isinstance(metadata.get(k), str) for k in needed):
            raise Unavailable(
                f"the identity provider's discovery document does not describe {self.issuer}: check OIDC_ISSUER",
                "OidcMisconfigured",
                vi=f"tài liệu mô tả của nhà cung cấp định danh không khớp với {self.issuer}: kiểm tra OIDC_ISSUER",
            )
        self._metadata, self._keys, self._fetched = metadata, None, time.monotonic()
        return metadata

    async def _jwks(self, *, refresh: bool = False) -> KeySet:
        if self._keys is None or refresh:
            self._keys = KeySet.import_key_set(await _fetch("GET", self._metadata["jwks_uri"]))  # type: ignore[arg-type]
        return self._keys


async def _fetch(method: str, url: str, **options: Any) -> dict[str, Any]:
    """A JSON object from the provider; its failure is the provider's, and said so."""
    try:
        async with httpx.AsyncClient(timeout=10) as client:
            response = await client.request(method, url, headers={"Accept": "application/json"}, **options)
        if response.status_code in (400, 401) and "error" in response.text:  # RFC 6749, 5.2: refused
            raise OidcRefused(
                f"token request refused: {response.json().get('error')}",
                "the identity provider refused this login (it may have been used already): log in again",
                "nhà cung cấp định danh từ chối lần đăng nhập này (có thể đã được dùng): hãy đăng nhập lại",
            )
        response.raise_for_status()
        body = response.json()
    except (httpx.HTTPError, ValueError) as err:
        raise Unavailable(
            f"the identity provider did not answer as expected ({type(err).__name__}): try again, or log in "
            "with a password",
            "OidcUnavailable",
            vi="nhà cung cấp định danh không trả lời đúng: hãy thử lại, hoặc đăng nhập bằng mật khẩu",
        ) from err
    if not isinstance(body, dict):
        raise Unavailable("the identity provider answered something other than a JSON object", "OidcUnavailable")
    return body
