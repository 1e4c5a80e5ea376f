"""Every route needs an officer's token but an explicit list of public ones (the offline OpenAPI
pages aside). Each service's every documented route is called without credentials: exactly the
public ones answer, and the OpenAPI document marks exactly the others as needing a bearer token."""

import re

import pytest

from shared.contracts.tiers import TIER_ORDER, Tier
from tests.helpers import PUBLIC_ROUTES as PUBLIC


@pytest.mark.parametrize("tier", TIER_ORDER, ids=[t.value for t in TIER_ORDER])
async def test_only_the_public_routes_answer_without_a_token(tier_http, tier: Tier):
    client, _ = await tier_http(tier)
    paths = (await client.get("/openapi.json")).json()["paths"]
    answered, unmarked = set(), set()
    for path, operations in paths.items():
        concrete = re.sub(r"\{[^}]+\}", "x", path)
        for method, operation in operations.items():
            response = await client.request(method.upper(), concrete, json={} if method in ("post", "put") else None)
            if response.status_code != 401:
                answered.add((method.upper(), path))
            if not operation.get("security"):
                unmarked.add((method.upper(), path))
    assert answered == PUBLIC, (
        f"answered without a token but not public: {answered - PUBLIC}; public but refused: {PUBLIC - answered}"
    )
    assert unmarked == PUBLIC, f"OpenAPI shows no token needed for {unmarked - PUBLIC}"
