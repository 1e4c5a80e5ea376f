"""Bad input answered with a sentence, never a 5xx, and nothing recorded (in process, SQLite): a day
outside 1945-09-02..2100-12-31 anywhere a person types one, what has happened dated after the
business date, a meeting too far ahead, an end of validity more than ten years ahead, an agency code
the registry never knew, and withdrawing or resubmitting a draft. One case per check
(`shared/rules/days.py`, `services/kit/registry/service.py` require_known_agency)."""

from datetime import date
from typing import Any

import pytest

from services.kit.nominations.models import Nomination
from shared.contracts.tiers import Tier
from tests.helpers import auth
from tests.integration.kit.test_councils import CHAIR as COUNCIL_CHAIR
from tests.integration.kit.test_councils import draft as council_draft
from tests.integration.kit.test_councils import make_council, meet, member_id
from tests.integration.kit.test_nominee_management import LAN, SCHOOL, register

TODAY = date(2026, 3, 20)
CLERK, CHAIR = auth(SCHOOL, "clerk"), auth(SCHOOL, "chair")
SQLITE = pytest.mark.parametrize("tier_http", ["sqlite"], indirect=True)
ROUTE = {"award_code": "GIAY_KHEN", "proposer_agency": SCHOOL}
POSTING = {"channel": "https://socson.edu.vn/cong-khai"}
LEND = {"to_officer_id": f"{SCHOOL}:clerk", "from": "2026-03-20", "reason": "Đi công tác"}
AWARD = {"kind": "award", "award_code": "GIAY_KHEN", "year": 2024, "decided_on": "2025-01-02", "mode": "cong_trang",
         "conferred_by": SCHOOL}  # fmt: skip
RATING = {"kind": "rating", "year": 2024, "rating": "xuat_sac", "agency_code": SCHOOL}
RANK = {"kind": "cluster_rank", "year": 2024, "cluster_code": "P91-KHOI-1", "cluster_name": "Khối trường học",
        "rank": 1, "members": 5, "organiser_agency": SCHOOL}  # fmt: skip
HOLD = {"kind": "hold", "reason": "complaint", "start": "2026-03-01"}
MOVEMENT = {"name": "Phong trào thi đua dạy tốt", "theme": "Dạy tốt, học tốt", "kind": "dot", "scope": "co_quan",
            "starts_on": "2026-03-20", "launch_document": "Kế hoạch số 3/KH-THCS ngày 18/3/2026"}  # fmt: skip
SAYS_AGENCY = ("is no agency the registry knows", "GET /agencies?q=")


def facts(*items: dict[str, Any]) -> dict[str, Any]:
    return {"json": {"facts": list(items)}}


