"""Through HTTP only: a nomination travels unit → district → province → central; rules hold."""

import base64
import hashlib
import io
import json
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest
from docx import Document

from deploy.demo_data import CENTRAL_BOARD, ORDER_ROUTE, PRESIDENT, demo_token
from services.kit.console.session import COOKIE, csrf_of
from shared.contracts.events import TOPIC_AWARDS, TOPIC_NOMINATIONS
from shared.contracts.tiers import Tier
from shared.platform import blobs
from tests.e2e.conftest import RunningSystem
from tests.helpers import (
    auth,
    decide,
    document,
    draft_and_submit,
    events_for,
    eventually,
    proposer_kinds,
    ready_to_forward,
    wait_pending,
)

SCHOOL, OTHER_UNIT, HON_DAT, KIEN_GIANG = "U91-0001", "U91-0003", "D903", "P91"


@pytest.fixture(scope="module")
async def system(sqlite_system: RunningSystem) -> AsyncIterator[RunningSystem]:
    """The rules through HTTP, on SQLite: test_lifecycle.py runs the whole stack on both databases."""
    yield sqlite_system


LEVELS = [(Tier(tier), agency) for tier, agency in ORDER_ROUTE]


async def test_routed_to_the_top_and_conferred(system):
    submitted = await draft_and_submit(system[Tier.UNIT], SCHOOL, "HCLD_HANG_BA", "Nguyễn Thị Lan")
    nomination_id = submitted["nomination_id"]
    assert [s["agency_code"] for s in submitted["route"]] == [a for _, a in LEVELS]

    for tier, agency in LEVELS:
        await wait_pending(system[tier], agency, nomination_id)
        if agency == PRESIDENT:  # the request's id travels through the workflow into the event it causes
            r = await system[tier].post(
                f"/reviews/{nomination_id}/decision",
                headers={**auth(agency, "chair"), "X-Request-ID": "confer-at-the-top-0001"},
                json={"action": "confer", "decision_no": "123/QĐ-CTN"},
            )
        else:
            r = await decide(system[tier], agency, nomination_id, "forward", reason="Đủ điều kiện")
        assert r.status_code == 200, r.text

    status = (
        await system[Tier.CENTRAL].get(f"/nominations/{nomination_id}/status", headers=auth(PRESIDENT, "chair"))
    ).json()
    assert status["state"] == "conferred"
    assert [h["action"] for h in status["history"]] == ["forward"] * 5 + ["confer"]

    decisions = []
    for tier, agency in LEVELS:
        r = await system[tier].get(f"/nominations/{nomination_id}/history", headers=auth(agency, "chair"))
        assert r.status_code == 200, r.text
        decisions += [rec for rec in r.json() if rec["action"].startswith("decision.")]
        chain = await system[tier].get("/audit/verify", headers=auth(agency, "chair"))
        assert chain.json()["valid"] is True
    # The central service holds three steps (board, Prime Minister, President): count each once.
    decisions = list({(d["agency_code"], d["action"]): d for d in decisions})
    assert decisions == [(a, "decision.forward") for _, a in LEVELS[:-1]] + [(PRESIDENT, "decision.confer")]

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
    assert types.count("nomination.received") == 6
    assert types.count("nomination.forwarded") == 5
    assert types.count("award.conferred") == 1
    by_type = {e["type"]: e for e in events}
    assert by_type["award.conferred"]["request_id"] == "confer-at-the-top-0001"
    assert by_type["nomination.submitted"]["request_id"]  # the submission started the workflow
    assert all(e["request_id"] for e in events if e["type"] == "nomination.forwarded")
    # Opening a review is the workflow's own step, not caused by the request that decided before it.
    assert not any(e["request_id"] for e in events if e["type"] == "nomination.received")


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

    async def clock_started() -> str | None:
        status = await system[Tier.UNIT].get(f"/nominations/{nomination_id}/status", headers=auth(SCHOOL, "clerk"))
        return status.json()["due_on"]

    # The step's deadline is recorded just after the inbox row: count the records once it is.
    await eventually(clock_started, what="the unit's deadline to be set")
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
    returned = await decide(
        system[Tier.DISTRICT], HON_DAT, nomination_id, "return", reason="Thiếu biên bản họp hội đồng"
    )
    assert returned.status_code == 200 and returned.json()["state"] == "returned"

    resubmitted = await system[Tier.UNIT].post(
        f"/nominations/{nomination_id}/resubmit", headers=auth(SCHOOL, "clerk"), json={"reason": "Đã bổ sung biên bản"}
    )
    assert resubmitted.status_code == 200, resubmitted.text
    await wait_pending(system[Tier.DISTRICT], HON_DAT, nomination_id)
    again = await system[Tier.UNIT].post(
        f"/nominations/{nomination_id}/resubmit", headers=auth(SCHOOL, "clerk"), json={}
    )
    assert again.status_code == 409 and "only a returned nomination" in again.json()["detail"]
    assert (await decide(system[Tier.DISTRICT], HON_DAT, nomination_id, "forward")).status_code == 200
    await wait_pending(system[Tier.PROVINCE], KIEN_GIANG, nomination_id)
    refused = await decide(system[Tier.PROVINCE], KIEN_GIANG, nomination_id, "refuse", reason="Chưa đủ tiêu chuẩn")
    assert refused.status_code == 200 and refused.json()["state"] == "refused"


