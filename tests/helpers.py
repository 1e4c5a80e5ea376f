"""Helpers for tests that drive the running system through HTTP only."""

import asyncio
import base64
import hashlib
import json
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
from aiokafka import AIOKafkaConsumer
from sqlalchemy import event
from sqlmodel.ext.asyncio.session import AsyncSession

from deploy.demo_data import demo_token
from services.kit.identity.models import Officer
from services.kit.identity.tokens import issue_token
from shared.contracts.tiers import Tier
from shared.platform import blobs

# The routes anyone may call, without a token (every other one needs an officer's).
PUBLIC_ROUTES = {
    ("GET", "/health"),
    ("GET", "/metrics"),
    ("GET", "/ready"),
    ("POST", "/auth/login"),
    ("GET", "/agencies"),
    ("GET", "/agencies/{code}"),
    ("GET", "/catalog/awards"),
    ("GET", "/catalog/awards/{code}"),
    ("GET", "/catalog/regimes"),
    ("GET", "/catalog/authorities"),
    ("GET", "/catalog/matrix"),
    ("GET", "/catalog/movements"),
    ("GET", "/catalog/people"),
    ("GET", "/reorganizations"),
    ("GET", "/public/consultations/{consultation_id}"),
    ("POST", "/public/consultations/{consultation_id}/comments"),
    ("GET", "/track/{code}"),
}


def auth(agency: str, role: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {demo_token(agency, role)}"}


async def eventually(check: Callable[[], Awaitable[Any]], within: float = 30, what: str = "condition") -> Any:
    """Poll until `check` returns something truthy; fail with what was last seen."""
    deadline = time.monotonic() + within
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
        "kind": kind,
        "filename": f"{kind}.txt",
        "content_type": "text/plain",
        "content_base64": base64.b64encode(content).decode(),
        "sha256": hashlib.sha256(content).hexdigest(),
    }


async def stored_text(row: Any) -> str:
    """A document row's text, from the object store where its bytes are kept (by SHA-256)."""
    return (await blobs.get(row.sha256)).decode("utf-8")


# Documents a council produces (its minutes, its ballot result) rather than the proposer.
COUNCIL_KINDS = ("bien_ban_hoi_dong", "ket_qua_bo_phieu")


def proposer_kinds(award: str) -> list[str]:
    """What the proposer attaches so that every level's intake finds a complete dossier."""
    from shared.rules.catalog import default_catalog
    from shared.rules.dossier import required_documents

    return [k for k in required_documents(default_catalog(), award, "province") if k not in COUNCIL_KINDS]


async def draft_and_submit(
    unit: httpx.AsyncClient, agency: str, award: str, nominee: str, kinds: list[str] | None = None
) -> dict:
    r = await unit.post(
        "/nominations",
        headers=auth(agency, "clerk"),
        json={"nominee_name": nominee, "award_code": award, "reason": "Thành tích xuất sắc"},
    )
    assert r.status_code == 201, r.text
    nomination_id = r.json()["id"]
    for kind in proposer_kinds(award) if kinds is None else kinds:
        r = await unit.post(
            f"/nominations/{nomination_id}/documents",
            headers=auth(agency, "clerk"),
            json=document(kind, f"{kind}: {nominee}"),
        )
        assert r.status_code == 201, r.text
    r = await unit.post(f"/nominations/{nomination_id}/submit", headers=auth(agency, "clerk"))
    assert r.status_code == 202, r.text
    return r.json()


async def business_date(client: httpx.AsyncClient) -> date:
    return date.fromisoformat((await client.get("/health")).json()["business_date"])


async def post_consultation(
    client: httpx.AsyncClient, agency: str, nomination_id: str, working_days_ago: int = 15
) -> httpx.Response:
    """The proposer published the list that many working days ago (the law asks 10 before the council).

    With 10, the window closes at the end of today: comments are still taken, and the council may meet.
    """
    from shared.rules.calendar import default_calendar

    today, cal = await business_date(client), default_calendar()
    posted = today
    for _ in range(working_days_ago):
        posted -= timedelta(days=1)
        while not cal.is_working_day(posted):
            posted -= timedelta(days=1)
    return await client.post(
        f"/nominations/{nomination_id}/consultation",
        headers=auth(agency, "clerk"),
        json={"posted_on": posted.isoformat(), "channel": f"https://{agency.lower()}.gov.vn/cong-khai"},
    )


