"""A tờ trình travelling as one BatchWorkflow (decision 0042, `BATCH_WORKFLOWS=true`), through the
HTTP API of a running system: submitted as one workflow, forwarded in one request, then at the
district one awardee returned, one refused and one withdrawn by the proposer (each by the routes a
single nomination uses, the last two splitting it off first), and the rest conferred under one
decision number; the returned one, resubmitted, goes on alone. Each awardee's outcome, the
proposer's view and every level's records agree.

The unit service runs here as two processes (SERVICE_PROCESSES=2, decision 0047): requests, events
and activities land on either, and /metrics adds both up."""

import json
from collections.abc import AsyncIterator

import httpx
import psutil
import pytest

from shared.contracts.tiers import Tier
from tests.conftest import fresh_namespace
from tests.e2e.conftest import RunningSystem, run_system
from tests.helpers import (
    auth,
    decide,
    document,
    eventually,
    levels_decided,
    proposer_kinds,
    ready_to_forward,
    wait_pending,
)

SCHOOL, HON_DAT = "U91-0001", "D903"
AWARD = "LAO_DONG_TIEN_TIEN"
NAMES = ["Đinh Văn An", "Bùi Thị Bình", "Cao Văn Chung", "Đặng Thị Dung", "Đoàn Văn Em"]


@pytest.fixture(scope="module")
async def system(tmp_path_factory, temporal_address, seeded_databases) -> AsyncIterator[RunningSystem]:  # type: ignore[no-untyped-def]
    async for running in run_system(
        tmp_path_factory.mktemp("batch-workflows"), temporal_address, fresh_namespace(), "sqlite", seeded_databases,
        service_env={"BATCH_WORKFLOWS": "true"},  # the default, named: this test is about it
        processes={Tier.UNIT: 2},
    ):  # fmt: skip
        yield running


async def test_a_tờ_trình_as_one_workflow_through_the_api(system: RunningSystem) -> None:
    unit, district = system[Tier.UNIT], system[Tier.DISTRICT]
    clerk = auth(SCHOOL, "clerk")
    ids = []
    for name in NAMES:
        r = await unit.post(
            "/nominations", headers=clerk, json={"nominee_name": name, "award_code": AWARD, "reason": "Hoàn thành tốt"}
        )
        assert r.status_code == 201, r.text
        ids.append(r.json()["id"])
        for kind in proposer_kinds(AWARD):
            assert (await unit.post(f"/nominations/{ids[-1]}/documents", headers=clerk, json=document(kind))).is_success
    a, b, c, d, e = ids
    batch = (await unit.post("/batches", headers=clerk, json={"number": "9/TTr-THSS", "title": "LĐTT"})).json()
    added = await unit.post(f"/batches/{batch['id']}/nominations", headers=clerk, json={"nomination_ids": ids})
    assert added.status_code == 200, added.text
    submitted = await unit.post(f"/batches/{batch['id']}/submit", headers=clerk)
    assert submitted.status_code == 202, submitted.text
    workflows = {s["workflow_id"] for s in submitted.json()["started"]}
    assert len(workflows) == 1 and workflows.pop().startswith("batch-U91-0001-9/TTr-THSS-")  # one for the five

    for nomination_id in ids:
        await wait_pending(unit, SCHOOL, nomination_id)
        await ready_to_forward(unit, SCHOOL, nomination_id)
    many = {"batch_no": "9/TTr-THSS", "reason": "Đủ điều kiện"}
    forwarded = await unit.post("/reviews/decisions", headers=auth(SCHOOL, "chair"), json={**many, "action": "forward"})
    assert forwarded.status_code == 200, forwarded.text
    assert sorted(r["nomination_id"] for r in forwarded.json()["results"] if r["done"]) == sorted(ids)
    for nomination_id in ids:
        await wait_pending(district, HON_DAT, nomination_id)
    # The same request again (its answer lost, say) finds nothing left to forward and says so; a
    # tờ trình that never came here is not found.
    again = await unit.post("/reviews/decisions", headers=auth(SCHOOL, "chair"), json={**many, "action": "forward"})
    assert (again.status_code, again.json()["results"], again.json()["remaining"]) == (200, [], 0), again.text
    unknown = {**many, "batch_no": "404/TTr-THSS", "action": "forward"}
    missing = await unit.post("/reviews/decisions", headers=auth(SCHOOL, "chair"), json=unknown)
    assert missing.status_code == 404 and "404/TTr-THSS" in missing.json()["detail"], missing.text
    status = (await unit.get(f"/nominations/{a}/status", headers=clerk)).json()
    assert (status["state"], status["pending_agency"]) == ("pending", HON_DAT), status

    # One by one, with the routes a nomination travelling alone uses.
    returned = await decide(district, HON_DAT, b, "return", reason="Bổ sung bản nhận xét")
    assert returned.status_code == 200 and returned.json()["state"] == "returned", returned.text
    refused = await decide(district, HON_DAT, c, "refuse", reason="Chưa đủ tiêu chuẩn")
    assert refused.status_code == 200 and refused.json()["state"] == "refused", refused.text
    withdrawn = await unit.post(f"/nominations/{e}/withdraw", headers=clerk, json={"reason": "Chuyển công tác"})
    assert withdrawn.status_code == 200 and withdrawn.json()["state"] == "withdrawn", withdrawn.text
    conferred = await district.post(
        "/decisions", headers=auth(HON_DAT, "chair"),
        json={"decision_no": "31/QĐ-UBND", "reason": "Đạt danh hiệu LĐTT", "batch_no": "9/TTr-THSS"},
    )  # fmt: skip
    assert conferred.status_code == 200, conferred.text
    assert sorted(r["nomination_id"] for r in conferred.json()["results"] if r["conferred"]) == sorted([a, d])

    # The returned one goes on alone: resubmitted, reviewed again at the district, conferred.
    status = (await unit.get(f"/nominations/{b}/status", headers=clerk)).json()
    assert (status["state"], status["step"]) == ("returned", 1), status
    resubmitted = await unit.post(f"/nominations/{b}/resubmit", headers=clerk, json={"reason": "Đã bổ sung"})
    assert resubmitted.status_code == 200, resubmitted.text
    await wait_pending(district, HON_DAT, b)
    alone = await decide(district, HON_DAT, b, "confer", decision_no="33/QĐ-UBND", reason="Đạt danh hiệu LĐTT")
    assert alone.status_code == 200 and alone.json()["state"] == "conferred", alone.text

    expected = {a: "conferred", b: "conferred", c: "refused", d: "conferred", e: "withdrawn"}

    async def proposer_view() -> dict | None:
        view = (await unit.get(f"/batches/{batch['id']}", headers=clerk)).json()
        statuses = {x["nomination_id"]: x["status"] for x in view["awardees"]}
        return statuses if statuses == expected else None

    await eventually(proposer_view, what="the proposer's view of the five outcomes")
    for nomination_id, state in expected.items():
        status = (await unit.get(f"/nominations/{nomination_id}/status", headers=clerk)).json()
        assert status["state"] == state, status
    route = [(Tier.UNIT, SCHOOL), (Tier.DISTRICT, HON_DAT)]
    await levels_decided(system.clients, route, a, ["forward", "confer"])
    await levels_decided(system.clients, route, c, ["forward", "refuse"])
    decision = (await district.get("/decisions/31/QĐ-UBND", headers=auth(HON_DAT, "chair"))).json()
    assert sorted(x["nominee_name"] for x in decision["awardees"]) == sorted([NAMES[0], NAMES[3]])
    for tier, agency in route:
        assert (await system[tier].get("/audit/verify", headers=auth(agency, "chair"))).json()["valid"]


