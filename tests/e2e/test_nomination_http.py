"""Through HTTP only: a nomination travels unit → district → province → central; rules hold."""

from shared.authority import PRESIDENT
from shared.events import TOPIC_AWARDS, TOPIC_NOMINATIONS
from shared.tiers import Tier
from tests.helpers import auth, decide, draft_and_submit, eventually, events_for, wait_pending

SCHOOL, OTHER_UNIT, HON_DAT, KIEN_GIANG = "U91-0001", "U91-0003", "D903", "P91"
LEVELS = [(Tier.UNIT, SCHOOL), (Tier.DISTRICT, HON_DAT), (Tier.PROVINCE, KIEN_GIANG), (Tier.CENTRAL, PRESIDENT)]


async def test_routed_to_the_top_and_conferred(system):
    submitted = await draft_and_submit(system[Tier.UNIT], SCHOOL, "HCLD_HANG_BA", "Nguyễn Thị Lan")
    nomination_id = submitted["nomination_id"]
    assert [s["agency_code"] for s in submitted["route"]] == [a for _, a in LEVELS]

    for tier, agency in LEVELS:
        await wait_pending(system[tier], agency, nomination_id)
        if tier is Tier.CENTRAL:
            r = await decide(system[tier], agency, nomination_id, "confer", decision_no="123/QĐ-CTN")
        else:
            r = await decide(system[tier], agency, nomination_id, "forward", reason="Đủ điều kiện")
        assert r.status_code == 200, r.text

    status = (await system[Tier.CENTRAL].get(f"/nominations/{nomination_id}/status",
                                            headers=auth(PRESIDENT, "chair"))).json()
    assert status["state"] == "conferred"
    assert [h["action"] for h in status["history"]] == ["forward", "forward", "forward", "confer"]

    decisions = []
    for tier, agency in LEVELS:
        r = await system[tier].get(f"/nominations/{nomination_id}/history", headers=auth(agency, "chair"))
        assert r.status_code == 200, r.text
        decisions += [rec for rec in r.json() if rec["action"].startswith("decision.")]
        chain = await system[tier].get("/audit/verify", headers=auth(agency, "chair"))
        assert chain.json()["valid"] is True
    assert [(d["agency_code"], d["action"]) for d in decisions] == [
        (SCHOOL, "decision.forward"), (HON_DAT, "decision.forward"),
        (KIEN_GIANG, "decision.forward"), (PRESIDENT, "decision.confer"),
    ]

    async def unit_sees_outcome():
        r = await system[Tier.UNIT].get(f"/nominations/{nomination_id}", headers=auth(SCHOOL, "clerk"))
        body = r.json()
        return body if body["status"] == "conferred" else None

    outcome = await eventually(unit_sees_outcome, what="the unit to see the conferral")
    assert outcome["decision_no"] == "123/QĐ-CTN" and outcome["outcome_agency"] == PRESIDENT

    async def central_registered():
        r = await system[Tier.CENTRAL].get("/awards", headers=auth(PRESIDENT, "chair"))
        return [a for a in r.json() if a["nomination_id"] == nomination_id]

    registered = await eventually(central_registered, what="central's award registry")
    assert registered[0]["award_code"] == "HCLD_HANG_BA" and registered[0]["conferred_by"] == PRESIDENT

    events = await events_for(system.bootstrap, nomination_id, [TOPIC_NOMINATIONS, TOPIC_AWARDS])
    types = [e["type"] for e in events]
    assert types.count("nomination.submitted") == 1
    assert types.count("nomination.received") == 4
    assert types.count("nomination.forwarded") == 3
    assert types.count("award.conferred") == 1

async def snapshot(system, nomination_id: str) -> tuple:
    status = await system[Tier.UNIT].get(f"/nominations/{nomination_id}/status", headers=auth(SCHOOL, "clerk"))
    counts = []
    for tier, agency in [(Tier.UNIT, SCHOOL), (Tier.DISTRICT, HON_DAT), (Tier.PROVINCE, KIEN_GIANG)]:
        verify = await system[tier].get("/audit/verify", headers=auth(agency, "chair"))
        counts.append(verify.json()["records"])
    return status.json()["state"], status.json()["step"], len(status.json()["history"]), tuple(counts)


