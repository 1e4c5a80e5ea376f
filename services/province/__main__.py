"""`python -m services.province`: migrate the database, then serve."""

from services.kit.runner import serve
from services.province.settings import Settings

serve("services.province.main:build_app", Settings())
