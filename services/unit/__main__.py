"""`python -m services.unit`: migrate the database, then serve."""

from services.unit.main import build_app
from services.unit.settings import Settings
from shared.kit.runner import serve

settings = Settings()
serve(build_app(settings), settings)
