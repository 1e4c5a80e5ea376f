"""Substitute approvers: a chair lends their role for a period; the delegate acts as chair only then."""

from datetime import date

from sqlmodel import select

from services.kit.delegations.service import substitute_for
from services.kit.identity.models import Officer
from shared.contracts.tiers import Tier
from shared.platform.audit import AuditRecord
from tests.helpers import add_officer

SCHOOL = "U91-0001"
CHAIR, CLERK = f"{SCHOOL}:chair", f"{SCHOOL}:clerk"
MONDAY = date(2026, 3, 2)


def as_(role: str, agency: str = SCHOOL) -> dict[str, str]:
    return {"Authorization": f"Bearer demo-{agency}-{role}"}


def set_today(client, day: date) -> None:  # type: ignore[no-untyped-def]
    """Move the service's business date (the harness app has no lifespan: its kit is plain state)."""
    kit = client._transport.app.state.kit
    kit.settings = kit.settings.model_copy(update={"business_date": day})


async def lend(client, start: str, end: str, to: str = CLERK, role: str = "chair", agency: str = SCHOOL):  # type: ignore[no-untyped-def]
    body = {"to_officer_id": to, "from": start, "to": end, "reason": "Nghỉ phép năm"}
    return await client.post("/delegations", json=body, headers=as_(role, agency))


async def test_the_delegate_acts_as_chair_during_the_period_only(tier_http):
    client, _ = await tier_http(Tier.UNIT, business_date=MONDAY)
    created = await lend(client, "2026-03-04", "2026-03-06")
    assert created.status_code == 201, created.text
    body = created.json()
    assert (body["from"], body["to"], body["status"], body["role"]) == (
        "2026-03-04",
        "2026-03-06",
        "scheduled",
        "chair",
    )

    for day, role, lender in [
        (date(2026, 3, 3), "clerk", None),
        (date(2026, 3, 4), "chair", CHAIR),
        (date(2026, 3, 6), "chair", CHAIR),
        (date(2026, 3, 7), "clerk", None),
    ]:
        set_today(client, day)
        me = (await client.get("/delegations/me", headers=as_("clerk"))).json()
        assert (me["role"], me["on_behalf_of"], me["own_role"]) == (role, lender, "clerk"), day
        assert (await client.get("/me", headers=as_("clerk"))).json()["role"] == role
        # The decision endpoint checks the role first: 403 without it, then 404 (no such review here).
        decided = await client.post("/reviews/n-1/decision", json={"action": "forward"}, headers=as_("clerk"))
        assert decided.status_code == (404 if role == "chair" else 403), (day, decided.text)

    set_today(client, date(2026, 3, 5))
    chair = (await client.get("/delegations/me", headers=as_("chair"))).json()
    assert (chair["role"], chair["on_behalf_of"]) == ("chair", None)  # the lender keeps their own role
    listed = (await client.get("/delegations", headers=as_("clerk"))).json()
    assert [(d["id"], d["status"]) for d in listed] == [(body["id"], "active")]


async def test_revoking_ends_the_delegation_at_once_and_both_acts_are_audited(tier_http):
    client, sessions = await tier_http(Tier.UNIT, business_date=MONDAY)
    made = (await lend(client, "2026-03-02", "2026-03-13")).json()
    assert (await client.get("/delegations/me", headers=as_("clerk"))).json()["role"] == "chair"

    refused = await client.post(f"/delegations/{made['id']}/revoke", json={}, headers=as_("clerk"))
    assert refused.status_code == 403 and f"only {CHAIR}" in refused.json()["detail"]
    revoked = await client.post(
        f"/delegations/{made['id']}/revoke", json={"reason": "Đi làm sớm"}, headers=as_("chair")
    )
    assert revoked.status_code == 200 and revoked.json()["status"] == "revoked"
    assert (await client.get("/delegations/me", headers=as_("clerk"))).json()["role"] == "clerk"
    again = await client.post(f"/delegations/{made['id']}/revoke", headers=as_("chair"))
    assert again.status_code == 409 and "already revoked" in again.json()["detail"]
    unknown = await client.post("/delegations/nope/revoke", headers=as_("chair"))
    assert unknown.status_code == 404 and unknown.json()["detail"] == f"no delegation nope at {SCHOOL}"

    async with sessions() as session:
        records = (await session.exec(select(AuditRecord).where(AuditRecord.action.startswith("delegation.")))).all()  # type: ignore[attr-defined]
    assert [(r.action, r.actor, r.details["delegation_id"]) for r in records] == [
        ("delegation.created", CHAIR, made["id"]),
        ("delegation.revoked", CHAIR, made["id"]),
    ]
    assert records[1].reason == "Đi làm sớm"