# --- The law as data, through HTTP (issue 3) -------------------------------------------------


def streak_facts(cstdcs_years: list[int], *, scope: str = "bo_tinh") -> list[dict]:
    """Ratings 2020-2024, CSTĐCS in the given years (conferred by Hòn Đất district), one initiative."""
    facts: list[dict] = [
        {"kind": "rating", "year": y, "rating": "xuat_sac", "agency_code": SCHOOL} for y in range(2020, 2025)
    ]
    facts += [
        {
            "kind": "award",
            "award_code": "CSTD_CO_SO",
            "year": y,
            "decided_on": f"{y + 1}-01-15",
            "mode": "cong_trang",
            "conferred_by": HON_DAT,
            "decision_no": f"{y}/QĐ-UBND",
        }
        for y in cstdcs_years
    ]
    facts.append(
        {
            "kind": "initiative",
            "id": "SK-91-001",
            "title": "Dạy học số ở trường vùng biển",
            "scope": scope,
            "recognised_on": "2024-06-01",
            "recognised_by": KIEN_GIANG,
        }
    )
    return facts


async def register(system, nominee_id: str, name: str) -> None:  # type: ignore[no-untyped-def]
    """The school registers its staff member: only the managing agency proposes them and writes their history."""
    r = await system[Tier.UNIT].post(
        "/nominees", headers=auth(SCHOOL, "clerk"), json={"id": nominee_id, "name": name, "kind": "individual"}
    )
    assert r.status_code == 201, r.text


async def draft_for(system, nominee_id: str, award: str, name: str, **extra) -> str:  # type: ignore[no-untyped-def]
    r = await system[Tier.UNIT].post(
        "/nominations",
        headers=auth(SCHOOL, "clerk"),
        json={
            "nominee_name": name,
            "award_code": award,
            "reason": "Thành tích 3 năm liền",
            "nominee_id": nominee_id,
            "period_year": 2024,
            **extra,
        },
    )
    assert r.status_code == 201, r.text
    nomination_id = r.json()["id"]
    for kind in proposer_kinds(award):  # the whole dossier, so that every level's intake passes
        r = await system[Tier.UNIT].post(
            f"/nominations/{nomination_id}/documents", headers=auth(SCHOOL, "clerk"), json=document(kind)
        )
        assert r.status_code == 201, r.text
    return nomination_id


async def test_ineligible_nomination_is_refused_at_submission_with_reasons(system):
    nominee = "CCCD:091000000002"
    await register(system, nominee, "Đỗ Thị Hằng")
    recorded = await system[Tier.UNIT].post(
        f"/nominees/{nominee}/facts", headers=auth(SCHOOL, "clerk"), json={"facts": streak_facts([2023, 2024])}
    )
    assert recorded.status_code == 201, recorded.text
    nomination_id = await draft_for(system, nominee, "CSTD_TINH", "Đỗ Thị Hằng")

    refused = await system[Tier.UNIT].post(f"/nominations/{nomination_id}/submit", headers=auth(SCHOOL, "clerk"))
    assert refused.status_code == 422, refused.text
    detail = refused.json()["detail"]
    assert detail["eligibility"]["outcome"] == "ineligible" and detail["eligibility"]["regime"] == "ND98"
    assert detail["reasons"] and any("CSTĐCS" in r or "Chiến sĩ thi đua cơ sở" in r for r in detail["reasons"])
    failed = [c for c in detail["eligibility"]["criteria"] if c["status"] == "not_met"]
    assert failed and all(c["citation"] for c in failed)
    # Nothing half-applied: still a draft, no workflow.
    draft = (await system[Tier.UNIT].get(f"/nominations/{nomination_id}", headers=auth(SCHOOL, "clerk"))).json()
    assert draft["status"] == "draft"


