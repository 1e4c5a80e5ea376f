"""Bad input answered with a sentence, never a 5xx, and nothing recorded (in process, SQLite and
PostgreSQL): days outside 1945-09-02..2100-12-31 anywhere a person types one, what has happened
dated after the business date, facts naming agencies the registry never knew, and withdrawing or
resubmitting a draft."""

from datetime import date

from services.kit.nominations.models import Nomination
from shared.contracts.tiers import Tier
from tests.helpers import auth
from tests.integration.kit.test_nominee_management import LAN, SCHOOL, register

TODAY = date(2026, 3, 20)
CLERK, CHAIR = auth(SCHOOL, "clerk"), auth(SCHOOL, "chair")


async def test_days_outside_the_era_and_future_events_are_refused_with_a_sentence(tier_http):
    client, _ = await tier_http(Tier.UNIT, business_date=TODAY)
    route = {"award_code": "GIAY_KHEN", "proposer_agency": SCHOOL}
    for day in ("0001-01-01", "9999-12-31"):
        answer = await client.get("/routes", params={**route, "on": day}, headers=CLERK)
        assert answer.status_code == 422 and "outside the days this system records" in answer.text, answer.text
    assert (await client.get("/agencies", params={"q": "son", "on": "0001-01-01"})).status_code == 422
    lend = {"to_officer_id": f"{SCHOOL}:clerk", "from": "2026-03-20", "to": "9999-12-31", "reason": "Đi công tác"}
    assert (await client.post("/delegations", headers=CHAIR, json=lend)).status_code == 422

    draft = await client.post(
        "/nominations", headers=CLERK,
        json={"nominee_name": "Nguyễn Thị Lan", "award_code": "ANH_HUNG_LAO_DONG", "reason": "Thành tích xuất sắc"},
    )  # fmt: skip
    nomination_id = draft.json()["id"]
    later = {"posted_on": "2030-01-07", "channel": "https://socson.edu.vn/cong-khai"}
    posted = await client.post(f"/nominations/{nomination_id}/consultation", headers=CLERK, json=later)
    assert posted.status_code == 422 and "after 2026-03-20" in posted.json()["detail"]

    await register(client, SCHOOL)
    award = {"kind": "award", "award_code": "GIAY_KHEN", "year": 2024, "decided_on": "2099-01-02", "mode": "cong_trang",
             "conferred_by": SCHOOL}  # fmt: skip
    future = await client.post(f"/nominees/{LAN}/facts", headers=CLERK, json={"facts": [award]})
    assert future.status_code == 422 and "after today" in future.json()["detail"]
    rating = {"kind": "rating", "year": 2024, "rating": "xuat_sac", "agency_code": "U99-NOPE"}
    unknown = await client.post(f"/nominees/{LAN}/facts", headers=CLERK, json={"facts": [rating]})
    assert unknown.status_code == 422 and "U99-NOPE" in unknown.json()["detail"]
    assert (await client.get(f"/nominees/{LAN}/history", headers=CLERK)).json()["facts"] == []  # nothing recorded


async def test_a_draft_cannot_be_withdrawn_or_resubmitted(tier_http):
    client, _ = await tier_http(Tier.UNIT, business_date=TODAY)
    draft = await client.post(
        "/nominations", headers=CLERK, json={"nominee_name": "Lê Văn An", "award_code": "GIAY_KHEN", "reason": "Tốt"}
    )
    nomination_id = draft.json()["id"]
    for action in ("withdraw", "resubmit"):
        answer = await client.post(f"/nominations/{nomination_id}/{action}", headers=CLERK, json={"reason": "Thử"})
        assert answer.status_code == 409 and "is a draft" in answer.json()["detail"], (action, answer.text)


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
