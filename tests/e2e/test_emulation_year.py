"""The emulation year through the HTTP API of the running services (issue "The emulation year"):
Kiên Giang launches its yearly movement; a khối of five of its departments signs the pledge (one
of them from its own service), is scored and ranked; the leader's Cờ thi đua and the runners-up'
Bằng khen are drafted from the ranking, go up in one tờ trình, pass the province's council by the
ballot the law asks (80 % of the council's members for a flag) and are conferred by one quyết
định; its DOCX and PDF list every awardee, and the year's statistics count them. And a school's tờ
trình for ten collectives, of which Hòn Đất returns one, refuses one and confers on eight under
one number. On the shared SQLite stack (the services' queries run on both databases in the
integration tests)."""

import io
from collections.abc import AsyncIterator

import httpx
import pytest
from docx import Document
from pypdf import PdfReader

from shared.contracts.tiers import Tier
from tests.e2e.conftest import RunningSystem
from tests.helpers import auth, document, eventually, proposer_kinds, wait_pending

KIEN_GIANG, SO_NOI_VU = "P91", "U91-0002"  # Sở Nội vụ is seeded at the unit service, with its officers
DEPARTMENTS = {
    "SCT-P91": "Sở Công Thương tỉnh Kiên Giang",
    "SXD-P91": "Sở Xây dựng tỉnh Kiên Giang",
    "STC-P91": "Sở Tài chính tỉnh Kiên Giang",
    "STP-P91": "Sở Tư pháp tỉnh Kiên Giang",
}
MEMBERS = [*DEPARTMENTS, SO_NOI_VU]
KHOI, MOVEMENT, YEAR = "P91-KHOI-TONG-HOP", "P91-2025-HANG-NAM", 2025
CHAIR, ADMIN, CLERK = auth(KIEN_GIANG, "chair"), auth(KIEN_GIANG, "admin"), auth(KIEN_GIANG, "clerk")
CRITERIA = [
    {"code": "nhiem_vu", "text": "Hoàn thành nhiệm vụ chính trị được giao", "max_points": 60},
    {"code": "phong_trao", "text": "Tổ chức phong trào thi đua, khen thưởng", "max_points": 40},
]
FINAL = dict(zip(MEMBERS, [96, 91, 88, 80, 75], strict=True))  # Sở Công Thương leads


@pytest.fixture(scope="module")
async def system(sqlite_system: RunningSystem) -> AsyncIterator[RunningSystem]:
    yield sqlite_system


def points(total: int) -> dict[str, int]:
    return {"nhiem_vu": min(total, 60), "phong_trao": total - min(total, 60)}


def pdf_text(content: bytes) -> str:
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages).split())


async def launch_movement(system: RunningSystem) -> None:
    province, unit = system[Tier.PROVINCE], system[Tier.UNIT]
    launched = await province.post(
        "/movements", headers=CHAIR,
        json={"code": MOVEMENT, "name": "Phong trào thi đua năm 2025 của tỉnh Kiên Giang", "kind": "hang_nam",
              "theme": "Thi đua hoàn thành thắng lợi nhiệm vụ năm 2025", "scope": "cum_khoi",
              "starts_on": "2025-01-01", "ends_on": "2025-12-31",
              "launch_document": "Kế hoạch số 5/KH-UBND ngày 02/01/2025",
              "criteria": [{"code": "chuyen_doi_so", "text": "Hồ sơ TĐKT nhận trực tuyến", "mandatory": True}]},
    )  # fmt: skip
    assert launched.status_code == 201, launched.text

    async def registered() -> bool:  # Sở Nội vụ registers from its own service once it knows the movement
        r = await unit.post(
            f"/movements/{MOVEMENT}/registrations", headers=auth(SO_NOI_VU, "clerk"),
            json={"pledged": ["chuyen_doi_so"], "items": ["100% hồ sơ nhận trực tuyến"]},
        )  # fmt: skip
        return r.status_code == 201

    await eventually(registered, what="the movement at the unit service")

    async def launcher_sees() -> list:
        seen = (await province.get(f"/movements/{MOVEMENT}", headers=CHAIR)).json()
        return [r["agency_code"] for r in seen.get("registrations", [])]

    assert await eventually(launcher_sees, what="the registration at the launcher") == [SO_NOI_VU]


