"""Officer accounts: an admin creates them, officers log in with a password (and TOTP once
enrolled), tokens expire and can be revoked, repeated failures lock the account, demo tokens work
only in development, and every one of these steps is an audit record."""

import json
from datetime import UTC, datetime, timedelta

import pyotp
import pytest
from sqlalchemy import update
from sqlmodel import col, select

from services.kit.identity.bootstrap import ensure_admin
from services.kit.identity.models import Officer, OfficerToken
from shared.contracts.tiers import Tier
from shared.platform.audit import AuditRecord
from shared.platform.personal import commitment, erase_personal, openings
from tests.helpers import add_officer, auth

AGENCY, OTHER = "P91", "B-BNV"  # Kiên Giang has a demo admin; the ministry gets one below
PASSWORD = "Mật-khẩu-đủ-dài-2026"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def new_officer(client, username: str = "lan.nguyen", role: str = "clerk", **extra) -> dict:  # type: ignore[no-untyped-def]
    body = {"username": username, "name": "Nguyễn Thị Lan", "role": role, "password": PASSWORD, **extra}
    r = await client.post("/officers", headers=auth(AGENCY, "admin"), json=body)
    assert r.status_code == 201, r.text
    return r.json()


async def log_in(client, username: str = "lan.nguyen", password: str = PASSWORD, **extra):  # type: ignore[no-untyped-def]
    return await client.post("/auth/login", json={"username": username, "password": password, **extra})


async def identity_actions(sessions) -> list[tuple[str, str, str]]:  # type: ignore[no-untyped-def]
    async with sessions() as session:
        rows = await session.exec(
            select(AuditRecord).where(col(AuditRecord.action).startswith("identity.")).order_by(col(AuditRecord.seq))
        )
        return [(r.action, r.outcome, r.actor) for r in rows.all()]


async def test_an_admin_creates_an_officer_who_logs_in_and_out(tier_http):
    client, sessions = await tier_http(Tier.PROVINCE)
    created = await new_officer(client)
    assert created["id"] == f"{AGENCY}:lan.nguyen" and created["temporary_password"] is None

    r = await log_in(client, "Lan.Nguyen")  # usernames are not case-sensitive
    assert r.status_code == 200, r.text
    token = r.json()["token"]
    assert datetime.fromisoformat(r.json()["expires_at"]) - datetime.now(UTC) <= timedelta(hours=12)
    me = await client.get("/me", headers=bearer(token))
    assert me.json() == {
        "officer_id": f"{AGENCY}:lan.nguyen",
        "name": "Nguyễn Thị Lan",
        "agency_code": AGENCY,
        "role": "clerk",
    }

    assert (await client.post("/auth/logout", headers=bearer(token))).status_code == 200
    refused = await client.get("/me", headers=bearer(token))
    assert refused.status_code == 401 and "log in again" in refused.json()["detail"]
    async with sessions() as session:
        stored = (await session.exec(select(OfficerToken).where(OfficerToken.officer_id == created["id"]))).one()
        assert stored.revoked_at is not None and token not in stored.token_sha256  # only the digest is kept
        officer = await session.get(Officer, created["id"])
        assert officer is not None and officer.password_hash is not None
        assert officer.password_hash.startswith("$argon2") and PASSWORD not in officer.password_hash
    assert await identity_actions(sessions) == [
        ("identity.officer_created", "active", f"{AGENCY}:admin"),
        ("identity.login", "token_issued", f"{AGENCY}:lan.nguyen"),
        ("identity.token_revoked", "revoked", f"{AGENCY}:lan.nguyen"),
    ]


