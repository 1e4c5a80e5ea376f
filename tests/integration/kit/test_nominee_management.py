"""Only the agency that manages a nominee proposes them and writes their history; histories are
read only by that agency and the agencies a nomination concerning the nominee passes through; a
fact recorded in error is retracted, with a reason, by the agency that recorded it."""

from sqlmodel import select

from services.kit.nominees.models import Nominee
from shared.contracts.events import NomineeFactRetracted, NomineeRegistered
from shared.contracts.tiers import Tier
from shared.platform.outbox import OutboxEvent
from tests.helpers import auth

SCHOOL, ENTERPRISE = "U91-0001", "U91-0003"
LAN = "CCCD:091000000777"
HOLD = {"kind": "hold", "reason": "complaint", "start": "2025-03-01", "end": "2025-09-01"}
RATING = {"kind": "rating", "year": 2024, "rating": "xuat_sac", "agency_code": SCHOOL, "note": None}


async def register(client, agency: str, nominee_id: str = LAN, name: str = "Nguyễn Thị Lan"):  # type: ignore[no-untyped-def]
    return await client.post("/nominees", headers=auth(agency, "clerk"), json={"id": nominee_id, "name": name})


def draft(nominee_id: str, kind: str = "individual") -> dict:
    return {
        "nominee_name": "Nguyễn Thị Lan",
        "nominee_kind": kind,
        "nominee_id": nominee_id,
        "award_code": "GIAY_KHEN" if kind == "individual" else "BANG_KHEN_TINH",
        "reason": "Hoàn thành xuất sắc nhiệm vụ",
    }


async def test_only_the_managing_agency_proposes_a_nominee_and_writes_their_history(tier_http):
    client, sessions = await tier_http(Tier.UNIT)
    unregistered = await client.post(f"/nominees/{LAN}/facts", headers=auth(SCHOOL, "clerk"), json={"facts": [RATING]})
    assert unregistered.status_code == 422 and "POST /nominees" in unregistered.json()["detail"]

    r = await register(client, SCHOOL)
    assert r.status_code == 201 and r.json()["managing_agency"] == SCHOOL, r.text
    assert (await register(client, SCHOOL)).status_code == 201  # idempotent
    taken = await register(client, ENTERPRISE)
    assert taken.status_code == 409 and SCHOOL in taken.json()["detail"]

    # The probe of the issue: another unit wrote a fact into this nominee's history.
    foreign = await client.post(f"/nominees/{LAN}/facts", headers=auth(ENTERPRISE, "clerk"), json={"facts": [HOLD]})
    assert foreign.status_code == 403 and SCHOOL in foreign.json()["detail"], foreign.text
    own = await client.post(f"/nominees/{LAN}/facts", headers=auth(SCHOOL, "clerk"), json={"facts": [RATING]})
    assert own.status_code == 201 and own.json()["recorded"] == 1

    # Another agency cannot propose the nominee, nor read or judge their history.
    assert (await client.post("/nominations", headers=auth(ENTERPRISE, "clerk"), json=draft(LAN))).status_code == 403
    assert (await client.post("/nominations", headers=auth(SCHOOL, "clerk"), json=draft(LAN))).status_code == 201
    assert (await client.get(f"/nominees/{LAN}/history", headers=auth(ENTERPRISE, "clerk"))).status_code == 404
    check = {"award_code": "CSTD_CO_SO", "nominee_id": LAN}
    assert (await client.post("/eligibility/check", headers=auth(ENTERPRISE, "clerk"), json=check)).status_code == 404
    assert (await client.post("/eligibility/check", headers=auth(SCHOOL, "clerk"), json=check)).status_code == 200
    history = await client.get(f"/nominees/{LAN}/history", headers=auth(SCHOOL, "clerk"))
    assert history.status_code == 200 and history.json()["facts"] == [RATING]

    # The agency's own list finds the nominee with or without diacritics; another's list does not.
    for query in ("nguyen thi lan", "Nguyễn Thị", "LAN"):
        found = await client.get("/nominees", params={"q": query}, headers=auth(SCHOOL, "clerk"))
        assert [n["id"] for n in found.json()] == [LAN], query
    assert (await client.get("/nominees", headers=auth(ENTERPRISE, "clerk"))).json() == []

    async with sessions() as session:
        events = (await session.exec(select(OutboxEvent))).all()
        assert [e.envelope["type"] for e in events] == [NomineeRegistered.type, "nominee.facts_recorded"]


async def test_a_body_is_proposed_by_itself_and_the_agencies_above_it(tier_http):
    client, _ = await tier_http(Tier.UNIT)
    itself = await client.post("/nominations", headers=auth(SCHOOL, "clerk"), json=draft(SCHOOL, "collective"))
    assert itself.status_code == 201, itself.text
    other = await client.post("/nominations", headers=auth(SCHOOL, "clerk"), json=draft(ENTERPRISE, "collective"))
    assert other.status_code == 403 and ENTERPRISE in other.json()["detail"], other.text
    registered_twice = await register(client, SCHOOL, ENTERPRISE, "Công ty")
    assert registered_twice.status_code == 422 and "registry" in registered_twice.json()["detail"]

    province, _ = await tier_http(Tier.PROVINCE)  # Kiên Giang is above both units
    above = await province.post("/nominations", headers=auth("P91", "clerk"), json=draft(ENTERPRISE, "collective"))
    assert above.status_code == 201, above.text


async def test_a_fact_recorded_in_error_is_retracted_by_its_recorder_with_a_reason(tier_http):
    client, sessions = await tier_http(Tier.UNIT)
    assert (await register(client, SCHOOL)).status_code == 201
    r = await client.post(f"/nominees/{LAN}/facts", headers=auth(SCHOOL, "clerk"), json={"facts": [RATING, HOLD]})
    assert r.status_code == 201
    records = (await client.get(f"/nominees/{LAN}/history", headers=auth(SCHOOL, "clerk"))).json()["records"]
    hold_key = next(rec["fact_key"] for rec in records if rec["fact"]["kind"] == "hold")
    url = f"/nominees/{LAN}/facts/{hold_key}/retract"

    assert (await client.post(url, headers=auth(SCHOOL, "clerk"), json={"reason": ""})).status_code == 422
    foreign = await client.post(url, headers=auth(ENTERPRISE, "clerk"), json={"reason": "Ghi nhầm đối tượng"})
    assert foreign.status_code == 403 and SCHOOL in foreign.json()["detail"]
    done = await client.post(url, headers=auth(SCHOOL, "clerk"), json={"reason": "Ghi nhầm đối tượng"})
    assert done.status_code == 200 and done.json()["retraction_reason"] == "Ghi nhầm đối tượng", done.text
    again = await client.post(url, headers=auth(SCHOOL, "clerk"), json={"reason": "Ghi nhầm đối tượng"})
    assert again.status_code == 409

    after = (await client.get(f"/nominees/{LAN}/history", headers=auth(SCHOOL, "clerk"))).json()
    assert after["facts"] == [RATING]  # the rules no longer see the hold
    assert [rec["retracted_by"] for rec in after["records"]] == [None, f"{SCHOOL}:clerk"]  # kept, marked
    async with sessions() as session:
        outbox = (await session.exec(select(OutboxEvent))).all()
        retracted = [e for e in outbox if e.envelope["type"] == NomineeFactRetracted.type]
        assert len(retracted) == 1 and retracted[0].envelope["payload"]["reason"] == "Ghi nhầm đối tượng"
        assert (await session.get(Nominee, LAN)) is not None