async def test_eligible_nomination_routes_by_the_matrix_and_reviewers_see_the_verdict(system):
    nominee = "CCCD:091000000003"
    await register(system, nominee, "Võ Văn Kiệt")
    facts = streak_facts([2022, 2023, 2024])
    r = await system[Tier.UNIT].post(f"/nominees/{nominee}/facts", headers=auth(SCHOOL, "clerk"), json={"facts": facts})
    assert r.status_code == 201 and r.json()["recorded"] == len(facts), r.text
    again = await system[Tier.UNIT].post(
        f"/nominees/{nominee}/facts", headers=auth(SCHOOL, "clerk"), json={"facts": facts}
    )
    assert again.json()["recorded"] == 0  # idempotent
    # The province knows who manages the nominee, and that it is not itself.
    foreign = await system[Tier.PROVINCE].get(f"/nominees/{nominee}/history", headers=auth(KIEN_GIANG, "chair"))
    assert foreign.status_code == 404, foreign.text

    nomination_id = await draft_for(system, nominee, "CSTD_TINH", "Võ Văn Kiệt", initiative_ids=["SK-91-001"])
    submitted = await system[Tier.UNIT].post(f"/nominations/{nomination_id}/submit", headers=auth(SCHOOL, "clerk"))
    assert submitted.status_code == 202, submitted.text
    assert [s["agency_code"] for s in submitted.json()["route"]] == [SCHOOL, HON_DAT, KIEN_GIANG]

    for tier, agency in [(Tier.UNIT, SCHOOL), (Tier.DISTRICT, HON_DAT), (Tier.PROVINCE, KIEN_GIANG)]:
        item = await wait_pending(system[tier], agency, nomination_id)
        assert item["regime"] == "ND98" and item["eligibility"]["outcome"] == "eligible", item
        if tier is not Tier.PROVINCE:
            assert (await decide(system[tier], agency, nomination_id, "forward")).status_code == 200

    # Once on the route, the province reads the history it learnt by events.
    r = await system[Tier.PROVINCE].get(f"/nominees/{nominee}/history", headers=auth(KIEN_GIANG, "chair"))
    assert r.status_code == 200 and len(r.json()["facts"]) == len(facts), r.text
    conferred = await decide(system[Tier.PROVINCE], KIEN_GIANG, nomination_id, "confer", decision_no="55/QĐ-UBND")
    assert conferred.status_code == 200, conferred.text

    # The conferral enters the nominee's history at the proposer, with the initiative it consumed.
    async def unit_has_award():
        r = await system[Tier.UNIT].get(f"/nominees/{nominee}/history", headers=auth(SCHOOL, "clerk"))
        return [f for f in r.json()["facts"] if f["kind"] == "award" and f["award_code"] == "CSTD_TINH"]

    award = (await eventually(unit_has_award, what="the conferred title in the unit's history"))[0]
    assert award["conferred_by"] == KIEN_GIANG and award["initiative_ids"] == ["SK-91-001"]


async def test_catalog_route_and_eligibility_endpoints(system):
    unit = system[Tier.UNIT]
    awards = (await unit.get("/catalog/awards")).json()
    assert {"CSTD_CO_SO", "BANG_KHEN_TTG", "HCLD_HANG_BA", "NHA_GIAO_NHAN_DAN", "GIA_DINH_VAN_HOA"} <= {
        a["code"] for a in awards
    }
    cstdcs = (await unit.get("/catalog/awards/CSTD_CO_SO")).json()
    assert "district_chair" in [a["authority"] for a in cstdcs["authority_matrix"]["ND98"]]
    assert "district_chair" not in [a["authority"] for a in cstdcs["authority_matrix"]["ND152"]]
    assert (await unit.get("/catalog/awards/NOPE")).status_code == 404

    route = (
        await unit.get(
            "/routes",
            params={"award_code": "CSTD_CO_SO", "proposer_agency": "C30823", "on": "2025-08-01"},
            headers=auth(SCHOOL, "clerk"),
        )
    ).json()
    assert route["regime"] == "ND152" and route["conferring_agency"] == "C30823"
    assert route["reasons"][-1]["citation"]

    what_if = await unit.post(
        "/eligibility/check",
        headers=auth(SCHOOL, "clerk"),
        json={"award_code": "CSTD_TINH", "facts": streak_facts([2022, 2023, 2024]), "period_year": 2024},
    )
    assert what_if.status_code == 200 and what_if.json()["outcome"] == "eligible", what_if.text
    bad = await unit.post(
        "/eligibility/check",
        headers=auth(SCHOOL, "clerk"),
        json={"award_code": "CSTD_TINH", "facts": [{"kind": "rating", "year": "soon"}]},
    )
    assert bad.status_code == 422


