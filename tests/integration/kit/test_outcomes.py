"""Revocation, stripping and restoring through HTTP at the central tier: authority, state, audit and outbox."""

import uuid
from datetime import UTC, date, datetime

from sqlmodel import select

from deploy.demo_data import PRESIDENT, PRIME_MINISTER
from services.kit.nominations.activities import NominationActivities
from shared.contracts.nomination import DecisionInput, NominationInput, OpenReviewArgs, RecordDecisionArgs, RouteStep
from shared.contracts.tiers import Tier
from shared.platform.audit import AuditRecord, verify_chain
from shared.platform.db import transaction
from shared.platform.outbox import OutboxEvent
from tests.helpers import auth

TODAY = date(2026, 3, 2)
REVOKE = {
    "ground": "b",
    "decision_no": "7/QĐ-TTg",
    "reason": "Hồ sơ có giấy tờ giả mạo (kết luận thanh tra)",
    "recovered_amount": 8_190_000,
    "recovered_items": "Bằng khen và khung",
}


async def confer(
    sessions,
    *,
    award: str,
    agency: str,
    decision_no: str,
    nominee_id: str = "CCCD:079000000001",
    proposer: str = "U91-0001",
    decided_on: str = "2026-02-20",
    tier: str = "central",
) -> str:
    """Record a conferral at `agency` the way the workflow does: open its review, then decide."""
    nid = str(uuid.uuid4())
    nomination = NominationInput(
        nomination_id=nid,
        award_code=award,
        nominee_name="Nguyễn Văn An",
        proposer_agency=proposer,
        submitted_by=f"{proposer}:clerk",
        submitted_at=datetime.now(UTC).isoformat(),
        regime="ND152",
        route=[RouteStep("unit", proposer, role="proposes"), RouteStep(tier, agency, confers=True, role="confers")],
        nominee_id=nominee_id,
        period_year=2025,
    )
    activities = NominationActivities(sessions, on_commit=lambda: None, tier=tier)
    await activities.open_review(OpenReviewArgs(nomination, f"nomination-{nid}", 1, 1, f"open:{nid}"))
    decision = DecisionInput(
        action="confer",
        agency_code=agency,
        tier=tier,
        officer_id=f"{agency}:chair",
        officer_role="chair",
        decision_no=decision_no,
        decided_on=decided_on,
    )
    await activities.record_decision(
        RecordDecisionArgs(
            nomination, f"nomination-{nid}", 1, 1, decision, None, f"decide:{nid}", datetime.now(UTC).isoformat()
        )
    )
    return nid


async def outbox_events(sessions, nomination_id: str, event_type: str) -> list[dict]:
    async with transaction(sessions) as session:
        rows = (await session.exec(select(OutboxEvent).where(OutboxEvent.key == nomination_id))).all()
    return [row.envelope["payload"] for row in rows if row.envelope["type"] == event_type]