async def test_invalid_delegations_are_refused_with_the_rule_they_break(tier_http):
    client, sessions = await tier_http(Tier.UNIT, business_date=MONDAY)
    async with sessions() as session, session.begin():
        await add_officer(
            session,
            Officer(
                id=f"{SCHOOL}:former",
                agency_code=SCHOOL,
                name="Cán bộ đã nghỉ",
                role="clerk",
                active=False,
            ),
            "former",
        )

    async def refused(response, code: int) -> str:  # type: ignore[no-untyped-def]
        assert response.status_code == code, response.text
        return response.json()["detail"]

    assert await refused(await lend(client, "2026-03-06", "2026-03-04"), 422) == (
        "the period ends (to=2026-03-04) before it starts (from=2026-03-06)"
    )
    assert await refused(await lend(client, "2026-02-02", "2026-02-27"), 422) == (
        "the period ends on 2026-02-27, before today (2026-03-02): a delegation cannot cover only past days"
    )
    assert await refused(await lend(client, "2026-03-02", "2026-03-06", to=CHAIR), 422) == (
        f"you cannot delegate to yourself ({CHAIR})"
    )
    assert await refused(await lend(client, "2026-03-02", "2026-03-06", to="U91-0002:clerk"), 422) == (
        f"officer U91-0002:clerk belongs to U91-0002, not {SCHOOL}: a delegation stays within one agency"
    )
    assert await refused(await lend(client, "2026-03-02", "2026-03-06", to=f"{SCHOOL}:former"), 422) == (
        f"officer {SCHOOL}:former is deactivated: delegate to an active officer"
    )
    assert await refused(await lend(client, "2026-03-02", "2026-03-06", to="ghost"), 404) == "no officer 'ghost'"
    assert "cannot do this; it needs one of: chair, admin" in await refused(
        await lend(client, "2026-03-02", "2026-03-06", to=CHAIR, role="clerk"), 403
    )

    first = (await lend(client, "2026-03-02", "2026-03-06")).json()
    assert await refused(await lend(client, "2026-03-06", "2026-03-10"), 409) == (
        f"you already delegate to {CLERK} from 2026-03-02 to 2026-03-06 (delegation {first['id']}), "
        "which overlaps 2026-03-06..2026-03-10: revoke it or choose other dates"
    )
    assert (await lend(client, "2026-03-09", "2026-03-10")).status_code == 201  # adjacent, not overlapping
    assert await refused(await lend(client, "2026-03-02", "2026-03-06", to=CHAIR, role="clerk"), 403) == (
        f"you act as 'chair' on behalf of {CHAIR}: a lent role cannot be lent again"
    )
    missing = await client.post(
        "/delegations", json={"to_officer_id": CLERK, "from": "2026-03-02"}, headers=as_("chair")
    )
    assert missing.status_code == 422 and "to: Field required" in missing.json()["detail"]


async def test_a_delegation_lapses_when_its_lender_no_longer_holds_the_role(tier_http):
    client, sessions = await tier_http(Tier.UNIT, business_date=MONDAY)
    assert (await lend(client, "2026-03-02", "2026-03-06")).status_code == 201
    async with sessions() as session, session.begin():
        chair = await session.get(Officer, CHAIR)
        assert chair is not None
        chair.active = False
        session.add(chair)
    assert (await client.get("/delegations/me", headers=as_("clerk"))).json()["role"] == "clerk"


async def test_substitute_for_prefers_the_delegate_then_a_holder_of_the_role_then_an_admin(tier_http):
    client, sessions = await tier_http(Tier.UNIT, business_date=MONDAY)
    assert (await lend(client, "2026-03-02", "2026-03-06")).status_code == 201
    async with sessions() as session, session.begin():
        await add_officer(
            session,
            Officer(
                id=f"{SCHOOL}:admin",
                agency_code=SCHOOL,
                name="Quản trị",
                role="admin",
            ),
            "school-admin",
        )
    async with sessions() as session:
        assert await substitute_for(session, SCHOOL, "chair", date(2026, 3, 4)) == CLERK
        assert await substitute_for(session, SCHOOL, "chair", date(2026, 3, 9)) == CHAIR
        assert await substitute_for(session, SCHOOL, "chair", date(2026, 3, 9), exclude={CHAIR}) == f"{SCHOOL}:admin"
        assert await substitute_for(session, SCHOOL, "chair", date(2026, 3, 4), exclude={CLERK}) == CHAIR
        assert await substitute_for(session, "U91-0002", "auditor", date(2026, 3, 4)) is None
