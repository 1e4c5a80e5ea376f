"""`python -m services.province`: migrate the database, then serve."""

from services.kit.runner import serve
from services.province.main import build_app
from services.province.settings import Settings

settings = Settings()
serve(build_app(settings), settings)
