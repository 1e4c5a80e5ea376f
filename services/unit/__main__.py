"""`python -m services.unit`: migrate the database, then serve."""

from services.kit.runner import serve
from services.unit.settings import Settings

serve("services.unit.main:build_app", Settings())
