"""The unit tier service (Đơn vị cơ sở): grassroots bodies (agencies, schools, enterprises) and
commune-level People's Committees."""

from fastapi import FastAPI

from services.kit.app import create_app
from services.unit.settings import Settings


def build_app(settings: Settings | None = None) -> FastAPI:
    return create_app(
        settings or Settings(),
        title="tdkt unit service — Đơn vị cơ sở",
        description="Hosts grassroots bodies (agencies, schools, enterprises) and commune-level People's Committees.",
    )