# (case, method, path, request, headers, status, what the detail says). {nomination} is a draft.
CASES = [
    ("routes on 0001-01-01", "GET", "/routes", {"params": {**ROUTE, "on": "0001-01-01"}}, CLERK, 422,
     ("outside the days this system records", "1945-09-02")),
    ("routes on 9999-12-31", "GET", "/routes", {"params": {**ROUTE, "on": "9999-12-31"}}, CLERK, 422,
     ("outside the days this system records", "2100-12-31")),
    ("agencies on 0001-01-01", "GET", "/agencies", {"params": {"q": "son", "on": "0001-01-01"}}, {}, 422,
     ("outside the days this system records",)),
    ("posting in 2030", "POST", "/nominations/{nomination}/consultation",
     {"json": {**POSTING, "posted_on": "2030-01-07"}}, CLERK, 422,
     ("posted_on 2030-01-07 is outside 1945-09-02 to 2026-03-20", "not dated after today")),
    ("delegation until 9999-12-31", "POST", "/delegations", {"json": {**LEND, "to": "9999-12-31"}}, CHAIR, 422,
     ("outside the days this system records",)),
    ("delegation until 2040", "POST", "/delegations", {"json": {**LEND, "to": "2040-03-20"}}, CHAIR, 422,
     ("to 2040-03-20 is outside 1945-09-02 to 2036-03-20", "at most ten years ahead")),
    ("movement until 2090", "POST", "/movements", {"json": {**MOVEMENT, "ends_on": "2090-12-31"}}, CHAIR, 422,
     ("ends_on 2090-12-31", "at most ten years ahead")),
    ("award decided in 2099", "POST", f"/nominees/{LAN}/facts", facts({**AWARD, "decided_on": "2099-01-02"}), CLERK,
     422, ("fact #0 (award) decided_on 2099-01-02 is outside 1945-09-02 to 2026-03-20",)),
    ("award decided in 1900", "POST", f"/nominees/{LAN}/facts", facts({**AWARD, "decided_on": "1900-01-02"}), CLERK,
     422, ("decided_on 1900-01-02", "nothing is dated before 1945-09-02")),
    ("rating of a year to come", "POST", f"/nominees/{LAN}/facts", facts({**RATING, "year": 2027}), CLERK, 422,
     ("fact #0 (rating) year 2027 is outside 1945 to 2026",)),
    ("hold until 9999", "POST", f"/nominees/{LAN}/facts", facts({**HOLD, "end": "9999-09-01"}), CLERK, 422,
     ("end 9999-09-01", "at most ten years ahead")),
    ("second fact wrong", "POST", f"/nominees/{LAN}/facts", facts(RATING, {**HOLD, "start": "2026-04-01"}), CLERK,
     422, ("fact #1 (hold) start 2026-04-01",)),
    ("rating by an unknown agency", "POST", f"/nominees/{LAN}/facts", facts({**RATING, "agency_code": "U99-NOPE"}),
     CLERK, 422, ("agency_code 'U99-NOPE'", *SAYS_AGENCY)),
    ("award by an unknown agency", "POST", f"/nominees/{LAN}/facts", facts({**AWARD, "conferred_by": "D999"}), CLERK,
     422, ("conferred_by 'D999'", *SAYS_AGENCY)),
    ("ranked by an unknown organiser", "POST", f"/nominees/{LAN}/facts",
     facts({**RANK, "organiser_agency": "SNV-P99"}), CLERK, 422, ("organiser_agency 'SNV-P99'", *SAYS_AGENCY)),
    ("collective nominee of an unknown agency", "POST", "/nominees",
     {"json": {"id": "U99-NOPE", "kind": "collective", "name": "Trường THCS Không Có"}}, CLERK, 422,
     ("id 'U99-NOPE'", *SAYS_AGENCY, "TAPTHE:")),
    ("collective draft of an unknown agency", "POST", "/nominations",
     {"json": {"nominee_name": "Trường THCS Không Có", "nominee_kind": "collective", "nominee_id": "U99-NOPE",
               "award_code": "GIAY_KHEN", "reason": "Tốt"}}, CLERK, 422, ("nominee_id 'U99-NOPE'", *SAYS_AGENCY)),
    ("withdraw a draft", "POST", "/nominations/{nomination}/withdraw", {"json": {"reason": "Thử"}}, CLERK, 409,
     ("is a draft", "nothing was submitted to withdraw", "/submit")),
    ("resubmit a draft", "POST", "/nominations/{nomination}/resubmit", {"json": {"reason": "Thử"}}, CLERK, 409,
     ("is a draft", "nothing was submitted to resubmit", "/submit")),
]  # fmt: skip


async def drafted(client) -> str:  # type: ignore[no-untyped-def]
    made = await client.post(
        "/nominations", headers=CLERK,
        json={"nominee_name": "Nguyễn Thị Lan", "award_code": "ANH_HUNG_LAO_DONG", "reason": "Thành tích xuất sắc"},
    )  # fmt: skip
    assert made.status_code == 201, made.text
    return str(made.json()["id"])


@SQLITE
@pytest.mark.parametrize(("method", "path", "request_", "headers", "status", "says"), [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])  # fmt: skip
async def test_bad_input_is_refused_with_a_sentence_and_nothing_recorded(
    tier_http, method, path, request_, headers, status, says
):
    client, sessions = await tier_http(Tier.UNIT, business_date=TODAY)
    assert (await register(client, SCHOOL)).status_code == 201
    nomination_id = await drafted(client)
    answer = await client.request(method, path.format(nomination=nomination_id), headers=headers, **request_)
    assert answer.status_code == status, answer.text
    detail = answer.json()["detail"]
    assert all(words in detail for words in says), detail
    assert (await client.get(f"/nominees/{LAN}/history", headers=CLERK)).json()["facts"] == []
    assert (await client.get("/delegations", headers=CHAIR)).json() == []
    assert [n["id"] for n in (await client.get("/nominees", headers=CLERK)).json()] == [LAN]
    async with sessions() as session:
        stored = await session.get(Nomination, nomination_id)
    assert stored is not None and stored.status == "draft"


