"""`python -m services.district`: migrate the database, then serve."""

from services.district.settings import Settings
from services.kit.runner import serve

serve("services.district.main:build_app", Settings())
