"""What Prometheus reads and what ties a request to its logs and events (in process, SQLite and
PostgreSQL): request counts by route template and status, latency, the outbox's backlog, and the
request id in the answer's header and in the events the request published."""

import asyncio
import re
import types
import uuid
from datetime import UTC, date, datetime

from aiokafka.errors import KafkaConnectionError
from sqlalchemy import func
from sqlmodel import col, delete, select

from services.kit.supervision import Backoff, Supervisor
from shared.contracts.tiers import Tier
from shared.platform.audit import AuditRecord, append_audit
from shared.platform.outbox import OutboxEvent
from tests.helpers import auth


def value(page: str, series: str) -> float:
    found = re.search(rf"^{re.escape(series)} ([0-9.e+]+)$", page, re.MULTILINE)
    assert found is not None, f"{series} not in:\n{page[:2000]}"
    return float(found[1])


async def test_requests_backlog_and_the_request_id_reach_the_metrics_logs_and_events(tier_http):
    client, sessions = await tier_http(Tier.PROVINCE, business_date=date(2025, 8, 1))
    body = {"code": "U91-0501", "name": "Trường Tiểu học Thử", "kind": "school", "parent_code": "C30823"}
    made = await client.post(
        "/agencies", headers={**auth("P91", "admin"), "X-Request-ID": "req-2025-08-01-0001"}, json=body
    )
    assert made.status_code == 201, made.text
    assert made.headers["X-Request-ID"] == "req-2025-08-01-0001"
    other = await client.get("/catalog/people")
    assert re.fullmatch(r"[0-9a-f]{32}", other.headers["X-Request-ID"])  # made here when none is sent
    for _ in range(2):
        assert (await client.get("/nominations/n-0/status", headers=auth("P91", "clerk"))).status_code in (404, 503)

    page = (await client.get("/metrics")).text
    assert value(page, 'tdkt_http_requests_total{method="POST",route="/agencies",status="201"}') == 1
    assert 'route="/nominations/{nomination_id}/status"' in page and "n-0" not in page  # templates, never ids
    assert value(page, "tdkt_outbox_backlog") == 1  # the registration's event, not yet published (no relay here)
    assert value(page, 'tdkt_http_request_seconds_count{method="POST",route="/agencies"}') == 1
    async with sessions() as session:
        event = (await session.exec(select(OutboxEvent))).one()
    assert event.envelope["request_id"] == "req-2025-08-01-0001"


async def test_readiness_says_what_is_not_running(tier_http):
    client, _ = await tier_http(Tier.UNIT)
    ready = await client.get("/ready")
    assert ready.status_code == 200 and ready.json()["database"] == "ok" and ready.json()["outbox_backlog"] == 0
    app = client._transport.app
    supervisor = Supervisor(backoff=Backoff(first_s=30), on_restart=app.state.metrics.task_restarted)
    kit = app.state.kit
    kit.supervisor = supervisor
    kit.events = types.SimpleNamespace(lag=lambda: asyncio.sleep(0, {"tdkt.awards": 3}), dead_lettered=2)
    supervisor.start("outbox-relay", asyncio.Event().wait)
    running = await client.get("/ready")
    assert running.status_code == 200, running.text
    assert running.json()["tasks"]["outbox-relay"] == {"state": "running", "restarts": 0, "last_error": None}
    assert running.json()["consumer_lag"] == {"tdkt.awards": 3} and running.json()["dead_letters"] == 2
    assert running.json()["temporal_worker"] == {"task": None, "server": "unreachable: AttributeError"}  # no client
    kit.temporal = types.SimpleNamespace(service_client=types.SimpleNamespace(check_health=asyncio.Event().wait))
    hanging = await client.get("/ready")  # a server that does not answer is said so within a second
    assert hanging.status_code == 200 and hanging.json()["temporal_worker"]["server"] == "unreachable: TimeoutError"

    async def broker_away() -> dict[str, int]:
        raise KafkaConnectionError("Unable to bootstrap from [('127.0.0.1', 9092)]")

    kit.events = types.SimpleNamespace(lag=broker_away, dead_lettered=2)
    away = await client.get("/ready")  # the broker away is the broker's, not the database's
    assert away.status_code == 200, away.text
    assert away.json()["database"] == "ok" and away.json()["broker"] == "unavailable: KafkaConnectionError"
    assert (await client.get("/metrics")).status_code == 200
    kit.events = types.SimpleNamespace(lag=lambda: asyncio.sleep(0, {"tdkt.awards": 3}), dead_lettered=2)

    async def broken() -> None:
        raise ConnectionError("broker unreachable")

    supervisor.start("event-consumer", broken)
    await asyncio.sleep(0.05)
    # A consumer that failed and waits to be restarted: the service is alive (/health) but not ready.
    not_ready = await client.get("/ready")
    assert not_ready.status_code == 503
    assert not_ready.json()["tasks"]["event-consumer"] == {
        "state": "restarting",
        "restarts": 1,
        "last_error": "ConnectionError: broker unreachable",
    }
    assert (await client.get("/health")).status_code == 200
    page = (await client.get("/metrics")).text
    assert value(page, 'tdkt_task_restarts_total{task="event-consumer"}') == 1
    assert value(page, 'tdkt_task_up{task="event-consumer"}') == 0
    assert value(page, 'tdkt_task_up{task="outbox-relay"}') == 1
    await supervisor.stop()


async def test_decisions_and_escalations_are_counted_once_then_only_the_records_appended_since(tier_http):
    """A service served by several processes refreshes its metrics every few seconds: a full count
    over an audit log of millions of records each time cost the round of 100,000 a share of a core.
    Counted once, then only what was appended: records already counted are not read again (here,
    all but the last removed behind the tally's back, they still count)."""
    client, sessions = await tier_http(Tier.UNIT, business_date=date(2025, 5, 15))

    async def append(n: int, action: str, outcome: str) -> None:
        async with sessions() as session, session.begin():
            for _ in range(n):
                await append_audit(
                    session, idempotency_key=uuid.uuid4().hex, at=datetime.now(UTC), agency_code="U91-0001",
                    actor="U91-0001:chair", action=action, outcome=outcome,
                )  # fmt: skip

    await append(2, "decision.confer", "conferred")
    await append(1, "deadline.escalated", "moved")
    page = (await client.get("/metrics")).text
    assert value(page, 'tdkt_decisions{action="confer",outcome="conferred"}') == 2
    assert value(page, "tdkt_deadline_escalations") == 1
    async with sessions() as session, session.begin():
        head = (await session.exec(select(func.max(AuditRecord.seq)))).one()
        await session.exec(delete(AuditRecord).where(col(AuditRecord.seq) < head))  # type: ignore[call-overload]
    await append(1, "decision.confer", "conferred")
    await append(1, "decision.refuse", "refused")
    page = (await client.get("/metrics")).text
    assert value(page, 'tdkt_decisions{action="confer",outcome="conferred"}') == 3
    assert value(page, 'tdkt_decisions{action="refuse",outcome="refused"}') == 1
    assert value(page, "tdkt_deadline_escalations") == 1
