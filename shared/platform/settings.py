"""Settings shared by every tier service; each tier subclasses with its own defaults.

Configuration comes from environment variables only (no prefix), so that the same names work in
`docker-compose.yml`, the embedded launcher and the tests.
"""

from datetime import date
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.contracts.tiers import Tier
from shared.text import email_address

# The settings naming each tier's console address (`UNIT_CONSOLE_URL`, …).
CONSOLE_URLS = tuple(f"{tier.value}_console_url" for tier in Tier)


class ServiceSettings(BaseSettings):
    model_config = SettingsConfigDict(extra="ignore", frozen=True)

    tier: Tier
    environment: Literal["development", "test", "production"] = "development"
    database_url: str = ""
    kafka_bootstrap_servers: str = "127.0.0.1:9092"
    temporal_address: str = "127.0.0.1:7233"
    temporal_namespace: str = "default"
    http_host: str = "127.0.0.1"
    http_port: int = 8000
    # Processes serving this service on one machine, each with every task (decision 0047): HTTP,
    # the event consumer, the Temporal worker; the outbox relay publishes from one at a time.
    service_processes: int = Field(default=1, ge=1, le=16)
    log_level: str = "INFO"
    # How often the outbox relay polls when nothing woke it (it is also woken on commit).
    outbox_poll_ms: int = 200
    # Published events are kept this long, to be published again if the broker loses its log; the
    # relay looks for such a loss (and for missing topics) this often (decision 0032).
    outbox_retention_hours: float = Field(default=168, gt=0)
    outbox_check_seconds: float = Field(default=10, gt=0, le=3600)
    # Partitions of every topic: the relay creates missing topics and widens narrow ones.
    kafka_topic_partitions: int = Field(default=12, ge=1, le=1000)
    # Bounded retries before a consumed event is parked on the dead-letter topic.
    consumer_max_attempts: int = 5
    consumer_group: str = ""
    # The audit log's signing identity (decision 0034): its origin name (default `tdkt/<tier>`) and its
    # Ed25519 key, AUDIT_SIGNING_KEY (the 32-byte seed in hex; replicas of one service share it) or
    # else a key generated on first start into AUDIT_KEY_FILE (default `.data/keys/<tier>-audit.key`).
    audit_origin: str = ""
    audit_signing_key: SecretStr | None = None
    audit_key_file: str = ""
    # A new checkpoint of the audit log is signed at most this often, when records were appended.
    audit_checkpoint_seconds: float = Field(default=5, gt=0, le=3600)
    # Demo officers with well-known tokens: development only, and their tokens are refused elsewhere.
    seed_demo_officers: bool = False
    # Logging in: a lock after this many failed attempts in a row, for this long; tokens' lifetimes.
    login_max_failures: int = Field(default=5, ge=1, le=100)
    login_lockout_minutes: int = Field(default=15, ge=1, le=24 * 60)
    token_ttl_hours: int = Field(default=12, ge=1, le=24 * 31)
    api_token_max_days: int = Field(default=90, ge=1, le=366)
    # The console's session cookie is sent over HTTPS only; unset: everywhere but development.
    console_secure_cookie: bool | None = None
    # The deployment's first admin, created at start-up if that username does not exist yet.
    bootstrap_admin_agency: str | None = None
    bootstrap_admin_username: str | None = None
    bootstrap_admin_password: SecretStr | None = None
    # Where documents' bytes live, shared by every service of the deployment: `file:///abs/dir`
    # (default: .data/objects) or `s3://bucket` (endpoint and credentials from AWS_* variables).
    object_store_url: str = ""
    # For an S3-compatible store (MinIO in docker-compose.yml): its address and credentials.
    object_store_endpoint: str | None = None
    object_store_access_key: str | None = None
    object_store_secret_key: SecretStr | None = None
    object_store_region: str = "us-east-1"
    # A tờ trình's awardees travel as one BatchWorkflow per route (decision 0042); off: one
    # NominationWorkflow each.
    batch_workflows: bool = True
    # The date this service treats as today for routing and regimes, so that a demo or training
    # system can stand before the 2025 reorganization. Refused in production.
    business_date: date | None = None
    # E-mail of notifications: on when SMTP_HOST and SMTP_FROM are set (decision 0019). Security:
    # `starttls` (upgrade a plain connection, port 587), `tls` (TLS from the start, port 465) or
    # `none` (a relay on a trusted network only). Username and password are optional, together.
    smtp_host: str | None = None
    smtp_port: int = Field(default=587, ge=1, le=65535)
    smtp_security: Literal["starttls", "tls", "none"] = "starttls"
    smtp_from: str | None = None
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    # A mail the server did not take is tried again after MAIL_RETRY_SECONDS, doubling, at most
    # MAIL_MAX_ATTEMPTS times in all; then it is recorded as failed.
    mail_max_attempts: int = Field(default=8, ge=1, le=50)
    mail_retry_seconds: float = Field(default=30, gt=0, le=3600)
    # Where each tier service's console is, as people's browsers reach it (`https://host[:port]`):
    # a login for an agency another service hosts is sent there (any console is the one address),
    # and a service's e-mails link to its own tier's.
    unit_console_url: str | None = None
    district_console_url: str | None = None
    province_console_url: str | None = None
    central_console_url: str | None = None
    # Login through an OpenID Connect provider (docs/decisions/0018-oidc-login.md): off unless
    # OIDC_ISSUER and OIDC_CLIENT_ID are set. The claim names an officer's username (or, with
    # OIDC_EMAIL_DOMAIN, an e-mail address at that domain whose local part is the username).
    oidc_issuer: str | None = None
    oidc_client_id: str | None = None
    oidc_client_secret: SecretStr | None = None
    oidc_scopes: str = "openid email profile"
    oidc_username_claim: str = "preferred_username"
    oidc_email_domain: str | None = None
    oidc_label: str = "OIDC"

    @property
    def demo_allowed(self) -> bool:
        """Demo officers' tokens are accepted in development only."""
        return self.environment == "development"

    def object_store_options(self) -> dict[str, str]:
        """What obstore needs beyond the URL to reach an S3-compatible store."""
        options = {"region": self.object_store_region}
        if self.object_store_endpoint:
            options["endpoint"] = self.object_store_endpoint
        if self.object_store_access_key and self.object_store_secret_key:
            options["access_key_id"] = self.object_store_access_key
            options["secret_access_key"] = self.object_store_secret_key.get_secret_value()
        return options

    @property
    def mail_enabled(self) -> bool:
        return bool(self.smtp_host and self.smtp_from)

    @property
    def secure_cookies(self) -> bool:
        if self.console_secure_cookie is not None:
            return self.console_secure_cookie
        return self.environment != "development"

    def console_url(self, tier: Tier) -> str | None:
        """The public address of `tier`'s service (no trailing slash), or None when not configured."""
        url: str | None = getattr(self, f"{tier.value}_console_url")
        return url

    @property
    def oidc_enabled(self) -> bool:
        return bool(self.oidc_issuer and self.oidc_client_id)

    def today(self) -> date:
        return self.business_date or date.today()

    @model_validator(mode="after")
    def _defaults_and_safety(self) -> "ServiceSettings":
        if not self.database_url:
            # Where `make run` keeps it with its default data dir, so that `python -m deploy.admin`
            # and `python -m services.kit.migrate` reach the embedded run's database.
            object.__setattr__(self, "database_url", f"sqlite+aiosqlite:///.data/db/{self.tier.value}.db")
        if self.bootstrap_admin_password and not self.bootstrap_admin_password.get_secret_value():
            object.__setattr__(self, "bootstrap_admin_password", None)  # compose passes "" when unset
        if self.bootstrap_admin_password and not (self.bootstrap_admin_agency and self.bootstrap_admin_username):
            raise ValueError("BOOTSTRAP_ADMIN_PASSWORD needs BOOTSTRAP_ADMIN_AGENCY and BOOTSTRAP_ADMIN_USERNAME")
        _check_mail(self)
        _check_addresses(self)
        if not self.object_store_url:
            object.__setattr__(self, "object_store_url", f"file://{Path('.data/objects').resolve()}")
        if not self.consumer_group:
            object.__setattr__(self, "consumer_group", f"tdkt-{self.tier.value}")
        if self.audit_signing_key is not None:
            seed = self.audit_signing_key.get_secret_value().strip()
            if seed and (len(seed) != 64 or seed.strip("0123456789abcdef")):
                raise ValueError("AUDIT_SIGNING_KEY must be 64 lowercase hex digits (an Ed25519 seed)")
            object.__setattr__(self, "audit_signing_key", SecretStr(seed) if seed else None)
        if not self.audit_origin:
            object.__setattr__(self, "audit_origin", f"tdkt/{self.tier.value}")
        if not self.audit_key_file:
            object.__setattr__(self, "audit_key_file", str(Path(f".data/keys/{self.tier.value}-audit.key").resolve()))
        if self.environment == "production":
            if self.database_url.startswith("sqlite"):
                raise ValueError("DATABASE_URL must name a PostgreSQL database in production")
            if self.seed_demo_officers:
                raise ValueError("SEED_DEMO_OFFICERS must be false in production")
            if self.business_date is not None:
                raise ValueError("BUSINESS_DATE (a simulated today) is not allowed in production")
            if self.smtp_username and self.smtp_security == "none":
                raise ValueError("SMTP_SECURITY=none would send SMTP_PASSWORD in clear text: use starttls or tls")
            if self.oidc_enabled:
                _check_production_oidc(self)
        return self


