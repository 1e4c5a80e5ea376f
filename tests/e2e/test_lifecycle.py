"""The whole life of a nomination through HTTP and the workflows (issue 4).

A Labour Order, Third Class, proposed by the demo school before the 2025 reorganization: public
consultation, the school's council ballot, intake at every level (one return for a missing
report), each level's council, the Central Board and the Prime Minister, conferral by the
President's office with its bonus, then revocation seen by the unit and by central. A second one
is returned, resubmitted and refused; a third escalates for delay (test_lifecycle_escalation.py).
"""

import pytest

from deploy.demo_data import CENTRAL_BOARD, ORDER_ROUTE, PRESIDENT, PRIME_MINISTER
from deploy.invariants import wait_settled
from shared.contracts.events import TOPIC_AWARDS, TOPIC_NOMINATIONS
from shared.contracts.tiers import Tier
from tests.e2e.probe import Target, probe
from tests.helpers import (
    auth,
    council_concludes,
    decide,
    document,
    draft_and_submit,
    events_for,
    eventually,
    post_consultation,
    wait_pending,
)

SCHOOL, HON_DAT, KIEN_GIANG = "U91-0001", "D903", "P91"
AWARD = "HCLD_HANG_BA"


async def _unit_view(system, nomination_id: str, status: str) -> dict | None:  # type: ignore[no-untyped-def]
    r = await system[Tier.UNIT].get(f"/nominations/{nomination_id}", headers=auth(SCHOOL, "clerk"))
    body = r.json()
    return body if body["status"] == status else None


