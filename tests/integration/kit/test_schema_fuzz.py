"""Schema-driven fuzzing of every service's OpenAPI document, in process (SQLite).

For each tier, schemathesis draws requests from the service's own `/openapi.json`, for every
operation some that fit the schema and some that break it, sends them with an officer's token
through the app's real routers and database, and checks each answer: never a 5xx, a status the
operation declares, a content type and a body its schema describes. Operations about a nomination
are also drawn against a real draft of the caller's agency, so the fuzzing reaches past "not found".
Examples come from a fixed seed (`derandomize`): a run repeats exactly. The workflow port stands
for "no workflow runs for this nomination" (Temporal's own failures are tests/integration/kit/
test_bounded_waits.py's subject). Figures of a run are in docs/testing.md.
"""

import json
import time
from collections import Counter
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import Case, GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from deploy.demo_data import CENTRAL_BOARD, HON_DAT, KIEN_GIANG
from services.kit.workflow_client import NominationNotFound
from shared.contracts.tiers import Tier
from tests.helpers import auth
from tests.integration.kit.test_nominee_management import SCHOOL

pytestmark = pytest.mark.parametrize("tier_http", ["sqlite"], indirect=True)  # the schema's truth, not the database's

# Requests drawn per operation and mode: bounded so the four services take about a minute together.
EXAMPLES = 4
# Who calls: an officer of each tier whose role reaches the most routes there.
CALLERS = {
    Tier.UNIT: (SCHOOL, "clerk"),
    Tier.DISTRICT: (HON_DAT, "chair"),
    Tier.PROVINCE: (KIEN_GIANG, "admin"),
    Tier.CENTRAL: (CENTRAL_BOARD, "admin"),
}
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
# Ending the caller's own token is fuzzed last: every request after it would be a 401.
LAST = "POST /auth/logout"
DRAFT = {"nominee_name": "Nguyễn Thị Lan", "award_code": "GIAY_KHEN", "reason": "Hoàn thành xuất sắc nhiệm vụ"}


class NoWorkflow:
    """The workflow port when no workflow runs for the nomination: starting one is accepted."""

    together = False  # one workflow per awardee

    @property
    def many(self) -> Any:  # work on many goes through the same port
        return self

    async def start(self, nomination: Any) -> str:
        return f"nomination-{nomination.nomination_id}"

    async def update(self, nomination_id: str, *_: Any) -> Any:
        raise NominationNotFound(f"no workflow runs for nomination {nomination_id}")

    async def status(self, nomination_id: str) -> Any:
        raise NominationNotFound(f"no workflow runs for nomination {nomination_id}")

    async def decide_all(self, decisions: list[tuple[str, Any]]) -> list[Any]:
        return [NominationNotFound(f"no workflow runs for nomination {n}") for n, _ in decisions]


def drawn(operation: Any, mode: GenerationMode, **known: Any) -> list[Case]:
    cases: list[Case] = []

    @given(operation.as_strategy(generation_mode=mode, path_parameters=known or None))
    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def collect(case: Case) -> None:
        cases.append(case)

    try:
        collect()
    except Unsatisfiable:  # nothing to break: an operation without parameters or body has no negative case
        pass
    return cases


# The tiers share most operations: one drawing serves every tier whose operation is the same.
_drawings: dict[str, list[Case]] = {}


def requests_of(schema: Any, known: dict[str, str]) -> Iterator[Case]:
    operations = [result.ok() for result in schema.get_all_operations()]
    for operation in sorted(operations, key=lambda o: o.label == LAST):
        key = json.dumps([operation.label, operation.definition.raw], sort_keys=True, default=str)
        if key not in _drawings:
            _drawings[key] = [case for mode in GenerationMode for case in drawn(operation, mode)]
        yield from _drawings[key]
        names = {p.name for p in operation.path_parameters}
        if names and names <= known.keys():
            yield from drawn(operation, GenerationMode.POSITIVE, **{name: known[name] for name in names})


async def sent(client: httpx.AsyncClient, case: Case, headers: dict[str, str]) -> httpx.Response:
    """The case as schemathesis would send it (its own serialisation), through the in-process client."""
    kwargs = case.as_transport_kwargs(base_url="http://test", headers=headers)
    prepared = requests.Request(
        **{k: kwargs.get(k) for k in ("method", "url", "headers", "params", "json", "data", "files", "cookies")}
    ).prepare()
    return await client.request(
        prepared.method or "GET", prepared.url or "/", headers=dict(prepared.headers), content=prepared.body
    )


async def test_unparsable_input_is_declared_and_readable(tier_http):
    """The 422 the services send is the one the schema declares, and it does not echo the input."""
    client, _ = await tier_http(Tier.UNIT, nominations=NoWorkflow())
    document = (await client.get("/openapi.json")).json()
    declared = document["paths"]["/nominations"]["post"]["responses"]["422"]["content"]["application/json"]
    assert declared["schema"] == {"$ref": "#/components/schemas/Unreadable"}
    r = await client.post("/nominations", headers=auth(*CALLERS[Tier.UNIT]), json={**DRAFT, "reason": ""})
    assert r.status_code == 422
    assert r.json()["detail"] == "reason: String should have at least 1 character"
    assert r.json()["errors"] == [
        {"loc": ["body", "reason"], "msg": "String should have at least 1 character", "type": "string_too_short"}
    ]


@pytest.mark.parametrize("tier", list(CALLERS), ids=[t.value for t in CALLERS])
async def test_no_input_gets_a_5xx_or_an_answer_the_schema_does_not_declare(tier_http, tier: Tier):
    client, _ = await tier_http(tier, nominations=NoWorkflow())
    headers = auth(*CALLERS[tier])
    schema = schemathesis.openapi.from_dict((await client.get("/openapi.json")).json())
    known = {}
    if (draft := await client.post("/nominations", headers=headers, json=DRAFT)).status_code == 201:
        known["nomination_id"] = draft.json()["id"]
    started, cpu, statuses = time.monotonic(), time.process_time(), Counter[int]()
    failures: dict[str, str] = {}
    for case in requests_of(schema, known):
        try:
            response = await sent(client, case, headers)
        except Exception as crash:  # noqa: BLE001 - the in-process client raises what a server would answer 500
            statuses[500] += 1
            failures.setdefault(f"{case.operation.label} → 500: {type(crash).__name__}", str(crash))
            continue
        statuses[response.status_code] += 1
        try:
            case.validate_response(response, checks=CHECKS)
        except FailureGroup as found:
            for failure in found.exceptions:
                failures.setdefault(f"{case.operation.label} → {response.status_code}: {failure.title}", response.text)
    took = f"{time.monotonic() - started:.1f} s ({time.process_time() - cpu:.1f} s CPU)"
    count = sum(statuses.values())
    print(f"\n{tier.value}: {count} requests in {took}, {len(failures)} distinct failures; {sorted(statuses.items())}")
    assert not failures, "\n".join(f"{what}\n    {body[:300]}" for what, body in failures.items())
