"""A member at another service than its cluster's organiser acts from its own (decision 0036): Sở
Nội vụ (U91-0002, at the unit service) signs Kiên Giang's khối's pledge and scores itself; the
province's service applies each with the same checks as there and answers; the unit's service shows
the answer. A refused request changes nothing of the year. The events travel by hand between the
two in-process services (the broker's delivery is the platform's, tested elsewhere). SQLite only."""

from datetime import date

import pytest
from sqlmodel import col, select

from services.kit.clusters.handlers import CLUSTER_HANDLERS
from shared.contracts.events import Envelope, parse_event
from shared.contracts.tiers import Tier
from shared.platform.outbox import OutboxEvent
from tests.helpers import auth

pytestmark = pytest.mark.parametrize("tier_http", ["sqlite"], indirect=True)
TODAY = date(2025, 6, 20)
KHOI, SO_NOI_VU, SO_TAI_CHINH = "P91-KHOI-TH", "U91-0002", "STC-P91"
CHAIR, MEMBER = auth("P91", "chair"), auth(SO_NOI_VU, "clerk")
SIGNATURES, SCORES = f"/clusters/{KHOI}/years/2025/signatures", f"/clusters/{KHOI}/years/2025/scores"


async def deliver(source, target, kind: str) -> list[str]:  # type: ignore[no-untyped-def]
    """The events of `kind` in the source service's outbox not yet delivered, applied at the target."""
    async with source() as session:
        rows = (await session.exec(select(OutboxEvent).order_by(col(OutboxEvent.id)))).all()
    done = []
    for row in rows:
        envelope = Envelope.model_validate(row.envelope)
        if envelope.type == kind and row.published_at is None:
            async with target() as session, session.begin():
                await CLUSTER_HANDLERS[kind](session, envelope, parse_event(envelope))
            async with source() as session, session.begin():
                sent = await session.get(OutboxEvent, row.id)
                assert sent is not None
                sent.published_at = sent.created_at
            done.append(envelope.payload["request_id"])
    return done


async def test_a_member_signs_and_scores_from_its_own_service(tier_http):
    province, at_province = await tier_http(Tier.PROVINCE, business_date=TODAY)
    unit, at_unit = await tier_http(Tier.UNIT, business_date=TODAY)
    body = {
        "code": SO_TAI_CHINH,
        "name": "Sở Tài chính",
        "kind": "department",
        "tier": "province",
        "parent_code": "P91",
    }
    assert (await province.post("/agencies", headers=auth("P91", "admin"), json=body)).status_code == 201
    form = {"code": KHOI, "name": "Khối các sở, ngành Tổng hợp", "kind": "khoi", "formed_on": TODAY.isoformat()}
    assert (await province.post("/clusters", headers=CHAIR, json=form)).status_code == 201
    for code in (SO_NOI_VU, SO_TAI_CHINH):
        joined = {"agency_code": code, "starts_on": TODAY.isoformat()}
        assert (await province.post(f"/clusters/{KHOI}/members", headers=CHAIR, json=joined)).status_code == 201
    criteria = [{"code": "tong_hop", "text": "Kết quả thực hiện giao ước", "max_points": 100}]
    year = {"year": 2025, "pledge_items": ["Hoàn thành 100% chỉ tiêu"], "criteria": criteria}
    assert (await province.post(f"/clusters/{KHOI}/years", headers=CHAIR, json=year)).status_code == 201

    other = await unit.post(SIGNATURES, headers=MEMBER, json={"agency_code": SO_TAI_CHINH})
    assert other.status_code == 403 and "only as itself" in other.text  # not for another member
    signed = await unit.post(SIGNATURES, headers=MEMBER, json={"agency_code": SO_NOI_VU})
    assert signed.status_code == 202 and signed.json()["status"] == "sent", signed.text
    over = {"agency_code": SO_NOI_VU, "kind": "self", "points": {"tong_hop": 120}}
    assert (await unit.post(SCORES, headers=MEMBER, json=over)).status_code == 202  # the organiser judges it
    assert len(await deliver(at_unit, at_province, "cluster.act_requested")) == 2

    kept = (await province.get(f"/clusters/{KHOI}", headers=CHAIR)).json()["years"][0]
    assert kept["signed"] == {SO_NOI_VU: "2025-06-20"} and kept["scores"] == {}
    assert len(await deliver(at_province, at_unit, "cluster.act_answered")) == 2
    answers = {r["act"]: r for r in (await unit.get("/clusters/requests", headers=MEMBER)).json()}
    assert answers["sign"]["status"] == "applied" and answers["sign"]["reason"] is None
    assert answers["self"]["status"] == "refused" and "outside 0..max ['tong_hop']" in answers["self"]["reason"]
    assert "vượt điểm tối đa" in answers["self"]["reason_vi"]

    fair = {"agency_code": SO_NOI_VU, "kind": "self", "points": {"tong_hop": 90}}
    assert (await unit.post(SCORES, headers=MEMBER, json=fair)).status_code == 202
    await deliver(at_unit, at_province, "cluster.act_requested")
    kept = (await province.get(f"/clusters/{KHOI}", headers=CHAIR)).json()["years"][0]
    assert kept["scores"] == {SO_NOI_VU: {"self": {"tong_hop": 90}}}
    assert (await unit.get("/clusters/requests", headers=auth("U91-0003", "clerk"))).json() == []  # its own only
