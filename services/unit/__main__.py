"""`python -m services.unit`: migrate the database, then serve."""

from services.kit.runner import serve
from services.unit.main import build_app
from services.unit.settings import Settings

settings = Settings()
serve(build_app(settings), settings)