async def test_revocation_is_audited_published_and_refused_twice(tier_http):
    client, sessions = await tier_http(Tier.CENTRAL, business_date=TODAY)
    nid = await confer(sessions, award="BANG_KHEN_TTG", agency=PRIME_MINISTER, decision_no="45/QĐ-TTg")

    r = await client.post(f"/awards/{nid}/revoke", headers=auth(PRIME_MINISTER, "chair"), json=REVOKE)
    assert r.status_code == 201, r.text
    assert r.json() | {"recorded_at": None} == r.json() | {
        "nomination_id": nid,
        "kind": "revoked",
        "award_code": "BANG_KHEN_TTG",
        "agency_code": PRIME_MINISTER,
        "decision_no": "7/QĐ-TTg",
        "original_decision_no": "45/QĐ-TTg",
        "ground": "b",
        "recovered_amount": 8_190_000,
        "recovered_items": "Bằng khen và khung",
        "decided_on": "2026-03-02",
        "actor": f"{PRIME_MINISTER}:chair",
        "recorded_at": None,
    }

    [event] = await outbox_events(sessions, nid, "award.revoked")
    assert (
        event["ground"],
        event["decision_no"],
        event["original_decision_no"],
        event["recovered_amount"],
        event["nominee_id"],
        event["decided_on"],
    ) == ("b", "7/QĐ-TTg", "45/QĐ-TTg", 8_190_000, "CCCD:079000000001", "2026-03-02")
    async with transaction(sessions) as session:
        [audit] = (await session.exec(select(AuditRecord).where(AuditRecord.action == "award.revoked"))).all()
        assert (audit.nomination_id, audit.agency_code, audit.outcome) == (nid, PRIME_MINISTER, "revoked")
        assert audit.details["decision_no"] == "7/QĐ-TTg" and audit.details["ground"] == "b"
        assert (await verify_chain(session))["valid"]

    again = await client.post(
        f"/awards/{nid}/revoke", headers=auth(PRIME_MINISTER, "chair"), json=REVOKE | {"decision_no": "9/QĐ-TTg"}
    )
    assert again.status_code == 409
    assert "already revoked by decision 7/QĐ-TTg of 2026-03-02" in again.json()["detail"]
    assert len(await outbox_events(sessions, nid, "award.revoked")) == 1

    changes = (await client.get(f"/awards/{nid}/changes", headers=auth(PRIME_MINISTER, "chair"))).json()
    assert changes["status"] == "revoked" and changes["conferral"]["decision_no"] == "45/QĐ-TTg"
    assert [c["decision_no"] for c in changes["changes"]] == ["7/QĐ-TTg"]


async def test_only_the_conferring_agency_may_revoke(tier_http):
    client, sessions = await tier_http(Tier.CENTRAL, business_date=TODAY)
    nid = await confer(sessions, award="BANG_KHEN_TTG", agency=PRIME_MINISTER, decision_no="46/QĐ-TTg")

    board = await client.post(f"/awards/{nid}/revoke", headers=auth("TW-BTDKT", "chair"), json=REVOKE)
    assert board.status_code == 403
    assert f"was conferred by {PRIME_MINISTER} (decision 46/QĐ-TTg)" in board.json()["detail"]
    auditor = await client.post(f"/awards/{nid}/revoke", headers=auth("TW-BTDKT", "auditor"), json=REVOKE)
    assert auditor.status_code == 403 and "role 'auditor'" in auditor.json()["detail"]
    unknown = await client.post(f"/awards/{uuid.uuid4()}/revoke", headers=auth(PRIME_MINISTER, "chair"), json=REVOKE)
    assert unknown.status_code == 404 and "no agency served here conferred" in unknown.json()["detail"]
    bad_ground = await client.post(
        f"/awards/{nid}/revoke", headers=auth(PRIME_MINISTER, "chair"), json=REVOKE | {"ground": "e"}
    )
    assert bad_ground.status_code == 422 and "ground" in bad_ground.json()["detail"]
    assert await outbox_events(sessions, nid, "award.revoked") == []
    hidden = await client.get(f"/awards/{nid}/changes", headers=auth("TW-BTDKT", "auditor"))  # not on its route
    assert hidden.status_code == 404


async def test_the_president_strips_and_restores_a_state_honorary_title(tier_http):
    client, sessions = await tier_http(Tier.CENTRAL, business_date=TODAY)
    nid = await confer(sessions, award="ANH_HUNG_LAO_DONG", agency=PRESIDENT, decision_no="120/QĐ-CTN")
    body = {"decision_no": "301/QĐ-CTN", "reason": "Bị kết án tù có thời hạn (Điều 93 khoản 3)"}

    early = await client.post(f"/awards/{nid}/restore", headers=auth(PRESIDENT, "chair"), json=body)
    assert early.status_code == 409 and "is not stripped" in early.json()["detail"]
    not_president = await client.post(f"/awards/{nid}/strip", headers=auth(PRIME_MINISTER, "chair"), json=body)
    assert not_president.status_code == 403 and "only the President" in not_president.json()["detail"]

    stripped = await client.post(f"/awards/{nid}/strip", headers=auth(PRESIDENT, "chair"), json=body)
    assert stripped.status_code == 201, stripped.text
    twice = await client.post(f"/awards/{nid}/strip", headers=auth(PRESIDENT, "chair"), json=body)
    assert twice.status_code == 409 and "already stripped by decision 301/QĐ-CTN" in twice.json()["detail"]
    restored = await client.post(
        f"/awards/{nid}/restore",
        headers=auth(PRESIDENT, "chair"),
        json={"decision_no": "415/QĐ-CTN", "reason": "Tòa án tuyên không có tội"},
    )
    assert restored.status_code == 201, restored.text

    changes = (await client.get(f"/awards/{nid}/changes", headers=auth(PRESIDENT, "chair"))).json()
    assert changes["status"] == "conferred"
    assert [(c["kind"], c["decision_no"]) for c in changes["changes"]] == [
        ("stripped", "301/QĐ-CTN"),
        ("restored", "415/QĐ-CTN"),
    ]
    [strip_event] = await outbox_events(sessions, nid, "award.stripped")
    [restore_event] = await outbox_events(sessions, nid, "award.restored")
    assert strip_event["original_decision_no"] == restore_event["original_decision_no"] == "120/QĐ-CTN"


