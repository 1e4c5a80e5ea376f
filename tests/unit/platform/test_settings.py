"""Settings refuse unsafe values outside development."""

import pytest
from pydantic import ValidationError

from services.province.settings import Settings


def test_development_defaults_to_a_sqlite_file_per_tier(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    settings = Settings()
    assert settings.database_url == "sqlite+aiosqlite:///.data/province.db"
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