async def test_labour_order_from_intake_to_conferral_and_revocation(system):
    unit = system[Tier.UNIT]
    nominee = "Võ Thị Sáu Mươi"
    # The dossier lacks the achievement report: intake at the district will return it.
    submitted = await draft_and_submit(unit, SCHOOL, AWARD, nominee, kinds=["to_trinh"])
    nomination_id = submitted["nomination_id"]
    await wait_pending(unit, SCHOOL, nomination_id)

    # Public consultation: posted 10 working days ago, it closes tonight; the public comments
    # without logging in, and the council meets today.
    posting = await post_consultation(unit, SCHOOL, nomination_id, working_days_ago=10)
    assert posting.status_code == 201, posting.text
    comment = await unit.post(
        f"/public/consultations/{posting.json()['id']}/comments",
        json={"author_name": "Trần Văn Dân", "text": "Cô Sáu tận tụy với học sinh vùng biển."},
    )
    assert comment.status_code == 201, comment.text
    seen = (await unit.get(f"/nominations/{nomination_id}/consultation", headers=auth(SCHOOL, "chair"))).json()
    assert [c["text"] for c in seen["comments"]] == ["Cô Sáu tận tụy với học sinh vùng biển."]

    # Forwarding before the council has met is refused with the reason.
    early = await decide(unit, SCHOOL, nomination_id, "forward", prepare=False)
    assert early.status_code == 422 and "council" in early.json()["detail"]
    counts = await council_concludes(unit, SCHOOL, nomination_id, AWARD, nominee)
    assert counts["passed"] is True
    assert (await decide(unit, SCHOOL, nomination_id, "forward", prepare=False)).status_code == 200

    # Intake at the district: the achievement report is missing → returned with the exact list.
    async def returned():
        return await _unit_view(system, nomination_id, "returned")

    outcome = await eventually(returned, what="the intake return to reach the school")
    assert "Báo cáo thành tích" in outcome["outcome_reason"] and outcome["outcome_agency"] == HON_DAT
    status = (await unit.get(f"/nominations/{nomination_id}/status", headers=auth(SCHOOL, "clerk"))).json()
    assert status["state"] == "returned" and status["step"] == 1 and status["returns"] == 1

    # The school supplements and resubmits: review resumes at the district, where it stopped.
    added = await unit.post(
        f"/nominations/{nomination_id}/documents",
        headers=auth(SCHOOL, "clerk"),
        json=document("bao_cao_thanh_tich", f"Báo cáo thành tích: {nominee}"),
    )
    assert added.status_code == 201, added.text
    again = await unit.post(
        f"/nominations/{nomination_id}/resubmit",
        headers=auth(SCHOOL, "clerk"),
        json={"reason": "Đã bổ sung báo cáo thành tích"},
    )
    assert again.status_code == 200, again.text

    async def clock_started():  # the district's clock starts on the complete dossier
        item = await wait_pending(system[Tier.DISTRICT], HON_DAT, nomination_id)
        return item if item["due_on"] else None

    await eventually(clock_started, what="the district's deadline")

    for tier, agency in [(Tier(t), a) for t, a in ORDER_ROUTE[1:-1]]:
        await wait_pending(system[tier], agency, nomination_id)
        r = await decide(system[tier], agency, nomination_id, "forward", reason="Đủ điều kiện")
        assert r.status_code == 200, (agency, r.text)

    central = system[Tier.CENTRAL]
    await wait_pending(central, PRESIDENT, nomination_id)
    lower = await decide(
        central, PRESIDENT, nomination_id, "confer", decision_no="1/QĐ-CTN", conferred_award_code="CSTD_CO_SO"
    )
    assert lower.status_code == 422 and "lower_forms" in lower.json()["detail"]
    conferred = await decide(
        central, PRESIDENT, nomination_id, "confer", decision_no="88/QĐ-CTN", signer="Chủ tịch nước"
    )
    assert conferred.status_code == 200, conferred.text
    outcome = await eventually(lambda: _unit_view(system, nomination_id, "conferred"), what="the conferral")
    assert outcome["decision_no"] == "88/QĐ-CTN"

    events = await events_for(system.bootstrap, nomination_id, [TOPIC_NOMINATIONS, TOPIC_AWARDS])
    returned_events = [e for e in events if e["type"] == "nomination.returned"]
    assert [e["payload"]["missing_documents"] for e in returned_events] == [["bao_cao_thanh_tich"]]
    award = next(e for e in events if e["type"] == "award.conferred")["payload"]
    # 4.5 × 2,340,000 đ (base salary since 01/07/2024) on the decision date 15/05/2025.
    assert (award["bonus_coefficient"], award["base_salary"], award["bonus_amount"]) == (4.5, 2_340_000, 10_530_000)
    assert award["signer"] == "Chủ tịch nước"
    assert {e["type"] for e in events} >= {"nomination.deadline_set", "nomination.received", "nomination.forwarded"}

    # The school and the nominee follow it; the public view shows no officers and no ballot.
    tracking = (await unit.get(f"/nominations/{nomination_id}/tracking", headers=auth(SCHOOL, "clerk"))).json()
    public = await unit.get(f"/track/{tracking['code']}")
    assert public.status_code == 200 and public.json()["state"] == "conferred"
    assert ":chair" not in public.text and "ballot" not in public.text.lower() and "receipt" not in public.text
    verify = (await unit.get(f"/nominations/{nomination_id}/documents/verify", headers=auth(SCHOOL, "clerk"))).json()
    assert verify["intact"] is True

    # Revocation by the conferring authority reaches the unit's and central's views.
    revoke = await central.post(
        f"/awards/{nomination_id}/revoke",
        headers=auth(PRESIDENT, "chair"),
        json={
            "ground": "b",
            "decision_no": "5/QĐ-CTN",
            "reason": "Hồ sơ khai không trung thực",
            "recovered_amount": 10_530_000,
        },
    )
    assert revoke.status_code == 201, revoke.text
    await eventually(lambda: _unit_view(system, nomination_id, "revoked"), what="the unit to see the revocation")

    async def central_sees_revoked():
        awards = (await central.get("/awards", headers=auth(CENTRAL_BOARD, "chair"))).json()
        return [a for a in awards if a["nomination_id"] == nomination_id and a["status"] == "revoked"]

    await eventually(central_sees_revoked, what="central's registry to show the revocation")
    second = await central.post(
        f"/awards/{nomination_id}/revoke",
        headers=auth(PRESIDENT, "chair"),
        json={"ground": "b", "decision_no": "6/QĐ-CTN", "reason": "Lần hai"},
    )
    assert second.status_code == 409 and "5/QĐ-CTN" in second.json()["detail"]


