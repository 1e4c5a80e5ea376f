"""`python -m services.central`: migrate the database, then serve."""

from services.central.main import build_app
from services.central.settings import Settings
from services.kit.runner import serve

settings = Settings()
serve(build_app(settings), settings)
