"""A khối of five provincial departments through HTTP (SQLite and PostgreSQL): formed by the province,
a leader for a term, the year's pledge signed by every member, self, peer and final scores, the
ranking with its tie broken by the peers, each member's rank in its history (where the Cờ thi đua's
criterion reads it), and the proposals the ranking makes as drafts carrying the ranking."""

from datetime import date

from sqlmodel import select

from services.kit.dossier.models import Document
from shared.contracts.tiers import Tier
from tests.helpers import auth

TODAY = date(2025, 6, 20)
SO = ["SNV-P91", "STC-P91", "SKH-P91", "STP-P91", "SVH-P91"]
NAMES = ["Sở Nội vụ", "Sở Tài chính", "Sở Kế hoạch và Đầu tư", "Sở Tư pháp", "Sở Văn hóa"]
KHOI = "P91-KHOI-TH"
CHAIR = auth("P91", "chair")
CRITERIA = [
    {"code": "nhiem_vu", "text": "Hoàn thành nhiệm vụ chính trị", "max_points": 60},
    {"code": "phong_trao", "text": "Tổ chức phong trào thi đua", "max_points": 40},
]


def points(total: int) -> dict[str, int]:
    return {"nhiem_vu": min(total, 60), "phong_trao": total - min(total, 60)}


async def test_a_khoi_signs_scores_ranks_and_proposes_its_leader_and_runners_up(tier_http):
    client, sessions = await tier_http(Tier.PROVINCE, business_date=TODAY)
    for code, name in zip(SO, NAMES, strict=True):
        body = {"code": code, "name": name, "kind": "department", "tier": "province", "parent_code": "P91"}
        assert (await client.post("/agencies", headers=auth("P91", "admin"), json=body)).status_code == 201
    form = {
        "code": KHOI, "name": "Khối các sở, ngành Tổng hợp", "kind": "khoi", "formed_on": TODAY.isoformat(),
        "awards_by_rank": {"1": "CO_THI_DUA_TINH", "2": "BANG_KHEN_TINH", "3": "BANG_KHEN_TINH"},
    }  # fmt: skip
    assert (await client.post("/clusters", headers=auth("P91", "clerk"), json=form)).status_code == 403
    assert (
        await client.post("/clusters", headers=CHAIR, json={**form, "awards_by_rank": {"1": "CO_GI"}})
    ).status_code == 422
    assert (await client.post("/clusters", headers=CHAIR, json=form)).status_code == 201
    url = f"/clusters/{KHOI}"
    for code in SO:
        added = await client.post(
            f"{url}/members", headers=CHAIR, json={"agency_code": code, "starts_on": TODAY.isoformat()}
        )
        assert added.status_code == 201, added.text
    unknown = await client.post(
        f"{url}/members", headers=CHAIR, json={"agency_code": "SXX-P91", "starts_on": "2025-06-20"}
    )
    assert unknown.status_code == 422 and "GET /agencies" in unknown.json()["detail"]
    for outside in ("P89", "U-BGDDT-0001"):  # another province; a ministry's university
        refused = await client.post(
            f"{url}/members", headers=CHAIR, json={"agency_code": outside, "starts_on": "2025-06-20"}
        )
        assert refused.status_code == 422 and "a province's cluster counts its own agencies" in refused.text
    term = {"role": "truong", "starts_on": "2025-06-20", "ends_on": "2025-12-31"}
    assert (await client.post(f"{url}/leads", headers=CHAIR, json={**term, "agency_code": SO[0]})).status_code == 201
    assert (await client.post(f"{url}/leads", headers=CHAIR, json={**term, "agency_code": SO[1]})).status_code == 409

    year = {"year": 2025, "pledge_items": ["Hoàn thành 100% chỉ tiêu được giao"], "criteria": CRITERIA}
    assert (await client.post(f"{url}/years", headers=CHAIR, json=year)).status_code == 201
    for code in SO:
        signed = await client.post(f"{url}/years/2025/signatures", headers=CHAIR, json={"agency_code": code})
        assert signed.status_code == 201, signed.text
    stranger = await client.post(
        f"{url}/years/2025/signatures", headers=auth("B-BNV", "chair"), json={"agency_code": SO[0]}
    )
    assert stranger.status_code == 404  # not a member, not the organiser: the khối looks absent
    over = {"agency_code": SO[0], "kind": "final", "points": {"nhiem_vu": 61, "phong_trao": 0}}
    assert (await client.post(f"{url}/years/2025/scores", headers=CHAIR, json=over)).status_code == 422
    for code, total in zip(SO, [95, 90, 90, 80, 70], strict=True):
        final = {"agency_code": code, "kind": "final", "points": points(total)}
        assert (await client.post(f"{url}/years/2025/scores", headers=CHAIR, json=final)).status_code == 201
    # Sở Tài chính and Sở Kế hoạch tie on 90: the peers' mean separates them (88 against 85).
    for scored, by, total in ((SO[1], SO[0], 90), (SO[1], SO[3], 86), (SO[2], SO[0], 85)):
        peer = {"agency_code": scored, "kind": "peer", "by_agency": by, "points": points(total)}
        assert (await client.post(f"{url}/years/2025/scores", headers=CHAIR, json=peer)).status_code == 201

    ranked = await client.post(f"{url}/years/2025/ranking", headers=CHAIR, json={})
    assert ranked.status_code == 200, ranked.text
    ranking = ranked.json()["ranking"]
    assert [(r["agency_code"], r["rank"], r["tie_broken_by"]) for r in ranking] == [
        (SO[0], 1, None), (SO[1], 2, "peer"), (SO[2], 3, "peer"), (SO[3], 4, None), (SO[4], 5, None),
    ]  # fmt: skip
    proposals = ranked.json()["proposals"]
    assert [(p["agency_code"], p["award_code"]) for p in proposals] == [
        (SO[0], "CO_THI_DUA_TINH"), (SO[1], "BANG_KHEN_TINH"), (SO[2], "BANG_KHEN_TINH"),
    ]  # fmt: skip
    late = {"agency_code": SO[4], "kind": "final", "points": points(99)}
    assert (await client.post(f"{url}/years/2025/scores", headers=CHAIR, json=late)).status_code == 409

    drafts = {n["id"]: n for n in (await client.get("/nominations", headers=auth("P91", "clerk"))).json()}
    leader = drafts[proposals[0]["nomination_id"]]
    assert (leader["status"], leader["nominee_kind"], leader["nominee_name"]) == ("draft", "collective", "Sở Nội vụ")
    async with sessions() as session:
        evidence = (await session.exec(select(Document).where(Document.nomination_id == leader["id"]))).all()
    assert [d.kind for d in evidence] == ["xac_nhan_thanh_tich"]

    # The flag's criterion reads the rank the organiser recorded: met for the leader, not for the fourth.
    async def flag_finding(code: str) -> str:
        body = {
            "award_code": "CO_THI_DUA_TINH",
            "nominee_id": code,
            "recipient_kind": "collective",
            "period_year": 2025,
        }
        verdict = (await client.post("/eligibility/check", headers=CHAIR, json=body)).json()
        return next(c["status"] for c in verdict["criteria"] if c["code"] == "co_tinh.cluster_lead")

    assert (await flag_finding(SO[0]), await flag_finding(SO[3])) == ("met", "not_met")