async def test_the_proposer_withdraws_before_a_decision(system):
    nomination_id = (await draft_and_submit(system[Tier.UNIT], SCHOOL, "BANG_KHEN_TINH", "Mai Văn Rút"))[
        "nomination_id"
    ]
    await wait_pending(system[Tier.UNIT], SCHOOL, nomination_id)
    assert (await decide(system[Tier.UNIT], SCHOOL, nomination_id, "forward")).status_code == 200
    await wait_pending(system[Tier.DISTRICT], HON_DAT, nomination_id)

    other = await system[Tier.UNIT].post(
        f"/nominations/{nomination_id}/withdraw", headers=auth(OTHER_UNIT, "clerk"), json={}
    )
    assert other.status_code == 404  # another unit's dossier looks absent
    withdrawn = await system[Tier.UNIT].post(
        f"/nominations/{nomination_id}/withdraw",
        headers=auth(SCHOOL, "clerk"),
        json={"reason": "Đơn vị rút hồ sơ để bổ sung thành tích năm sau"},
    )
    assert withdrawn.status_code == 200 and withdrawn.json()["state"] == "withdrawn", withdrawn.text

    # The district's review was closed as withdrawn before the withdrawal was answered.
    late = await decide(system[Tier.DISTRICT], HON_DAT, nomination_id, "forward")
    assert late.status_code == 409 and "already withdrawn" in late.json()["detail"], late.text
    again = await system[Tier.UNIT].post(
        f"/nominations/{nomination_id}/withdraw", headers=auth(SCHOOL, "clerk"), json={}
    )
    assert again.status_code == 409

    async def withdrawn_everywhere():
        unit = (await system[Tier.UNIT].get(f"/nominations/{nomination_id}", headers=auth(SCHOOL, "clerk"))).json()
        inbox = (
            await system[Tier.DISTRICT].get("/inbox", headers=auth(HON_DAT, "chair"), params={"limit": 1000})
        ).json()
        return unit["status"] == "withdrawn" and all(i["nomination_id"] != nomination_id for i in inbox)

    await eventually(withdrawn_everywhere, what="the withdrawal at the unit and the district")
    history = (
        await system[Tier.DISTRICT].get(f"/nominations/{nomination_id}/history", headers=auth(HON_DAT, "chair"))
    ).json()
    assert [a["action"] for a in history if a["action"] == "nomination.withdrawn"] == ["nomination.withdrawn"]


async def test_a_false_hold_is_retracted_by_its_recorder_and_every_service_learns_it(system):
    nominee = "CCCD:091000000004"
    await register(system, nominee, "Lý Thị Bình")
    hold = {"kind": "hold", "reason": "complaint", "start": "2025-01-01"}
    r = await system[Tier.UNIT].post(
        f"/nominees/{nominee}/facts",
        headers=auth(SCHOOL, "clerk"),
        json={"facts": [*streak_facts([2022, 2023, 2024]), hold]},
    )
    assert r.status_code == 201, r.text
    nomination_id = await draft_for(system, nominee, "CSTD_TINH", "Lý Thị Bình", initiative_ids=["SK-91-001"])
    blocked = await system[Tier.UNIT].post(f"/nominations/{nomination_id}/submit", headers=auth(SCHOOL, "clerk"))
    assert blocked.status_code == 422, blocked.text
    assert blocked.json()["detail"]["eligibility"]["outcome"] == "ineligible"

    records = (await system[Tier.UNIT].get(f"/nominees/{nominee}/history", headers=auth(SCHOOL, "clerk"))).json()
    key = next(rec["fact_key"] for rec in records["records"] if rec["fact"]["kind"] == "hold")
    retract = f"/nominees/{nominee}/facts/{key}/retract"
    other = await system[Tier.UNIT].post(retract, headers=auth(OTHER_UNIT, "clerk"), json={"reason": "Không đúng"})
    assert other.status_code == 403
    done = await system[Tier.UNIT].post(retract, headers=auth(SCHOOL, "clerk"), json={"reason": "Ghi nhầm người"})
    assert done.status_code == 200, done.text

    submitted = await system[Tier.UNIT].post(f"/nominations/{nomination_id}/submit", headers=auth(SCHOOL, "clerk"))
    assert submitted.status_code == 202, submitted.text
    district = HON_DAT
    await wait_pending(system[Tier.UNIT], SCHOOL, nomination_id)
    assert (await decide(system[Tier.UNIT], SCHOOL, nomination_id, "forward")).status_code == 200
    await wait_pending(system[Tier.DISTRICT], district, nomination_id)

    async def retracted_at_the_district():
        r = await system[Tier.DISTRICT].get(f"/nominees/{nominee}/history", headers=auth(district, "chair"))
        held = [rec for rec in r.json().get("records", []) if rec["fact"]["kind"] == "hold"]
        return held if held and held[0]["retraction_reason"] == "Ghi nhầm người" else None

    await eventually(retracted_at_the_district, what="the retraction at the district service")


