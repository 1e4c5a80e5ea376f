"""Settings refuse unsafe values outside development."""

import pytest
from pydantic import ValidationError

from services.province.settings import Settings


def test_development_defaults_to_a_sqlite_file_per_tier(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    settings = Settings()
    assert settings.database_url == "sqlite+aiosqlite:///.data/db/province.db"
    assert settings.consumer_group == "tdkt-province"


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DATABASE_URL": "sqlite+aiosqlite:///x.db"}, "PostgreSQL"),
        ({"DATABASE_URL": "postgresql+asyncpg://h/db", "SEED_DEMO_OFFICERS": "true"}, "SEED_DEMO_OFFICERS"),
        ({"DATABASE_URL": "postgresql+asyncpg://h/db", "BUSINESS_DATE": "2025-05-15"}, "BUSINESS_DATE"),
    ],
)
def test_production_refuses_unsafe_settings(monkeypatch, env, message):
    monkeypatch.setenv("ENVIRONMENT", "production")
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    with pytest.raises(ValidationError, match=message):
        Settings()


def test_mail_is_off_when_unset_or_empty_as_compose_passes_it(monkeypatch):
    for key in ("SMTP_HOST", "SMTP_FROM", "SMTP_USERNAME", "SMTP_PASSWORD"):
        monkeypatch.setenv(key, "")
    assert not Settings().mail_enabled
    monkeypatch.setenv("SMTP_HOST", "mail.kiengiang.gov.vn")
    monkeypatch.setenv("SMTP_FROM", "thongbao@KienGiang.gov.vn")
    settings = Settings()
    assert settings.mail_enabled and settings.smtp_port == 587 and settings.smtp_security == "starttls"
    assert settings.smtp_from == "thongbao@kiengiang.gov.vn"


OIDC = {"OIDC_ISSUER": "https://sso.example.gov.vn", "OIDC_CLIENT_ID": "tdkt", "OIDC_CLIENT_SECRET": "s3cret"}


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"SMTP_HOST": "mail.kiengiang.gov.vn"}, "SMTP_HOST and SMTP_FROM go together"),
        ({"SMTP_FROM": "thongbao@kiengiang.gov.vn"}, "SMTP_HOST and SMTP_FROM go together"),
        ({"SMTP_HOST": "h", "SMTP_FROM": "a@b.vn", "SMTP_USERNAME": "u"}, "SMTP_USERNAME and SMTP_PASSWORD"),
        ({"SMTP_HOST": "h", "SMTP_FROM": "thong bao"}, "not an e-mail address"),
        ({"SMTP_HOST": "h", "SMTP_FROM": "a@b.vn", "SMTP_SECURITY": "ssl"}, "smtp_security"),
        ({"SMTP_HOST": "h", "SMTP_FROM": "a@b.vn", "SMTP_PORT": "0"}, "smtp_port"),
    ],
)
def test_a_half_or_malformed_mail_configuration_is_refused(monkeypatch, env, message):
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    with pytest.raises(ValidationError, match=message):
        Settings()


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({**OIDC, "OIDC_ISSUER": "http://sso.example.gov.vn", "PROVINCE_CONSOLE_URL": "https://p"}, "https"),
        ({**OIDC, "OIDC_CLIENT_SECRET": "", "PROVINCE_CONSOLE_URL": "https://p"}, "OIDC_CLIENT_SECRET"),
        (OIDC, "PROVINCE_CONSOLE_URL"),  # where the provider sends officers back
        ({"OIDC_CLIENT_ID": "tdkt", "OIDC_CLIENT_SECRET": "s3cret"}, "OIDC_ISSUER"),
        ({**OIDC, "PROVINCE_CONSOLE_URL": "https://p", "OIDC_SCOPES": "email"}, "openid"),
    ],
)
def test_production_refuses_an_incomplete_oidc_login(monkeypatch, env, message):
    monkeypatch.setenv("ENVIRONMENT", "production")
    monkeypatch.setenv("DATABASE_URL", "postgresql+asyncpg://h/db")
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    with pytest.raises(ValidationError, match=message):
        Settings()


def test_production_refuses_a_smtp_password_in_clear_text(monkeypatch):
    monkeypatch.setenv("ENVIRONMENT", "production")
    monkeypatch.setenv("DATABASE_URL", "postgresql+asyncpg://h/db")
    env = {"SMTP_HOST": "h", "SMTP_FROM": "a@b.vn", "SMTP_USERNAME": "u", "SMTP_PASSWORD": "p"}
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    assert Settings().mail_enabled
    monkeypatch.setenv("SMTP_SECURITY", "none")
    with pytest.raises(ValidationError, match="clear text"):
        Settings()


def test_a_complete_oidc_login_and_the_console_addresses_are_accepted(monkeypatch):
    monkeypatch.setenv("ENVIRONMENT", "production")
    monkeypatch.setenv("DATABASE_URL", "postgresql+asyncpg://h/db")
    for key, value in {**OIDC, "PROVINCE_CONSOLE_URL": "https://tinh.example.gov.vn/", "UNIT_CONSOLE_URL": ""}.items():
        monkeypatch.setenv(key, value)
    settings = Settings()
    assert settings.oidc_enabled and settings.console_url(settings.tier) == "https://tinh.example.gov.vn"
    assert settings.unit_console_url is None  # compose passes "" for unset
    monkeypatch.setenv("CENTRAL_CONSOLE_URL", "javascript:alert(1)")
    with pytest.raises(ValidationError, match="CENTRAL_CONSOLE_URL"):
        Settings()


def test_an_audit_signing_key_is_64_hex_digits_or_unset(monkeypatch):
    monkeypatch.setenv("AUDIT_SIGNING_KEY", "")  # what compose passes when the host sets none
    assert Settings().audit_signing_key is None and Settings().audit_origin == "tdkt/province"
    monkeypatch.setenv("AUDIT_SIGNING_KEY", "not-a-key")
    with pytest.raises(ValidationError, match="64 lowercase hex digits"):
        Settings()
