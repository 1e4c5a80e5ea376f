"""What statistics need about a registered individual (position category, sex, ethnicity): kept on
the nominee at the managing agency, refused when unknown or on a collective, changed by registering
again, told to every service by nominee.registered, and taken by a draft that names the nominee."""

from sqlmodel import select

from services.kit.handlers import KIT_HANDLERS
from services.kit.nominations.models import Nomination
from services.kit.nominees.models import Nominee
from shared.contracts.events import Envelope, NomineeRegistered, parse_event
from shared.contracts.tiers import Tier
from shared.platform.audit import AuditRecord
from shared.platform.db import transaction
from shared.platform.outbox import OutboxEvent
from shared.platform.personal import commitment, openings
from tests.helpers import auth

SCHOOL = "U91-0001"
LAN, TEAM = "CCCD:091000000888", "TAPTHE:U91-0001:TO-TOAN"
PROFILE = {"position_category": "giao_vien", "sex": "nu", "ethnicity": "02"}


async def register(client, body: dict, language: str = "en"):  # type: ignore[no-untyped-def]
    return await client.post("/nominees", headers={**auth(SCHOOL, "clerk"), "Accept-Language": language}, json=body)


async def registrations(sessions) -> list[Envelope]:  # type: ignore[no-untyped-def]
    async with sessions() as session:
        rows = (await session.exec(select(OutboxEvent).order_by(OutboxEvent.id))).all()  # type: ignore[arg-type]
    return [Envelope.model_validate(r.envelope) for r in rows if r.envelope["type"] == NomineeRegistered.type]


async def deliver(sessions, envelope: Envelope) -> None:  # type: ignore[no-untyped-def]
    """What another service's consumer does with the message."""
    async with transaction(sessions) as session:
        await KIT_HANDLERS[envelope.type](session, envelope, parse_event(envelope))


async def test_an_individuals_profile_is_kept_checked_changed_and_told_to_every_service(tier_http):
    unit, unit_sessions = await tier_http(Tier.UNIT)
    r = await register(unit, {"id": LAN, "name": "Lò Thị Lan", **PROFILE})
    assert r.status_code == 201 and {k: r.json()[k] for k in PROFILE} == PROFILE, r.text

    for wrong, said in [
        ({"position_category": "phi_cong"}, "unknown position category 'phi_cong'"),
        ({"sex": "x"}, "unknown sex 'x'"),
        ({"ethnicity": "99"}, "unknown ethnicity code '99'"),
    ]:
        refused = await register(unit, {"id": "CCCD:091000000999", "name": "Ai Đó", **wrong})
        assert refused.status_code == 422 and said in refused.json()["detail"], refused.text
    collective = await register(unit, {"id": TEAM, "kind": "collective", "name": "Tổ Toán", "sex": "nu"}, "vi")
    assert collective.status_code == 422 and "describe an individual" in collective.json()["detail"]
    assert (await register(unit, {"id": LAN, "name": "Lò Thị Lan", "sex": "nam", "ethnicity": "77"})).status_code == 422
    listed = (await unit.get("/nominees", headers=auth(SCHOOL, "clerk"))).json()
    assert [(n["id"], n["sex"], n["ethnicity"]) for n in listed] == [(LAN, "nu", "02")]  # nothing half-applied

    # Registering again changes what is given and keeps the rest.
    moved = await register(unit, {"id": LAN, "name": "Lò Thị Lan", "position_category": "lanh_dao_khac"})
    assert moved.status_code == 201 and {k: moved.json()[k] for k in PROFILE} == {
        **PROFILE,
        "position_category": "lanh_dao_khac",
    }
    first, changed = await registrations(unit_sessions)
    assert first.payload["position_category"] == "giao_vien" and changed.payload["position_category"] == "lanh_dao_khac"
    # The change is audited as a salted commitment: the value stays outside the chain, erasable (decision 0034).
    async with unit_sessions() as session:
        audited = select(AuditRecord).where(AuditRecord.action == "nominee.profile_changed")
        record = (await session.exec(audited)).one()
        opened = await openings(session, record_key=record.idempotency_key)
    assert record.details["fields"] == ["position_category"] and "lanh_dao_khac" not in str(record.details)
    salt = opened["position_category"]["salt"]
    assert record.details["personal"] == {"position_category": commitment("lanh_dao_khac", salt)}

    # Another service's replica learns the registration with its profile, then the change.
    province, province_sessions = await tier_http(Tier.PROVINCE)
    await deliver(province_sessions, first)
    async with province_sessions() as session:
        replica = await session.get(Nominee, LAN)
        assert replica is not None and (replica.position_category, replica.sex, replica.ethnicity) == (
            "giao_vien",
            "nu",
            "02",
        )
    await deliver(province_sessions, changed)
    await deliver(province_sessions, changed)  # redelivered: the same
    async with province_sessions() as session:
        replica = await session.get(Nominee, LAN)
        assert replica is not None and (replica.position_category, replica.managing_agency) == ("lanh_dao_khac", SCHOOL)


async def test_a_draft_naming_a_registered_individual_takes_the_profile_it_does_not_give(tier_http):
    unit, sessions = await tier_http(Tier.UNIT)
    assert (await register(unit, {"id": LAN, "name": "Lò Thị Lan", **PROFILE})).status_code == 201
    draft = {
        "nominee_name": "Lò Thị Lan",
        "nominee_id": LAN,
        "award_code": "GIAY_KHEN",
        "reason": "Hoàn thành xuất sắc",
    }
    plain = await unit.post("/nominations", headers=auth(SCHOOL, "clerk"), json=draft)
    given = await unit.post(
        "/nominations", headers=auth(SCHOOL, "clerk"), json={**draft, "nominee_position": "nguoi_lao_dong"}
    )
    assert plain.status_code == given.status_code == 201, (plain.text, given.text)
    async with sessions() as session:
        taken, own = [await session.get(Nomination, r.json()["id"]) for r in (plain, given)]
        assert taken is not None and (taken.nominee_position, taken.nominee_sex, taken.nominee_ethnicity) == (
            "giao_vien",
            "nu",
            "02",
        )
        assert own is not None and (own.nominee_position, own.nominee_sex) == ("nguoi_lao_dong", "nu")
