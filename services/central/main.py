"""The central tier service (Trung ương): the Central Emulation and Commendation Board, the Prime
Minister and the President."""

from fastapi import FastAPI

from services.central.api import router
from services.central.handlers import HANDLERS
from services.central.settings import Settings
from services.kit.app import create_app


def build_app(settings: Settings | None = None) -> FastAPI:
    return create_app(
        settings or Settings(),
        title="tdkt central service — Trung ương",
        description="Hosts the Central Emulation and Commendation Board, the Prime Minister and the President.",
        handlers=HANDLERS,
        routers=(router,),
    )
