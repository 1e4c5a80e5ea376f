"""A khối on the console (in process, SQLite and PostgreSQL): the province's chair forms it, adds its
members, opens the year with its pledge and criteria, records the signatures and final scores, and
ranks it; the page shows the ranking with the proposals it drafted; an agency outside it finds nothing."""

from services.kit.console.session import COOKIE, csrf_of
from shared.contracts.tiers import Tier
from tests.helpers import auth
from tests.integration.kit.test_clusters import NAMES, SO, TODAY


def session_of(client, agency: str, role: str) -> str:  # type: ignore[no-untyped-def]
    token = f"demo-{agency}-{role}"
    client.cookies.set(COOKIE, token)
    return csrf_of(token)


async def test_form_score_and_rank_a_khoi_on_the_console(tier_http):
    client, _ = await tier_http(Tier.PROVINCE, business_date=TODAY)
    for code, name in list(zip(SO, NAMES, strict=True))[:3]:
        body = {"code": code, "name": name, "kind": "department", "tier": "province", "parent_code": "P91"}
        assert (await client.post("/agencies", headers=auth("P91", "admin"), json=body)).status_code == 201
    csrf = session_of(client, "P91", "chair")
    formed = await client.post(
        "/console/clusters",
        data={"csrf": csrf, "code": "p91-khoi-th", "name": "Khối Tổng hợp", "kind": "khoi", "formed_on": "20/06/2025",
              "award_1": "CO_THI_DUA_TINH", "award_2": "BANG_KHEN_TINH"},
    )  # fmt: skip
    assert formed.status_code == 303 and formed.headers["location"] == "/console/clusters/P91-KHOI-TH"
    page = "/console/clusters/P91-KHOI-TH"
    for code in SO[:3]:
        added = await client.post(
            page, data={"csrf": csrf, "action": "member", "agency_code": code, "starts_on": "2025-06-20"}
        )
        assert added.status_code == 200, added.text
    bad = await client.post(
        page,
        data={
            "csrf": csrf,
            "action": "year",
            "year": "2025",
            "pledge_items": "Hoàn thành chỉ tiêu",
            "criteria": "Nhiệm vụ",
        },
    )
    assert bad.status_code == 422 and "điểm tối đa" in bad.text
    opened = await client.post(
        page,
        data={"csrf": csrf, "action": "year", "year": "2025", "pledge_items": "Hoàn thành chỉ tiêu",
              "criteria": "Nhiệm vụ chính trị | 60\nPhong trào | 40"},
    )  # fmt: skip
    assert opened.status_code == 200 and "Hoàn thành chỉ tiêu" in opened.text
    for code, (first, second) in zip(SO[:3], [(60, 35), (55, 30), (50, 20)], strict=True):
        assert (
            await client.post(page, data={"csrf": csrf, "action": "sign", "year": "2025", "agency_code": code})
        ).status_code == 200
        scored = await client.post(
            page,
            data={"csrf": csrf, "action": "score", "year": "2025", "agency_code": code, "kind": "final",
                  "points_tc1": str(first), "points_tc2": str(second)},
        )  # fmt: skip
        assert scored.status_code == 200, scored.text
    ranked = await client.post(page, data={"csrf": csrf, "action": "rank", "year": "2025"})
    assert ranked.status_code == 200 and 'id="ranking-2025"' in ranked.text
    assert ranked.text.count("/console/nominations/") == 2 and "CO_THI_DUA_TINH" in ranked.text
    assert f"{NAMES[0]} ({SO[0]})" in ranked.text  # each member by the name it had in the year ranked

    session_of(client, "B-BNV", "chair")  # not a member, not the organiser
    assert (await client.get(page)).status_code == 404