async def test_a_document_uploaded_at_the_unit_is_read_at_every_level_and_refused_once_altered(system):
    submitted = await draft_and_submit(system[Tier.UNIT], SCHOOL, "HCLD_HANG_BA", "Nguyễn Thị Lan")
    nomination_id = submitted["nomination_id"]
    own = (await system[Tier.UNIT].get(f"/nominations/{nomination_id}", headers=auth(SCHOOL, "clerk"))).json()
    submission = next(d for d in own["documents"] if d["kind"] == "to_trinh")
    expected = document("to_trinh", "to_trinh: Nguyễn Thị Lan")  # what draft_and_submit uploaded
    content_url = f"/nominations/{nomination_id}/documents/{submission['id']}/content"
    for tier, agency in LEVELS[:4]:  # the unit, the district, the province, the Central Board
        pending = await wait_pending(system[tier], agency, nomination_id)
        listed = {d["document_id"]: d for d in pending["documents"]}  # the dossier as it reached this level
        assert listed[submission["id"]]["sha256"] == submission["sha256"], (agency, pending["documents"])
        read = await system[tier].get(content_url, headers=auth(agency, "chair"))
        assert read.status_code == 200, (agency, read.text)
        assert base64.b64encode(read.content).decode() == expected["content_base64"]
        assert read.headers["x-content-sha256"] == hashlib.sha256(read.content).hexdigest() == submission["sha256"]
        assert "filename*=UTF-8''to_trinh.txt" in read.headers["content-disposition"]
        if agency != CENTRAL_BOARD:
            assert (await decide(system[tier], agency, nomination_id, "forward")).status_code == 200
    # An agency off the route reads nothing; no bytes travelled in the workflow or the events.
    assert (await system[Tier.UNIT].get(content_url, headers=auth(OTHER_UNIT, "chair"))).status_code == 404
    events = await events_for(system.bootstrap, nomination_id, [TOPIC_NOMINATIONS, TOPIC_AWARDS])
    assert expected["content_base64"] not in json.dumps(events)

    stored = system.stack.config.object_store / blobs.key_of(submission["sha256"])
    stored.write_bytes("Bản đã bị sửa".encode())  # altered in storage
    refused = await system[Tier.CENTRAL].get(content_url, headers=auth(CENTRAL_BOARD, "chair"))
    assert refused.status_code == 409 and "no longer matches its SHA-256" in refused.json()["detail"]


@asynccontextmanager
async def in_console(
    system: RunningSystem, tier: Tier, agency: str, role: str = "chair"
) -> AsyncIterator[tuple[httpx.AsyncClient, str]]:
    """A person's session in the tier's console (its own client: the shared ones carry no cookie)."""
    async with httpx.AsyncClient(base_url=system.stack.config.url(tier), timeout=30) as client:
        token = demo_token(agency, role)
        done = await client.post("/console/login", data={"username": token.lower(), "password": token})
        assert done.status_code == 303, done.text
        client.cookies.set(COOKIE, done.cookies[COOKIE])
        yield client, csrf_of(done.cookies[COOKIE])


