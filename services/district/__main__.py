"""`python -m services.district`: migrate the database, then serve."""

from services.district.main import build_app
from services.district.settings import Settings
from services.kit.runner import serve

settings = Settings()
serve(build_app(settings), settings)
