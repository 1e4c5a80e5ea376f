"""`python -m services.province`: migrate the database, then serve."""

from services.province.main import build_app
from services.province.settings import Settings
from shared.kit.runner import serve

settings = Settings()
serve(build_app(settings), settings)