def result_lines(page: str) -> dict[str, str]:
    lines = re.findall(r'<li class="(ok|error)" data-nomination="([^"]+)">(.*?)</li>', page, re.S)
    return {n: f"{outcome}: " + re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", text)).strip() for outcome, n, text in lines}


async def test_bulk_forward_and_return_in_the_console_attempt_each_nomination_on_its_own(system):
    unit, district = system[Tier.UNIT], system[Tier.DISTRICT]
    ready = (await draft_and_submit(unit, SCHOOL, "BANG_KHEN_TINH", "Hồ Thị Sẵn"))["nomination_id"]
    early = (await draft_and_submit(unit, SCHOOL, "BANG_KHEN_TINH", "Hồ Văn Sớm"))["nomination_id"]
    for nomination_id in (ready, early):
        await wait_pending(unit, SCHOOL, nomination_id)
    await ready_to_forward(unit, SCHOOL, ready)  # its public posting and council; `early` has neither

    async with in_console(system, Tier.UNIT, SCHOOL) as (client, csrf):
        answer = await client.post(
            "/console/bulk?status=", data={"csrf": csrf, "action": "forward", "nomination_id": [ready, early]}
        )
    assert answer.status_code == 200, answer.text
    lines = result_lines(answer.text)
    assert lines[ready] == "ok: Hồ Thị Sẵn: Đã thực hiện", lines
    assert lines[early].startswith("error: Hồ Văn Sớm: Không thực hiện được: Chưa trình cấp trên được"), lines
    assert "council" in lines[early]  # the level's own reason follows, naming what is missing
    await wait_pending(district, HON_DAT, ready)  # the refusal of the one undid nothing of the other
    assert (await wait_pending(unit, SCHOOL, early))["status"] == "pending"

    async with in_console(system, Tier.DISTRICT, HON_DAT) as (client, csrf):
        answer = await client.post(
            "/console/bulk",
            data={"csrf": csrf, "action": "return", "reason": "Thiếu bản sao bằng khen", "nomination_id": ready},
        )
    assert result_lines(answer.text)[ready] == "ok: Hồ Thị Sẵn: Đã thực hiện", answer.text
    status = (await unit.get(f"/nominations/{ready}/status", headers=auth(SCHOOL, "clerk"))).json()
    assert status["state"] == "returned" and status["history"][-1]["reason"] == "Thiếu bản sao bằng khen", status


async def test_a_proposal_for_three_goes_up_together_and_one_decision_confers_on_two(system):
    """One tờ trình, three awardees: submitted all or none, each on its own route with the batch's
    number; the district returns one and confers on the other two under one decision number."""
    unit, district = system[Tier.UNIT], system[Tier.DISTRICT]
    clerk = auth(SCHOOL, "clerk")
    award, names = "LAO_DONG_TIEN_TIEN", ["Trần Thị Bé", "Lê Văn Cường", "Phạm Thị Dung"]
    profiles = [("giao_vien", "nu", "01"), ("lanh_dao_so", "nam", "05"), ("y_te", "nu", "02")]
    ids = []
    for name, (position, sex, ethnicity) in zip(names, profiles, strict=True):
        r = await unit.post(
            "/nominations",
            headers=clerk,
            json={"nominee_name": name, "award_code": award, "reason": "Hoàn thành tốt nhiệm vụ",
                  "nominee_position": position, "nominee_sex": sex, "nominee_ethnicity": ethnicity},
        )  # fmt: skip
        assert r.status_code == 201, r.text
        ids.append(r.json()["id"])
    for nomination_id in ids[:2]:  # the third has no document yet
        for kind in proposer_kinds(award):
            r = await unit.post(f"/nominations/{nomination_id}/documents", headers=clerk, json=document(kind, kind))
            assert r.status_code == 201, r.text
    batch = (
        await unit.post("/batches", headers=clerk, json={"number": "7/TTr-THSS", "title": "Đề nghị công nhận LĐTT"})
    ).json()
    assert (
        await unit.post(f"/batches/{batch['id']}/nominations", headers=clerk, json={"nomination_ids": ids})
    ).status_code == 200
    refused = await unit.post(f"/batches/{batch['id']}/submit", headers=clerk)
    assert refused.status_code == 422 and [i["nominee_name"] for i in refused.json()["detail"]["items"]] == [names[2]]
    assert {a["status"] for a in (await unit.get(f"/batches/{batch['id']}", headers=clerk)).json()["awardees"]} == {
        "draft"
    }
    for kind in proposer_kinds(award):
        assert (
            await unit.post(f"/nominations/{ids[2]}/documents", headers=clerk, json=document(kind, kind))
        ).status_code == 201
    submitted = await unit.post(f"/batches/{batch['id']}/submit", headers=clerk)
    assert submitted.status_code == 202 and len(submitted.json()["started"]) == 3, submitted.text

    for nomination_id in ids:  # the school's own step: its council on each, then up
        await wait_pending(unit, SCHOOL, nomination_id)
        await ready_to_forward(unit, SCHOOL, nomination_id)
    # The school forwards its tờ trình in one request: each awardee on its own, one line each.
    chair = auth(SCHOOL, "chair")
    many = {"batch_no": "7/TTr-THSS", "reason": "Đủ điều kiện"}
    unnumbered = await unit.post("/reviews/decisions", headers=chair, json={**many, "action": "confer"})
    assert unnumbered.status_code == 422 and "decision number" in unnumbered.text, unnumbered.text
    forwarded = await unit.post("/reviews/decisions", headers=chair, json={**many, "action": "forward"})
    assert forwarded.status_code == 200, forwarded.text
    assert sorted(r["nomination_id"] for r in forwarded.json()["results"] if r["done"]) == sorted(ids)
    assert forwarded.json()["remaining"] == 0
    arrived = [await wait_pending(district, HON_DAT, nomination_id) for nomination_id in ids]
    assert {item["batch_no"] for item in arrived} == {"7/TTr-THSS"}
    returned = await decide(district, HON_DAT, ids[1], "return", reason="Bổ sung bản nhận xét")
    assert returned.status_code == 200, returned.text
    conferred = await district.post(
        "/decisions", headers=auth(HON_DAT, "chair"),
        json={"decision_no": "31/QĐ-UBND", "reason": "Đạt danh hiệu LĐTT năm 2024", "batch_no": "7/TTr-THSS"},
    )  # fmt: skip
    assert conferred.status_code == 200, conferred.text
    assert sorted(r["nomination_id"] for r in conferred.json()["results"] if r["conferred"]) == sorted([ids[0], ids[2]])
    assert conferred.json()["remaining"] == 0  # the returned one is with its proposer, not pending here
    decision = (await district.get("/decisions/31/QĐ-UBND", headers=auth(HON_DAT, "chair"))).json()
    paper = await district.get("/papers/decision.docx", params={"number": "31/QĐ-UBND"}, headers=auth(HON_DAT, "chair"))
    read = Document(io.BytesIO(paper.content))
    cells = {cell.text for table in read.tables for row in table.rows for cell in row.cells}
    assert {names[0], names[2]} <= cells and names[1] not in cells  # the quyết định lists its two awardees
    metrics = (await district.get("/metrics")).text  # what Prometheus reads: the decisions recorded here
    conferred = re.search(r'^tdkt_decisions\{action="confer",outcome="[a-z]+"\} (\d+)', metrics, re.MULTILINE)
    assert conferred is not None and int(float(conferred[1])) >= 2, metrics[:500]
    assert sorted(a["nominee_name"] for a in decision["awardees"]) == sorted([names[0], names[2]])

    async def proposer_view() -> dict | None:
        view = (await unit.get(f"/batches/{batch['id']}", headers=clerk)).json()
        statuses = {a["nomination_id"]: (a["status"], a["decision_no"]) for a in view["awardees"]}
        done = statuses[ids[0]] == ("conferred", "31/QĐ-UBND") and statuses[ids[1]][0] == "returned"
        return statuses if done and statuses[ids[2]] == ("conferred", "31/QĐ-UBND") else None

    await eventually(proposer_view, what="each awardee's own outcome at the proposer")

    # The national registry counts each awardee with what statistics need about them.
    async def registered() -> list | None:
        rows = (await system[Tier.CENTRAL].get("/awards", headers=auth(CENTRAL_BOARD, "chair"))).json()
        fields = ("nominee_name", "nominee_position", "nominee_sex", "nominee_ethnicity", "nominee_kind")
        mine = sorted(tuple(a[f] for f in fields) for a in rows if a["decision_no"] == "31/QĐ-UBND")
        return mine if len(mine) == 2 else None

    assert await eventually(registered, what="the two awards in the national registry") == [
        ("Phạm Thị Dung", "y_te", "nu", "02", "individual"), ("Trần Thị Bé", "giao_vien", "nu", "01", "individual"),
    ]  # fmt: skip