async def council_concludes(
    client: httpx.AsyncClient,
    agency: str,
    nomination_id: str,
    award: str,
    nominee: str,
    votes: dict[str, str] | None = None,
) -> dict:
    """The agency's council meets today on one nomination; every member present votes (default: yes).

    The council (created once per agency) is the agency's chair and, where it has one, its clerk.
    """
    chair = auth(agency, "chair")
    council_id, members = await agency_council(client, agency)
    today = (await business_date(client)).isoformat()
    r = await client.post(
        f"/councils/{council_id}/meetings",
        headers=chair,
        json={
            "held_on": today,
            "present": members,
            "items": [{"nomination_id": nomination_id, "award_code": award, "nominee_name": nominee}],
        },
    )
    assert r.status_code == 201, r.text
    meeting_id = r.json()["id"]
    for member in members:
        vote = (votes or {}).get(member, "yes")
        r = await client.post(
            f"/meetings/{meeting_id}/items/{nomination_id}/votes",
            headers=auth(agency, member.split(":")[1]),
            json={"vote": vote},
        )
        assert r.status_code == 201, r.text
    r = await client.post(f"/meetings/{meeting_id}/items/{nomination_id}/close-round", headers=chair)
    assert r.status_code == 200, r.text
    return {**r.json(), "meeting_id": meeting_id}


async def agency_council(client: httpx.AsyncClient, agency: str) -> tuple[str, list[str]]:
    """The agency's council and its members: created on first use, of the agency's chair and, where
    it has one, its clerk."""
    chair = auth(agency, "chair")
    councils = (await client.get("/councils", headers=chair)).json()
    if councils:
        council_id = councils[0]["id"]
        found = (await client.get(f"/councils/{council_id}", headers=chair)).json()["members"]
        return council_id, [m["officer_id"] for m in found]
    r = await client.post("/councils", headers=chair, json={"name": f"Hội đồng Thi đua - Khen thưởng {agency}"})
    assert r.status_code == 201, r.text
    council_id, members = r.json()["id"], []
    for role, position in (("chair", "chair"), ("clerk", "secretary")):
        r = await client.post(
            f"/councils/{council_id}/members",
            headers=chair,
            json={"officer_id": f"{agency}:{role}", "position": position, "from": "2025-01-01"},
        )
        if r.status_code == 201:
            members.append(f"{agency}:{role}")
    return council_id, members


async def council_agrees_on_all(client: httpx.AsyncClient, agency: str, items: list[dict[str, str]]) -> None:
    """The agency's council meets today on many nominations (`nomination_id`, `award_code`,
    `nominee_name` each): every member present casts one ballot paper, yes to each, and every round
    is counted at once."""
    chair = auth(agency, "chair")
    council_id, members = await agency_council(client, agency)
    held_on = (await business_date(client)).isoformat()
    r = await client.post(
        f"/councils/{council_id}/meetings", headers=chair, json={"held_on": held_on, "present": members, "items": items}
    )
    assert r.status_code == 201, r.text
    meeting, ids = r.json()["id"], [item["nomination_id"] for item in items]
    for member in members:
        paper = {"votes": [{"nomination_id": i, "vote": "yes"} for i in ids]}
        r = await client.post(f"/meetings/{meeting}/ballots", headers=auth(agency, member.split(":")[1]), json=paper)
        assert r.status_code == 201, r.text
    r = await client.post(f"/meetings/{meeting}/close-rounds", headers=chair, json={"nomination_ids": ids})
    assert r.status_code == 200 and all(i.get("passed") for i in r.json()["items"]), r.text


async def ready_to_forward(client: httpx.AsyncClient, agency: str, nomination_id: str) -> None:
    """What a level does before it proposes upward: the proposer's public posting, then its council."""
    r = await client.get("/inbox", headers=auth(agency, "chair"), params={"limit": 1000})
    item = next((i for i in r.json() if i["nomination_id"] == nomination_id), None) if r.status_code == 200 else None
    if item is None or item["route"][item["step"]]["tier"] == "central":
        return  # not pending here (the decision will say why), or central: no council gate
    from shared.rules.catalog import default_catalog

    posting = default_catalog().awards[item["award_code"]].public_posting
    if item["proposer_agency"] == agency and posting.required and posting.by != "central_board":
        await post_consultation(client, agency, nomination_id)
    await council_concludes(client, agency, nomination_id, item["award_code"], item["nominee_name"])