async def test_five_wrong_passwords_lock_the_account_until_an_admin_resets_it(tier_http):
    client, sessions = await tier_http(Tier.PROVINCE)
    created = await new_officer(client)
    for attempt in range(1, 5):
        r = await log_in(client, password="sai mật khẩu")
        assert r.status_code == 401 and "wrong username or password" in r.json()["detail"], (attempt, r.text)
    fifth = await log_in(client, password="sai mật khẩu")
    assert fifth.status_code == 423 and "locked" in fifth.json()["detail"], fifth.text
    right_but_locked = await log_in(client)
    assert right_but_locked.status_code == 423, right_but_locked.text

    reset = await client.post(f"/officers/{created['id']}/reset-password", headers=auth(AGENCY, "admin"))
    assert reset.status_code == 200, reset.text
    assert (await log_in(client)).status_code == 401  # the old password is gone
    assert (await log_in(client, password=reset.json()["temporary_password"])).status_code == 200
    actions = await identity_actions(sessions)
    assert [a for a, outcome, _ in actions if a == "identity.login_failed" and outcome == "refused"] == [
        "identity.login_failed"
    ] * 5  # four before the lock, one with the old password after the reset
    assert ("identity.login_failed", "locked", created["id"]) in actions
    assert ("identity.password_reset", "reset", f"{AGENCY}:admin") in actions


async def test_an_unknown_username_is_refused_like_a_wrong_password_and_recorded(tier_http):
    client, sessions = await tier_http(Tier.PROVINCE)
    r = await log_in(client, "khong.ton.tai")
    assert r.status_code == 401 and r.json()["detail"].startswith("wrong username or password"), r.text
    assert await identity_actions(sessions) == [("identity.login_failed", "refused", "anonymous")]
    # What was typed is not in the chain: a salted commitment under the typed username, erasable (0040).
    async with sessions() as session:
        record = (await session.exec(select(AuditRecord).where(AuditRecord.action == "identity.login_failed"))).one()
        opened = await openings(session, record_key=record.idempotency_key)
        assert "khong.ton.tai" not in json.dumps(record.details)
        salt = opened["username"]["salt"]
        assert record.details["personal"] == {"username": commitment("khong.ton.tai", salt)}
        assert await erase_personal(session, subject="login:khong.ton.tai") == 1


async def test_expired_revoked_and_deactivated_tokens_are_refused(tier_http):
    client, sessions = await tier_http(Tier.PROVINCE)
    created = await new_officer(client)
    login = (await log_in(client)).json()["token"]
    api = await client.post("/auth/tokens", headers=bearer(login), json={"label": "CLI", "days": 7})
    assert api.status_code == 201, api.text
    api_token, api_id = api.json()["token"], api.json()["token_id"]
    assert (await client.get("/me", headers=bearer(api_token))).status_code == 200
    too_long = await client.post("/auth/tokens", headers=bearer(login), json={"label": "CLI", "days": 400})
    assert too_long.status_code == 422 and "at most 90 days" in too_long.json()["detail"]

    async with sessions() as session, session.begin():
        await session.exec(  # type: ignore[call-overload]
            update(OfficerToken).where(col(OfficerToken.id) == api_id).values(expires_at=datetime.now(UTC))
        )
    assert (await client.get("/me", headers=bearer(api_token))).status_code == 401

    second = (await log_in(client)).json()
    assert (await client.post(f"/auth/tokens/{second['token_id']}/revoke", headers=bearer(login))).status_code == 200
    assert (await client.get("/me", headers=bearer(second["token"]))).status_code == 401

    assert (
        await client.post(f"/officers/{created['id']}/deactivate", headers=auth(AGENCY, "admin"))
    ).status_code == 200
    assert (await client.get("/me", headers=bearer(login))).status_code == 401
    assert (await log_in(client)).status_code == 401
    issued = [a for a, outcome, _ in await identity_actions(sessions) if a == "identity.token_issued"]
    assert issued == ["identity.token_issued"]