async def test_returned_once_resubmitted_then_refused(system):
    unit, province = system[Tier.UNIT], system[Tier.PROVINCE]
    nomination_id = (await draft_and_submit(unit, SCHOOL, AWARD, "Đỗ Văn Bảy"))["nomination_id"]
    for tier, agency in [(Tier.UNIT, SCHOOL), (Tier.DISTRICT, HON_DAT)]:
        await wait_pending(system[tier], agency, nomination_id)
        assert (await decide(system[tier], agency, nomination_id, "forward")).status_code == 200
    await wait_pending(province, KIEN_GIANG, nomination_id)
    r = await decide(province, KIEN_GIANG, nomination_id, "return", reason="Bổ sung ý kiến của cấp ủy")
    assert r.status_code == 200 and r.json()["state"] == "returned"
    r = await unit.post(
        f"/nominations/{nomination_id}/resubmit", headers=auth(SCHOOL, "clerk"), json={"reason": "Đã có ý kiến cấp ủy"}
    )
    assert r.status_code == 200, r.text
    await wait_pending(province, KIEN_GIANG, nomination_id)
    r = await decide(province, KIEN_GIANG, nomination_id, "refuse", reason="Chưa đủ thời gian công tác")
    assert r.status_code == 200 and r.json()["state"] == "refused"

    async def tracked():
        body = (await unit.get(f"/nominations/{nomination_id}/tracking", headers=auth(SCHOOL, "clerk"))).json()
        return body if body["state"] == "refused" else None

    body = await eventually(tracked, what="the refusal in the school's tracking view")
    assert body["returns"] == 1
    reasons = " ".join(str(r) for r in body["reasons"])
    assert "Bổ sung ý kiến của cấp ủy" in reasons and "Chưa đủ thời gian công tác" in reasons
    status = (await unit.get(f"/nominations/{nomination_id}/status", headers=auth(SCHOOL, "clerk"))).json()
    assert status["returns"] == 1 and status["seconds_with_proposer"] > 0
    assert [h["action"] for h in status["history"]] == ["forward", "forward", "return", "refuse"]
    assert PRIME_MINISTER not in [h["agency_code"] for h in status["history"]]