async def run_the_khoi(system: RunningSystem) -> list[dict]:
    """Formed by the province; every member signs; self, peer and final scores; ranked."""
    province = system[Tier.PROVINCE]
    for code, name in DEPARTMENTS.items():
        body = {"code": code, "name": name, "kind": "department", "tier": "province", "parent_code": KIEN_GIANG}
        assert (await province.post("/agencies", headers=ADMIN, json=body)).status_code == 201
    form = {
        "code": KHOI, "name": "Khối các sở, ngành Tổng hợp", "kind": "khoi", "formed_on": "2025-01-02",
        "awards_by_rank": {"1": "CO_THI_DUA_TINH", "2": "BANG_KHEN_TINH", "3": "BANG_KHEN_TINH"},
    }  # fmt: skip
    assert (await province.post("/clusters", headers=CHAIR, json=form)).status_code == 201, form
    url = f"/clusters/{KHOI}"
    for code in MEMBERS:
        added = await province.post(
            f"{url}/members", headers=CHAIR, json={"agency_code": code, "starts_on": "2025-05-15"}
        )
        assert added.status_code == 201, added.text
    term = {"role": "truong", "agency_code": SO_NOI_VU, "starts_on": "2025-05-15", "ends_on": "2025-12-31"}
    assert (await province.post(f"{url}/leads", headers=CHAIR, json=term)).status_code == 201
    year = {"year": YEAR, "pledge_items": ["Hoàn thành 100% chỉ tiêu", "Không có cán bộ vi phạm"], "criteria": CRITERIA}
    assert (await province.post(f"{url}/years", headers=CHAIR, json=year)).status_code == 201
    # Sở Nội vụ signs and scores itself from its own service; the organiser's service applies it.
    unit, own = system[Tier.UNIT], auth(SO_NOI_VU, "clerk")
    sent = await unit.post(f"{url}/years/{YEAR}/signatures", headers=own, json={"agency_code": SO_NOI_VU})
    assert sent.status_code == 202, sent.text
    self_score = {"agency_code": SO_NOI_VU, "kind": "self", "points": points(FINAL[SO_NOI_VU] - 2)}
    assert (await unit.post(f"{url}/years/{YEAR}/scores", headers=own, json=self_score)).status_code == 202

    async def answered() -> list | None:
        answers = (await unit.get("/clusters/requests", headers=own)).json()
        return answers if [a["status"] for a in answers] == ["applied", "applied"] else None

    await eventually(answered, what="the organiser's answers at Sở Nội vụ's service")
    for code in DEPARTMENTS:  # signed at the conference, recorded by the organiser
        signed = await province.post(f"{url}/years/{YEAR}/signatures", headers=CHAIR, json={"agency_code": code})
        assert signed.status_code == 201, signed.text
    for code, total in FINAL.items():
        for kind, extra in (("self", {}), ("peer", {"by_agency": SO_NOI_VU if code != SO_NOI_VU else MEMBERS[0]})):
            if (code, kind) == (SO_NOI_VU, "self"):
                continue  # given from its own service
            score = {"agency_code": code, "kind": kind, "points": points(total - 2), **extra}
            assert (await province.post(f"{url}/years/{YEAR}/scores", headers=CHAIR, json=score)).status_code == 201
        final = {"agency_code": code, "kind": "final", "points": points(total)}
        assert (await province.post(f"{url}/years/{YEAR}/scores", headers=CHAIR, json=final)).status_code == 201
    ranked = await province.post(f"{url}/years/{YEAR}/ranking", headers=CHAIR, json={})
    assert ranked.status_code == 200, ranked.text
    assert [r["agency_code"] for r in ranked.json()["ranking"]] == MEMBERS
    proposals = ranked.json()["proposals"]
    assert [(p["agency_code"], p["award_code"]) for p in proposals] == [
        (MEMBERS[0], "CO_THI_DUA_TINH"), (MEMBERS[1], "BANG_KHEN_TINH"), (MEMBERS[2], "BANG_KHEN_TINH"),
    ]  # fmt: skip
    return proposals


async def council_of(client: httpx.AsyncClient, agency: str, roles: tuple) -> tuple[str, list[str]]:
    """A council of the agency with these officers on it since the year began. Its own: the stack is
    shared, and another module's council may have met today, whose roster can no longer change."""
    chair = auth(agency, "chair")
    made = await client.post("/councils", headers=chair, json={"name": f"Hội đồng Thi đua - Khen thưởng {agency}"})
    assert made.status_code == 201, made.text
    council_id = made.json()["id"]
    for role, position in roles:
        body = {"officer_id": f"{agency}:{role}", "position": position, "from": "2025-01-01"}
        assert (await client.post(f"/councils/{council_id}/members", headers=chair, json=body)).status_code == 201
    return council_id, [f"{agency}:{role}" for role, _ in roles]


