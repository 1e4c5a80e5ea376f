"""The province tier service (Bộ, ban, ngành, tỉnh): hosts provinces, centrally-run cities and ministry-level bodies."""

from fastapi import FastAPI

from services.kit.app import create_app
from services.province.settings import Settings


def build_app(settings: Settings | None = None) -> FastAPI:
    return create_app(
        settings or Settings(),
        title="tdkt province service — Bộ, ban, ngành, tỉnh",
        description="Hosts provinces, centrally-run cities and ministry-level bodies.",
    )