def _check_mail(settings: ServiceSettings) -> None:
    """Empty values are unset (compose passes "" for a variable the host does not set); a half
    configuration is refused rather than leaving officers without the e-mails they expect."""
    for name in ("smtp_host", "smtp_from", "smtp_username", "smtp_password"):
        value = getattr(settings, name)
        if value is not None and not (value.get_secret_value() if isinstance(value, SecretStr) else value.strip()):
            object.__setattr__(settings, name, None)
    if bool(settings.smtp_host) != bool(settings.smtp_from):
        raise ValueError("SMTP_HOST and SMTP_FROM go together: set both to send e-mail, or neither")
    if bool(settings.smtp_username) != bool(settings.smtp_password):
        raise ValueError("SMTP_USERNAME and SMTP_PASSWORD go together")
    if settings.smtp_username and not settings.smtp_host:
        raise ValueError("SMTP_USERNAME is set but SMTP_HOST is not")
    if settings.smtp_from:
        object.__setattr__(settings, "smtp_from", email_address(settings.smtp_from))


def _check_addresses(settings: ServiceSettings) -> None:
    """Console addresses and the OIDC provider: empty means unset (compose passes ""), an address
    is http(s) with no query, and OIDC is all or nothing."""
    for name in ("oidc_issuer", "oidc_client_id", "oidc_email_domain", *CONSOLE_URLS):
        value = getattr(settings, name)
        if value is not None and not value.strip():
            object.__setattr__(settings, name, None)
    if settings.oidc_client_secret is not None and not settings.oidc_client_secret.get_secret_value():
        object.__setattr__(settings, "oidc_client_secret", None)
    for name in ("oidc_issuer", *CONSOLE_URLS):
        value = getattr(settings, name)
        if value is None:
            continue
        parts = urlsplit(value.strip())
        if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
            raise ValueError(f"{name.upper()} must be an http(s) address without a query, not {value!r}")
        object.__setattr__(settings, name, value.strip().rstrip("/"))
    partial = settings.oidc_issuer or settings.oidc_client_id or settings.oidc_client_secret
    if partial and not settings.oidc_enabled:
        raise ValueError("OIDC login needs both OIDC_ISSUER and OIDC_CLIENT_ID (or neither)")
    if settings.oidc_enabled and "openid" not in settings.oidc_scopes.split():
        raise ValueError("OIDC_SCOPES must include 'openid'")


def _check_production_oidc(settings: ServiceSettings) -> None:
    """In production an OIDC login is complete: a confidential client, TLS to the provider, and the
    address the provider sends the officer back to."""
    if not (settings.oidc_issuer or "").startswith("https://"):
        raise ValueError("OIDC_ISSUER must be an https:// address in production")
    if settings.oidc_client_secret is None:
        raise ValueError("OIDC_CLIENT_SECRET must be set in production")
    own = f"{settings.tier.value}_console_url"
    if settings.console_url(settings.tier) is None:
        raise ValueError(f"{own.upper()} must be set with OIDC in production: the provider sends officers back there")