async def council_votes(system: RunningSystem, ids: list[str], names: dict[str, str], awards: dict[str, str]) -> None:
    """The province's council: every member present, a secret ballot on each (a flag needs 80 % of
    all members: with three members one "no" fails it, and the second round passes it)."""
    province = system[Tier.PROVINCE]
    roles = (("chair", "chair"), ("clerk", "secretary"), ("council_member", "member"))
    council_id, members = await council_of(province, KIEN_GIANG, roles)
    assert len(members) == 3, members
    items = [{"nomination_id": n, "award_code": awards[n], "nominee_name": names[n]} for n in ids]
    meeting = await province.post(
        f"/councils/{council_id}/meetings",
        headers=CHAIR,
        json={"held_on": "2025-05-15", "present": members, "items": items},
    )
    assert meeting.status_code == 201, meeting.text
    meeting_id = meeting.json()["id"]
    flag = ids[0]
    for nomination_id in ids:
        for member in members:
            vote = "no" if nomination_id == flag and member.endswith(":council_member") else "yes"
            cast = await province.post(
                f"/meetings/{meeting_id}/items/{nomination_id}/votes",
                headers=auth(KIEN_GIANG, member.split(":")[1]), json={"vote": vote},
            )  # fmt: skip
            assert cast.status_code == 201, cast.text
        closed = await province.post(f"/meetings/{meeting_id}/items/{nomination_id}/close-round", headers=CHAIR)
        assert closed.status_code == 200, closed.text
        assert closed.json()["passed"] is (nomination_id != flag), closed.json()  # 2 of 3 < 80 % for the flag
    # The second round on the flag: every member agrees.
    second = await province.post(f"/meetings/{meeting_id}/items/{flag}/rounds", headers=CHAIR, json={})
    assert second.status_code in (200, 201), second.text
    for member in members:
        cast = await province.post(
            f"/meetings/{meeting_id}/items/{flag}/votes", headers=auth(KIEN_GIANG, member.split(":")[1]),
            json={"vote": "yes"},
        )  # fmt: skip
        assert cast.status_code == 201, cast.text
    closed = await province.post(f"/meetings/{meeting_id}/items/{flag}/close-round", headers=CHAIR)
    assert closed.status_code == 200 and closed.json()["passed"] is True, closed.text