@SQLITE
async def test_the_edges_of_each_window_are_accepted(tier_http):
    """Today, ten years ahead, 1945-09-02 and a retired agency's code pass: the checks refuse only
    what lies beyond their bound."""
    client, _ = await tier_http(Tier.UNIT, business_date=TODAY)
    assert (await register(client, SCHOOL)).status_code == 201
    nomination_id = await drafted(client)
    posted = await client.post(
        f"/nominations/{nomination_id}/consultation", headers=CLERK, json={**POSTING, "posted_on": "2026-03-20"}
    )
    assert posted.status_code == 201, posted.text
    history = [
        {**AWARD, "decided_on": "2026-03-20", "conferred_by": "D903"},  # Hòn Đất district, merged away in 2025
        {**RATING, "year": 2026},
        {**HOLD, "start": "1945-09-02", "end": "2036-03-20"},
    ]
    recorded = await client.post(f"/nominees/{LAN}/facts", headers=CLERK, json={"facts": history})
    assert recorded.status_code == 201 and recorded.json()["recorded"] == 3, recorded.text
    team = await client.post("/nominees", headers=CLERK, json={"id": "TAPTHE:U91-0001:TO-1", "kind": "collective",
                                                               "name": "Tổ Toán"})  # fmt: skip
    assert team.status_code == 201, team.text
    lent = await client.post("/delegations", headers=CHAIR, json={**LEND, "to": "2036-03-20"})
    assert lent.status_code == 201, lent.text


@SQLITE
async def test_a_meeting_is_recorded_at_most_thirty_days_ahead(tier_http):
    client, sessions = await tier_http(Tier.UNIT, business_date=TODAY)
    council_id = await make_council(client, sessions, 10)
    nomination_id = await council_draft(client, "CSTD_TINH")
    for held_on in ("2030-01-07", "2026-04-20", "1900-01-01"):
        far = await client.post(
            f"/councils/{council_id}/meetings", headers=COUNCIL_CHAIR,
            json={"held_on": held_on, "present": [member_id(i) for i in range(1, 9)],
                  "items": [{"nomination_id": nomination_id, "award_code": "CSTD_TINH", "nominee_name": "Lan"}]},
        )  # fmt: skip
        assert far.status_code == 422, far.text
        assert held_on in far.text and ("at most 30 days ahead" in far.text or "1945-09-02" in far.text), far.text
    assert await meet(
        client, council_id, nomination_id, "CSTD_TINH", present=list(range(1, 9)), held_on=date(2026, 4, 19)
    )


@SQLITE
async def test_a_council_membership_begins_and_ends_within_ten_years_of_today(tier_http):
    client, sessions = await tier_http(Tier.UNIT, business_date=TODAY)
    council_id = await make_council(client, sessions, 10)
    members = f"/councils/{council_id}/members"
    for dates, says in (
        ({"starts_on": "2026-03-20", "ends_on": "9999-12-31"}, "outside the days this system records"),
        (
            {"starts_on": "2026-03-20", "ends_on": "2040-01-01"},
            "ends_on 2040-01-01 is outside 1945-09-02 to 2036-03-20",
        ),
        ({"starts_on": "2041-01-01"}, "starts_on 2041-01-01"),
    ):
        far = await client.post(members, headers=COUNCIL_CHAIR,
                                json={"officer_id": member_id(10), "position": "member", **dates})  # fmt: skip
        assert far.status_code == 422 and says in far.json()["detail"], far.text
    leave = await client.post(f"{members}/{member_id(9)}/leave", headers=COUNCIL_CHAIR, json={"on": "2099-01-01"})
    assert leave.status_code == 422 and "on 2099-01-01" in leave.json()["detail"], leave.text
    roster = (await client.get(f"/councils/{council_id}", headers=COUNCIL_CHAIR)).json()
    assert len(roster["members"]) == 10 and all(m["to"] is None for m in roster["members"]), roster  # nothing recorded


async def test_a_profile_describes_an_individual_with_known_values(tier_http):
    client, sessions = await tier_http(Tier.UNIT, business_date=TODAY)
    base = {"nominee_name": "Nguyễn Thị Lan", "award_code": "LAO_DONG_TIEN_TIEN", "reason": "Tốt"}
    for wrong, says in (
        ({"nominee_position": "phi_cong"}, "unknown position category"),
        ({"nominee_ethnicity": "99"}, "unknown ethnicity"),
        ({"nominee_kind": "collective", "nominee_sex": "nu"}, "describe an individual"),
    ):
        answer = await client.post("/nominations", headers=CLERK, json={**base, **wrong})
        assert answer.status_code == 422 and says in answer.json()["detail"], answer.text
    made = await client.post(
        "/nominations", headers=CLERK,
        json={**base, "nominee_position": "giao_vien", "nominee_sex": "nu", "nominee_ethnicity": "01"},
    )  # fmt: skip
    assert made.status_code == 201, made.text
    async with sessions() as session:
        stored = await session.get(Nomination, made.json()["id"])
    assert stored is not None and (stored.nominee_position, stored.nominee_sex, stored.nominee_ethnicity) == (
        "giao_vien", "nu", "01",
    )  # fmt: skip
    people = (await client.get("/catalog/people")).json()
    assert people["positions"]["giao_vien"]["direct_worker"] is True and len(people["ethnicities"]) == 54