# Who may call what is decided above the database: one database kind is enough (half a minute each).
@pytest.mark.parametrize("system", ["sqlite"], indirect=True)
async def test_no_route_lets_another_agency_or_a_role_that_may_not_act_touch_a_nomination(system):
    """Every guarded route of every service, called with the real ids of a nomination in flight
    (its dossier, consultation, councils, meetings, nominee, delegation, tokens): an officer of an
    agency off the route reads nothing of it and changes nothing; the owner's auditor changes nothing."""
    unit = system[Tier.UNIT]
    nominee_id, name = "CCCD:091000000999", "Kha Thị Kín"
    assert (
        await unit.post("/nominees", headers=auth(SCHOOL, "clerk"), json={"id": nominee_id, "name": name})
    ).is_success
    fact = {"kind": "rating", "year": 2024, "rating": "xuat_sac", "agency_code": SCHOOL}
    assert (
        await unit.post(f"/nominees/{nominee_id}/facts", headers=auth(SCHOOL, "clerk"), json={"facts": [fact]})
    ).is_success
    history = (await unit.get(f"/nominees/{nominee_id}/history", headers=auth(SCHOOL, "clerk"))).json()
    nomination_id = (await draft_and_submit(unit, SCHOOL, AWARD, name))["nomination_id"]
    posting = (await post_consultation(unit, SCHOOL, nomination_id, working_days_ago=10)).json()
    comment = await unit.post(
        f"/public/consultations/{posting['id']}/comments", json={"author_name": "Dân", "text": "Khiếu nại thử"}
    )
    lent = await unit.post(
        "/delegations",
        headers=auth(SCHOOL, "chair"),
        json={"to_officer_id": f"{SCHOOL}:clerk", "from": "2025-05-15", "to": "2025-05-16", "reason": "Đi công tác"},
    )
    assert lent.status_code == 201, lent.text
    shared_ids = {
        "nomination_id": nomination_id,
        "nominee_id": nominee_id,
        "fact_key": history["records"][0]["fact_key"],
        "consultation_id": posting["id"],
        "comment_id": comment.json()["id"],
        "delegation_id": lent.json()["id"],
        "code": (await unit.get("/reorganizations")).json()[0]["code"],
        "document_id": (await unit.get(f"/nominations/{nomination_id}", headers=auth(SCHOOL, "clerk"))).json()[
            "documents"
        ][0]["id"],
    }
    targets: dict[Tier, Target] = {}
    for tier, agency in [(Tier.UNIT, SCHOOL), (Tier.DISTRICT, HON_DAT), (Tier.PROVINCE, KIEN_GIANG)]:
        client = system[tier]
        await wait_pending(client, agency, nomination_id)
        meeting = await council_concludes(client, agency, nomination_id, AWARD, name)
        council_id = (await client.get("/councils", headers=auth(agency, "chair"))).json()[0]["id"]
        tokens = (await client.get("/auth/tokens", headers=auth(agency, "chair"))).json()
        ids = {
            **shared_ids,
            "council_id": council_id,
            "meeting_id": meeting["meeting_id"],
            "officer_id": f"{agency}:chair",
            "token_id": tokens[0]["id"],
        }
        secrets = {ids[k] for k in ids if k not in ("code", "officer_id")}  # a plan code, a name: not secrets
        targets[tier] = Target(ids, agency, AWARD, name, markers={name, *secrets})
        assert (await decide(client, agency, nomination_id, "forward", prepare=False)).status_code == 200
    await wait_pending(system[Tier.CENTRAL], CENTRAL_BOARD, nomination_id)
    targets[Tier.CENTRAL] = Target(
        {**shared_ids, "officer_id": f"{CENTRAL_BOARD}:chair"},
        CENTRAL_BOARD,
        AWARD,
        name,
        markers={nomination_id, name},
    )

    intruders = {
        Tier.UNIT: [("U91-0003", "clerk"), ("U91-0003", "chair"), (SCHOOL, "auditor")],
        Tier.DISTRICT: [("D902", "chair"), (HON_DAT, "auditor")],
        Tier.PROVINCE: [("B-BNV", "chair"), (KIEN_GIANG, "auditor")],
        Tier.CENTRAL: [(CENTRAL_BOARD, "auditor")],
    }
    wrong = [
        line
        for tier, callers in intruders.items()
        for agency, role in callers
        for line in await probe(system[tier], targets[tier], agency, role)
    ]
    assert wrong == [], "\n".join(wrong)
    # The probe changed nothing: the nomination is still pending at the Central Board.
    await wait_pending(system[Tier.CENTRAL], CENTRAL_BOARD, nomination_id)
    # The stack is shared with other modules: the school's chair takes back the role it lent.
    revoked = await unit.post(f"/delegations/{lent.json()['id']}/revoke", headers=auth(SCHOOL, "chair"), json={})
    assert revoked.is_success, revoked.text


async def test_the_system_settles_every_event_delivered_no_decision_twice_every_chain_valid(system):
    """After one more nomination and whatever else this stack ran: every event each service
    committed was published and applied by every service that handles it, no decision was recorded
    twice, every audit chain verifies (deploy/invariants.py: what the fault suite and the soak ask)."""

    submitted = await draft_and_submit(system[Tier.UNIT], SCHOOL, AWARD, "Phạm Thị Lắng")
    await wait_pending(system[Tier.UNIT], SCHOOL, submitted["nomination_id"])
    found = await wait_settled(system.stack.config.database_urls, within=30)  # events in flight settle
    assert found.ok() and found.events > 0, found.summary()
