"""Helpers for tests that drive the running system through HTTP only."""

import asyncio
import base64
import hashlib
import json
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
from aiokafka import AIOKafkaConsumer

from deploy.demo_data import demo_token
from shared.tiers import Tier


def auth(agency: str, role: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {demo_token(agency, role)}"}


async def eventually(check: Callable[[], Awaitable[Any]], timeout: float = 30, what: str = "condition") -> Any:
    """Poll until `check` returns something truthy; fail with what was last seen."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        last = await check()
        if last:
            return last
        await asyncio.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}; last value: {last!r}")


def document(kind: str = "to_trinh", text: str = "Tờ trình đề nghị khen thưởng") -> dict[str, str]:
    content = text.encode()
    return {
        "kind": kind, "filename": f"{kind}.txt", "content_type": "text/plain",
        "content_base64": base64.b64encode(content).decode(), "sha256": hashlib.sha256(content).hexdigest(),
    }


async def draft_and_submit(unit: httpx.AsyncClient, agency: str, award: str, nominee: str) -> dict:
    r = await unit.post("/nominations", headers=auth(agency, "clerk"),
                        json={"nominee_name": nominee, "award_code": award, "reason": "Thành tích xuất sắc"})
    assert r.status_code == 201, r.text
    nomination_id = r.json()["id"]
    r = await unit.post(f"/nominations/{nomination_id}/documents", headers=auth(agency, "clerk"), json=document())
    assert r.status_code == 201, r.text
    r = await unit.post(f"/nominations/{nomination_id}/submit", headers=auth(agency, "clerk"))
    assert r.status_code == 202, r.text
    return r.json()


async def wait_pending(client: httpx.AsyncClient, agency: str, nomination_id: str, role: str = "chair") -> dict:
    async def pending() -> dict | None:
        r = await client.get("/inbox", headers=auth(agency, role))
        assert r.status_code == 200, r.text
        return next((i for i in r.json() if i["nomination_id"] == nomination_id), None)

    return await eventually(pending, what=f"{nomination_id} pending at {agency}")


async def decide(client: httpx.AsyncClient, agency: str, nomination_id: str, action: str,
                 role: str = "chair", **extra: Any) -> httpx.Response:
    return await client.post(f"/reviews/{nomination_id}/decision", headers=auth(agency, role),
                             json={"action": action, **extra})


async def events_for(bootstrap: str, nomination_id: str, topics: list[str]) -> list[dict]:
    consumer = AIOKafkaConsumer(*topics, bootstrap_servers=bootstrap, group_id=f"probe-{uuid.uuid4()}",
                                auto_offset_reset="earliest", enable_auto_commit=False)
    await consumer.start()
    try:
        found: list[dict] = []
        batches = await consumer.getmany(timeout_ms=3000)
        while batches:
            for records in batches.values():
                for record in records:
                    envelope = json.loads(record.value)
                    if envelope.get("nomination_id") == nomination_id:
                        found.append(envelope)
            batches = await consumer.getmany(timeout_ms=1000)
        return sorted(found, key=lambda e: e["occurred_at"])
    finally:
        await consumer.stop()


TIERS = list(Tier)