async def wait_pending(client: httpx.AsyncClient, agency: str, nomination_id: str, role: str = "chair") -> dict:
    async def pending() -> dict | None:
        r = await client.get("/inbox", headers=auth(agency, role), params={"limit": 1000})
        assert r.status_code == 200, r.text
        return next((i for i in r.json() if i["nomination_id"] == nomination_id), None)

    return await eventually(pending, what=f"{nomination_id} pending at {agency}")


async def decide(
    client: httpx.AsyncClient,
    agency: str,
    nomination_id: str,
    action: str,
    role: str = "chair",
    prepare: bool = True,
    **extra: Any,
) -> httpx.Response:
    """Decide as the agency's officer; before a forward, hold the consultation and council it needs."""
    if action == "forward" and prepare and role == "chair":
        await ready_to_forward(client, agency, nomination_id)
    return await client.post(
        f"/reviews/{nomination_id}/decision", headers=auth(agency, role), json={"action": action, **extra}
    )


async def events_for(bootstrap: str, nomination_id: str, topics: list[str]) -> list[dict]:
    consumer = AIOKafkaConsumer(
        *topics,
        bootstrap_servers=bootstrap,
        group_id=f"probe-{uuid.uuid4()}",
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
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


async def add_officer(session: AsyncSession, officer: Officer, token: str) -> Officer:
    """An officer the seed does not have, who authenticates with `token` (a demo token)."""
    session.add(officer)
    await issue_token(session, officer, kind="demo", now=datetime.now(UTC), ttl=None, secret=token)
    return officer


async def each_level_decided_once(clients: Any, route: list[tuple[Tier, str]], nomination_id: str) -> None:
    """Every agency of `route` recorded one decision and one receipt of the nomination (nothing
    applied twice, whatever died), and every level's audit chain verifies. `clients[tier]` is that
    tier's HTTP client (a running system)."""
    await levels_decided(clients, route, nomination_id)
    for tier, agency in route:
        assert (await clients[tier].get("/audit/verify", headers=auth(agency, "chair"))).json()["valid"]


async def levels_decided(
    clients: Any,
    route: list[tuple[Tier, str]],
    nomination_id: str,
    actions: list[str] | None = None,
    unreached: list[tuple[Tier, str]] = (),  # type: ignore[assignment]
) -> None:
    """Every agency of `route` recorded one receipt of the nomination and one decision, the
    `actions[i]` named for it when given (`forward`, `confer`…), and no agency of `unreached` (the
    levels after the one that ended it) ever received it."""
    for i, (tier, agency) in enumerate([*route, *unreached]):
        r = await clients[tier].get(f"/nominations/{nomination_id}/history", headers=auth(agency, "chair"))
        history = r.json() if r.status_code == 200 else []
        mine = [rec for rec in history if rec["agency_code"] == agency]
        decisions = [rec["action"] for rec in mine if rec["action"].startswith("decision.")]
        received = sum(1 for rec in mine if rec["action"] == "nomination.received")
        if i >= len(route):
            assert received == 0 and not decisions, (agency, "should never have received it", history)
        elif actions is None:
            assert len(decisions) == 1 and received == 1, (agency, history)
        else:
            assert decisions == [f"decision.{actions[i]}"] and received == 1, (agency, actions[i], history)


@contextmanager
def statements(sessions: Any) -> Iterator[list[str]]:
    """Every SQL statement the sessions' engine sends inside the block, in order."""
    sent: list[str] = []

    def note(conn, cursor, statement, *_):  # type: ignore[no-untyped-def]
        sent.append(statement)

    engine = sessions.kw["bind"].sync_engine
    event.listen(engine, "before_cursor_execute", note)
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", note)


def those(sent: list[str], verb: str, *tables: str) -> list[str]:
    """The statements of `sent` that start with `verb` (SELECT, INSERT, …) and name one of `tables`."""
    return [s for s in sent if s.lstrip().upper().startswith(verb) and any(t in s for t in tables)]