async def test_a_second_factor_once_confirmed_is_needed_to_log_in(tier_http):
    client, _ = await tier_http(Tier.PROVINCE)
    await new_officer(client)
    token = (await log_in(client)).json()["token"]
    uri = (await client.post("/auth/totp", headers=bearer(token))).json()["otpauth_uri"]
    totp = pyotp.parse_uri(uri)
    assert (await log_in(client)).status_code == 200  # not yet confirmed: the password alone still works
    wrong = await client.post("/auth/totp/confirm", headers=bearer(token), json={"code": "000000"})
    assert wrong.status_code == 422, wrong.text
    assert (
        await client.post("/auth/totp/confirm", headers=bearer(token), json={"code": totp.now()})
    ).status_code == 200

    without = await log_in(client)
    assert without.status_code == 401 and "authenticator" in without.json()["detail"], without.text
    assert (await log_in(client, totp_code="123456" if totp.now() != "123456" else "654321")).status_code == 401
    assert (await log_in(client, totp_code=totp.now())).status_code == 200


async def test_demo_tokens_work_only_in_development(tier_http):
    development, _ = await tier_http(Tier.PROVINCE)
    assert (await development.get("/me", headers=auth(AGENCY, "clerk"))).status_code == 200
    test_system, _ = await tier_http(Tier.PROVINCE, environment="test")
    refused = await test_system.get("/me", headers=auth(AGENCY, "clerk"))
    assert refused.status_code == 401, refused.text


async def test_only_the_agency_admin_manages_its_officers(tier_http):
    client, sessions = await tier_http(Tier.PROVINCE)
    body = {"username": "an.tran", "name": "Trần Văn An", "role": "clerk"}
    as_clerk = await client.post("/officers", headers=auth(AGENCY, "clerk"), json=body)
    assert as_clerk.status_code == 403 and "needs one of: admin" in as_clerk.json()["detail"]
    created = await client.post("/officers", headers=auth(AGENCY, "admin"), json=body)
    assert created.status_code == 201 and len(created.json()["temporary_password"]) >= 10, created.text
    taken = await client.post("/officers", headers=auth(AGENCY, "admin"), json=body)
    assert taken.status_code == 409, taken.text
    weak = await client.post(
        "/officers", headers=auth(AGENCY, "admin"), json={**body, "username": "b.le", "password": "123"}
    )
    assert weak.status_code == 422 and "at least 10 characters" in weak.json()["detail"]
    async with sessions() as session, session.begin():
        ministry_admin = Officer(id=f"{OTHER}:admin", agency_code=OTHER, name="Quản trị Bộ", role="admin")
        await add_officer(session, ministry_admin, f"demo-{OTHER}-admin")
    other_agency = await client.post(
        f"/officers/{created.json()['id']}/role", headers=auth(OTHER, "admin"), json={"role": "chair"}
    )
    assert other_agency.status_code == 404, other_agency.text
    promoted = await client.post(
        f"/officers/{created.json()['id']}/role", headers=auth(AGENCY, "admin"), json={"role": "chair"}
    )
    assert promoted.status_code == 200 and promoted.json()["role"] == "chair"
    listed = await client.get("/officers", headers=auth(AGENCY, "admin"))
    assert created.json()["id"] in [o["id"] for o in listed.json()]
    assert all(o["agency_code"] == AGENCY for o in listed.json())
    assert ("identity.role_changed", "chair", f"{AGENCY}:admin") in await identity_actions(sessions)


async def test_the_first_admin_comes_from_the_deployment_once(tier_http):
    client, sessions = await tier_http(Tier.PROVINCE)
    async with sessions() as session, session.begin():
        made = await ensure_admin(session, tier="province", agency_code="P91", username="admin.p91", password=PASSWORD)
    assert made is not None and made.role == "admin"
    async with sessions() as session, session.begin():
        again = await ensure_admin(session, tier="province", agency_code="P91", username="admin.p91", password="x")
    assert again is None
    assert (await log_in(client, "admin.p91")).status_code == 200
    async with sessions() as session, session.begin():
        with pytest.raises(ValueError, match="U91-0001 is a unit agency"):
            await ensure_admin(session, tier="province", agency_code="U91-0001", username="x.admin", password=PASSWORD)