async def test_disallowed_decisions_are_refused_and_change_nothing(system):
    nomination_id = (await draft_and_submit(system[Tier.UNIT], SCHOOL, "HCLD_HANG_BA", "Trần Văn Bảo"))["nomination_id"]
    await wait_pending(system[Tier.UNIT], SCHOOL, nomination_id)
    before = await snapshot(system, nomination_id)

    wrong_role = await decide(system[Tier.UNIT], SCHOOL, nomination_id, "forward", role="clerk")
    assert wrong_role.status_code == 403
    assert "role 'clerk'" in wrong_role.json()["detail"]

    wrong_agency = await decide(system[Tier.UNIT], OTHER_UNIT, nomination_id, "forward")
    assert wrong_agency.status_code == 404
    assert OTHER_UNIT in wrong_agency.json()["detail"]

    wrong_tier = await decide(system[Tier.DISTRICT], HON_DAT, nomination_id, "forward")
    assert wrong_tier.status_code == 404
    assert "has never been at D903" in wrong_tier.json()["detail"]

    not_conferring = await decide(system[Tier.UNIT], SCHOOL, nomination_id, "confer", decision_no="1/QĐ")
    assert not_conferring.status_code == 409
    assert f"the conferring authority is {PRESIDENT}" in not_conferring.json()["detail"]

    no_number = await decide(system[Tier.UNIT], SCHOOL, nomination_id, "confer")
    assert no_number.status_code == 422 and "decision_no" in no_number.json()["detail"]

    unknown_action = await decide(system[Tier.UNIT], SCHOOL, nomination_id, "approve")
    assert unknown_action.status_code == 422 and "action" in unknown_action.json()["detail"]

    no_token = await system[Tier.UNIT].post(f"/reviews/{nomination_id}/decision", json={"action": "forward"})
    assert no_token.status_code == 401

    assert await snapshot(system, nomination_id) == before

    assert (await decide(system[Tier.UNIT], SCHOOL, nomination_id, "forward")).status_code == 200
    again = await decide(system[Tier.UNIT], SCHOOL, nomination_id, "forward")
    assert again.status_code == 409
    assert "already forwarded" in again.json()["detail"]


async def test_return_then_resubmit_resumes_at_the_returning_level(system):
    nomination_id = (await draft_and_submit(system[Tier.UNIT], SCHOOL, "BANG_KHEN_TINH", "Lê Thị Cúc"))["nomination_id"]
    await wait_pending(system[Tier.UNIT], SCHOOL, nomination_id)
    assert (await decide(system[Tier.UNIT], SCHOOL, nomination_id, "forward")).status_code == 200
    await wait_pending(system[Tier.DISTRICT], HON_DAT, nomination_id)
    returned = await decide(system[Tier.DISTRICT], HON_DAT, nomination_id, "return", reason="Thiếu biên bản họp hội đồng")
    assert returned.status_code == 200 and returned.json()["state"] == "returned"

    resubmitted = await system[Tier.UNIT].post(f"/nominations/{nomination_id}/resubmit",
                                               headers=auth(SCHOOL, "clerk"), json={"reason": "Đã bổ sung biên bản"})
    assert resubmitted.status_code == 200, resubmitted.text
    await wait_pending(system[Tier.DISTRICT], HON_DAT, nomination_id)
    again = await system[Tier.UNIT].post(f"/nominations/{nomination_id}/resubmit",
                                         headers=auth(SCHOOL, "clerk"), json={})
    assert again.status_code == 409 and "only a returned nomination" in again.json()["detail"]
    assert (await decide(system[Tier.DISTRICT], HON_DAT, nomination_id, "forward")).status_code == 200
    await wait_pending(system[Tier.PROVINCE], KIEN_GIANG, nomination_id)
    refused = await decide(system[Tier.PROVINCE], KIEN_GIANG, nomination_id, "refuse", reason="Chưa đủ tiêu chuẩn")
    assert refused.status_code == 200 and refused.json()["state"] == "refused"