def _sample(page: str, name: str, **labels: str) -> float:
    """The value of one sample of a Prometheus text page (0 if absent)."""
    wanted = ",".join(f'{key}="{value}"' for key, value in sorted(labels.items()))
    for line in page.splitlines():
        if line.startswith(f"{name}{{") and line.split("}", 1)[0].removeprefix(f"{name}{{") == wanted:
            return float(line.rsplit(" ", 1)[1])
    return 0.0


async def test_the_unit_served_by_two_processes_counts_every_request_once(system: RunningSystem) -> None:
    """Two processes answer on the unit's port; /metrics, whichever process answers, counts every
    request of both; and the relays, taking turns, leave nothing unpublished."""
    unit = system[Tier.UNIT]
    child = system.stack.services[Tier.UNIT]
    assert child.proc is not None
    workers = psutil.Process(child.proc.pid).children(recursive=True)
    assert len([p for p in workers if "python" in p.name()]) >= 2, workers

    async def fresh_get(path: str) -> httpx.Response:  # a new connection: either process may take it
        async with httpx.AsyncClient(base_url=str(unit.base_url)) as fresh:
            return await fresh.get(path)

    def health_count(page: str) -> float:
        return _sample(page, "tdkt_http_requests_total", method="GET", route="/health", status="200")

    before = health_count((await fresh_get("/metrics")).text)
    for _ in range(40):
        assert (await fresh_get("/health")).status_code == 200
    counts = [health_count((await fresh_get("/metrics")).text) for _ in range(8)]
    assert set(counts) == {before + 40}, counts

    async def published() -> bool | None:
        return True if _sample((await fresh_get("/metrics")).text, "tdkt_outbox_backlog") == 0 else None

    await eventually(published, what="the unit's outbox published")

    # The two processes share the consumer group: each holds half of the partitions, as each logged
    # at its last rebalance.
    held: dict[int, int] = {}
    for line in (system.stack.config.data_dir / "logs" / "unit.log").read_text().splitlines():
        if '"consumer.partitions_assigned"' in line:
            said = json.loads(line)
            held[said["pid"]] = said["partitions"]
    assert len(held) == 2 and len(set(held.values())) == 1 and 0 not in held.values(), held
