"""A nomination conferred by the President travels unit → district → province → central via HTTP."""

from shared.authority import PRESIDENT
from shared.events import TOPIC_AWARDS, TOPIC_NOMINATIONS
from shared.tiers import Tier
from tests.helpers import auth, decide, draft_and_submit, eventually, events_for, wait_pending

SCHOOL, HON_DAT, KIEN_GIANG = "U91-0001", "D903", "P91"
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