async def test_orders_are_revoked_not_stripped(tier_http):
    client, sessions = await tier_http(Tier.CENTRAL, business_date=TODAY)
    nid = await confer(sessions, award="HCLD_HANG_BA", agency=PRESIDENT, decision_no="121/QĐ-CTN")
    r = await client.post(
        f"/awards/{nid}/strip", headers=auth(PRESIDENT, "chair"), json={"decision_no": "302/QĐ-CTN", "reason": "—"}
    )
    assert r.status_code == 422 and "not a state honorary title" in r.json()["detail"]
    revoked = await client.post(
        f"/awards/{nid}/revoke",
        headers=auth(PRESIDENT, "chair"),
        json=REVOKE | {"ground": "d", "decision_no": "303/QĐ-CTN"},
    )
    assert revoked.status_code == 201, revoked.text


async def test_the_successor_of_a_merged_conferring_agency_may_revoke(tier_http):
    """Old An Giang (P89) conferred in March 2025 and was merged into the new An Giang (P91) on 2025-07-01."""
    client, sessions = await tier_http(Tier.PROVINCE, business_date=TODAY)
    nid = await confer(
        sessions,
        award="BANG_KHEN_TINH",
        agency="P89",
        decision_no="512/QĐ-UBND",
        decided_on="2025-03-10",
        tier="province",
    )
    stranger = await client.post(f"/awards/{nid}/revoke", headers=auth("B-BNV", "chair"), json=REVOKE)
    assert stranger.status_code == 403 and "conferred by P89" in stranger.json()["detail"]
    successor = await client.post(f"/awards/{nid}/revoke", headers=auth("P91", "chair"), json=REVOKE)
    assert successor.status_code == 201, successor.text
    assert successor.json()["agency_code"] == "P91" and successor.json()["original_decision_no"] == "512/QĐ-UBND"


async def test_a_conferral_is_known_from_its_audit_record_once_the_outbox_is_pruned(tier_http):
    """The outbox keeps events only for its retention window; what the conferral decided (the form,
    number, date, nominee, signer and bonus) is read from the decision's audit record."""
    client, sessions = await tier_http(Tier.CENTRAL, business_date=TODAY)
    nid = await confer(sessions, award="BANG_KHEN_TTG", agency=PRIME_MINISTER, decision_no="46/QĐ-TTg")
    before = (await client.get(f"/awards/{nid}/changes", headers=auth(PRIME_MINISTER, "chair"))).json()
    async with transaction(sessions) as session:
        for row in (await session.exec(select(OutboxEvent))).all():
            await session.delete(row)

    after = (await client.get(f"/awards/{nid}/changes", headers=auth(PRIME_MINISTER, "chair"))).json()
    assert after == before
    conferral = after["conferral"]
    assert (conferral["decision_no"], conferral["decided_on"], conferral["award_code"]) == (
        "46/QĐ-TTg",
        "2026-02-20",
        "BANG_KHEN_TTG",
    )
    assert conferral["bonus_amount"] and conferral["nominee_id"] == "CCCD:079000000001"
    decision = await client.get("/decisions/46/QĐ-TTg", headers=auth(PRIME_MINISTER, "chair"))
    assert [a["nomination_id"] for a in decision.json()["awardees"]] == [nid], decision.text
