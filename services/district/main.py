"""The district tier service (Cấp huyện): hosts district-level People's Committees (abolished on 2025-07-01)."""

from fastapi import FastAPI

from services.district.settings import Settings
from services.kit.app import create_app


def build_app(settings: Settings | None = None) -> FastAPI:
    return create_app(
        settings or Settings(),
        title="tdkt district service — Cấp huyện",
        description="Hosts district-level People's Committees (abolished on 2025-07-01).",
    )
