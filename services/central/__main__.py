"""`python -m services.central`: migrate the database, then serve."""

from services.central.settings import Settings
from services.kit.runner import serve

serve("services.central.main:build_app", Settings())
