"""API models of nominee histories."""

from typing import Any

from pydantic import BaseModel, Field


class FactsIn(BaseModel):
    facts: list[dict[str, Any]] = Field(
        min_length=1,
        max_length=500,
        description="History facts, each with a 'kind': rating, award, initiative, discipline, hold, leave, service, "
        "collective_year (see docs/rules.md)",
        examples=[[{"kind": "rating", "year": 2024, "rating": "xuat_sac", "agency_code": "U91-0001"}]],
    )