async def test_a_khoi_ranks_and_one_decision_confers_the_flag_and_the_bang_khen(system):
    province = system[Tier.PROVINCE]
    await launch_movement(system)
    proposals = await run_the_khoi(system)
    movement = f"/movements/{MOVEMENT}"
    review = {"kind": "tong_ket", "held_on": "2025-05-15", "summary": "Tổng kết phong trào, bình xét khối"}
    assert (await province.post(f"{movement}/reviews", headers=CHAIR, json=review)).status_code == 201
    assert (await province.get(movement, headers=CHAIR)).json()["status"] == "dang_xet_khen_thuong"
    ids = [p["nomination_id"] for p in proposals]
    awards = {p["nomination_id"]: p["award_code"] for p in proposals}
    drafts = {n["id"]: n for n in (await province.get("/nominations", headers=CLERK)).json()}
    names = {n: drafts[n]["nominee_name"] for n in ids}
    assert list(names.values()) == [DEPARTMENTS.get(m, "Sở Nội vụ tỉnh Kiên Giang") for m in MEMBERS[:3]]

    for nomination_id in ids:  # the rest of the dossier beside the ranking the draft carries
        for kind in proposer_kinds(awards[nomination_id]):
            r = await province.post(f"/nominations/{nomination_id}/documents", headers=CLERK, json=document(kind))
            assert r.status_code == 201, r.text
    batch = await province.post("/batches", headers=CLERK, json={"number": "15/TTr-SNV", "title": "Khen thưởng khối"})
    assert batch.status_code == 201, batch.text
    batch_id = batch.json()["id"]
    put = await province.post(f"/batches/{batch_id}/nominations", headers=CLERK, json={"nomination_ids": ids})
    assert put.status_code == 200, put.text
    submitted = await province.post(f"/batches/{batch_id}/submit", headers=CLERK)
    assert submitted.status_code == 202, submitted.text
    for nomination_id in ids:
        await wait_pending(province, KIEN_GIANG, nomination_id)

    before = (await province.get("/statistics/report", params={"year": YEAR}, headers=CLERK)).json()["this_year"]
    # The province proposed these itself: no council below it has voted, so its own must first.
    early = await province.post(
        "/decisions", headers=CHAIR, json={"decision_no": "119/QĐ-UBND", "batch_no": "15/TTr-SNV"}
    )
    assert early.status_code == 422 and "council (Hội đồng TĐKT) of P91 has not concluded" in early.text, early.text
    await council_votes(system, ids, names, awards)

    conferred = await province.post(
        "/decisions", headers=CHAIR,
        json={"decision_no": "120/QĐ-UBND", "batch_no": "15/TTr-SNV",
              "reason": "Dẫn đầu, xếp thứ nhì, thứ ba Khối các sở, ngành Tổng hợp năm 2025"},
    )  # fmt: skip
    assert conferred.status_code == 200, conferred.text
    assert sorted(r["nomination_id"] for r in conferred.json()["results"] if r["conferred"]) == sorted(ids)
    decision = (await province.get("/decisions/120/QĐ-UBND", headers=CHAIR)).json()
    assert sorted(a["nominee_name"] for a in decision["awardees"]) == sorted(names.values())

    done = await province.post(
        f"{movement}/status", headers=CHAIR, json={"status": "da_khen_thuong", "note": "Quyết định số 120/QĐ-UBND"}
    )
    assert done.status_code == 200 and done.json()["status"] == "da_khen_thuong", done.text

    docx = await province.get("/papers/decision.docx", params={"number": "120/QĐ-UBND"}, headers=CHAIR)
    assert docx.status_code == 200, docx.text
    cells = {
        cell.text for table in Document(io.BytesIO(docx.content)).tables for row in table.rows for cell in row.cells
    }
    assert set(names.values()) <= cells
    pdf = await province.get(f"/nominations/{ids[1]}/decision.pdf", headers=CHAIR)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-"), pdf.text[:200]
    text = pdf_text(pdf.content)
    assert all(name in text for name in names.values()), text

    async def counted() -> dict | None:
        now = (await province.get("/statistics/report", params={"year": YEAR}, headers=CLERK)).json()["this_year"]
        return now if now["total"] >= before["total"] + 3 else None

    now = await eventually(counted, what="the year's statistics to count the three awards")
    for award, added in (("CO_THI_DUA_TINH", 1), ("BANG_KHEN_TINH", 2)):
        assert now["by_award"].get(award, 0) - before["by_award"].get(award, 0) == added, (before, now)
    collectives = now["by_level"]["bo_tinh"].get("collective", 0) - before["by_level"]["bo_tinh"].get("collective", 0)
    assert collectives == 3, (before, now)


SCHOOL, HON_DAT = "U91-0001", "D903"
ACTION_OF = {"conferred": "confer", "returned": "return", "refused": "refuse"}
TEAMS = [
    "Tổ Toán - Tin", "Tổ Ngữ văn", "Tổ Tiếng Anh", "Tổ Khối Một", "Tổ Khối Hai",
    "Tổ Khối Ba", "Tổ Khối Bốn", "Tổ Khối Năm", "Tổ Văn phòng", "Tổ Nghệ thuật - Thể chất",
]  # fmt: skip


async def school_council_forwards(system: RunningSystem, ids: list[str], names: dict[str, str]) -> None:
    """The school's council meets once on the ten (every member votes on each), then each goes up."""
    unit, chair = system[Tier.UNIT], auth(SCHOOL, "chair")
    council_id, members = await council_of(unit, SCHOOL, (("chair", "chair"), ("clerk", "secretary")))
    items = [{"nomination_id": n, "award_code": "TT_LAO_DONG_TIEN_TIEN", "nominee_name": names[n]} for n in ids]
    meeting = await unit.post(
        f"/councils/{council_id}/meetings",
        headers=chair,
        json={"held_on": "2025-05-15", "present": members, "items": items},
    )
    assert meeting.status_code == 201, meeting.text
    url = f"/meetings/{meeting.json()['id']}/items"
    for nomination_id in ids:
        for member in members:
            voter = auth(SCHOOL, member.split(":")[1])
            assert (
                await unit.post(f"{url}/{nomination_id}/votes", headers=voter, json={"vote": "yes"})
            ).status_code == 201
        assert (await unit.post(f"{url}/{nomination_id}/close-round", headers=chair)).status_code == 200
        forwarded = await unit.post(f"/reviews/{nomination_id}/decision", headers=chair, json={"action": "forward"})
        assert forwarded.status_code == 200, forwarded.text


async def test_a_proposal_for_ten_collectives_one_returned_one_refused_eight_conferred_in_one_decision(system):
    """The school proposes Tập thể lao động tiên tiến for ten of its teams in one tờ trình; Hòn Đất
    returns one, refuses one and confers on the other eight under one number. Each awardee's
    outcome, the school's view of its tờ trình and each level's audit records say the same."""
    unit, district = system[Tier.UNIT], system[Tier.DISTRICT]
    clerk, district_chair = auth(SCHOOL, "clerk"), auth(HON_DAT, "chair")
    award = "TT_LAO_DONG_TIEN_TIEN"
    ids = []
    for team in TEAMS:
        body = {"nominee_name": team, "nominee_kind": "collective", "award_code": award, "reason": "Năm học 2024-2025"}
        made = await unit.post("/nominations", headers=clerk, json=body)
        assert made.status_code == 201, made.text
        ids.append(made.json()["id"])
        for kind in proposer_kinds(award):
            added = await unit.post(f"/nominations/{ids[-1]}/documents", headers=clerk, json=document(kind, team))
            assert added.status_code == 201, added.text
    names = dict(zip(ids, TEAMS, strict=True))
    batch = (
        await unit.post("/batches", headers=clerk, json={"number": "21/TTr-THSS", "title": "Đề nghị TTLĐTT"})
    ).json()
    assert (
        await unit.post(f"/batches/{batch['id']}/nominations", headers=clerk, json={"nomination_ids": ids})
    ).status_code == 200
    submitted = await unit.post(f"/batches/{batch['id']}/submit", headers=clerk)
    assert submitted.status_code == 202 and len(submitted.json()["started"]) == 10, submitted.text
    for nomination_id in ids:
        await wait_pending(unit, SCHOOL, nomination_id)
    await school_council_forwards(system, ids, names)
    for nomination_id in ids:
        assert (await wait_pending(district, HON_DAT, nomination_id))["batch_no"] == "21/TTr-THSS"

    returned, refused, conferred = ids[3], ids[7], [n for n in ids if n not in (ids[3], ids[7])]
    back = {"action": "return", "reason": "Bổ sung biên bản bình xét của tổ"}
    assert (await district.post(f"/reviews/{returned}/decision", headers=district_chair, json=back)).status_code == 200
    no = {"action": "refuse", "reason": "Tổ có viên chức bị kỷ luật trong năm học"}
    assert (await district.post(f"/reviews/{refused}/decision", headers=district_chair, json=no)).status_code == 200
    decided = await district.post(
        "/decisions", headers=district_chair,
        json={"decision_no": "45/QĐ-UBND", "batch_no": "21/TTr-THSS",
              "reason": "Đạt danh hiệu TTLĐTT năm học 2024-2025"},
    )  # fmt: skip
    assert decided.status_code == 200, decided.text
    results = decided.json()["results"]
    assert sorted(r["nomination_id"] for r in results if r["conferred"]) == sorted(conferred), results
    decision = (await district.get("/decisions/45/QĐ-UBND", headers=district_chair)).json()
    assert sorted(a["nominee_name"] for a in decision["awardees"]) == sorted(names[n] for n in conferred)

    expected = {n: ("conferred", "45/QĐ-UBND") for n in conferred} | {
        returned: ("returned", None),
        refused: ("refused", None),
    }

    async def school_sees() -> dict | None:
        view = (await unit.get(f"/batches/{batch['id']}", headers=clerk)).json()
        seen = {a["nomination_id"]: (a["status"], a["decision_no"]) for a in view["awardees"]}
        return seen if seen == expected else None

    await eventually(school_sees, what="the school's view of its tờ trình")
    reasons = {
        a["nomination_id"]: a["outcome_reason"]
        for a in (await unit.get(f"/batches/{batch['id']}", headers=clerk)).json()["awardees"]
    }
    assert reasons[refused] == no["reason"], reasons
    for nomination_id, (state, _) in expected.items():
        status = (await unit.get(f"/nominations/{nomination_id}/status", headers=clerk)).json()
        assert status["state"] == state, (names[nomination_id], status)
        history = (await district.get(f"/nominations/{nomination_id}/history", headers=district_chair)).json()
        decisions = [
            r["action"] for r in history if r["action"].startswith("decision.") and r["agency_code"] == HON_DAT
        ]
        assert decisions == [f"decision.{ACTION_OF[state]}"], (names[nomination_id], decisions)
    for tier, agency in ((Tier.UNIT, SCHOOL), (Tier.DISTRICT, HON_DAT)):
        assert (await system[tier].get("/audit/verify", headers=auth(agency, "chair"))).json()["valid"] is True
