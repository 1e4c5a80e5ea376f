"""The council on the console (in process, SQLite): the chair sets the council up and keeps its roster
by date; members vote from their own sessions, absent ones in writing; the secretary opens the
second round with who is present then; after it the council's chair decides, with a reason, and
nobody else is offered or allowed that form."""

from datetime import timedelta

from services.kit.console.session import COOKIE, csrf_of
from shared.contracts.tiers import Tier
from tests.integration.kit.test_councils import AGENCY, DAY, SINCE, add_officers, draft, make_council, meet, member_id

CHAIR_TOKEN = f"demo-{AGENCY}-chair"


def as_session(client, token: str) -> str:  # type: ignore[no-untyped-def]
    """The console's session for the officer holding `token` (the cookie holds the login token)."""
    client.cookies.set(COOKIE, token)
    return csrf_of(token)


def member(client, i: int) -> str:  # type: ignore[no-untyped-def]
    return as_session(client, f"tok-{AGENCY}-m{i:02d}")


async def test_the_chair_sets_up_the_council_and_keeps_its_roster_by_date(tier_http):
    client, sessions = await tier_http(Tier.UNIT, business_date=DAY)
    await add_officers(sessions, 3)
    csrf = as_session(client, f"demo-{AGENCY}-clerk")
    assert "chưa lập Hội đồng" in (await client.get("/console/council")).text
    refused = await client.post("/console/council", data={"csrf": csrf, "action": "create", "name": "Hội đồng"})
    assert refused.status_code == 403  # a clerk does not manage the council

    csrf = as_session(client, CHAIR_TOKEN)
    unreadable = await client.post(
        "/console/council", data={"csrf": csrf, "action": "create", "name": "Hội đồng", "quorum": "hai phần ba"}
    )
    assert unreadable.status_code == 422 and "tỷ lệ dạng 2/3" in unreadable.text
    made = await client.post(
        "/console/council",
        data={"csrf": csrf, "action": "create", "name": "Hội đồng TĐKT Trường Sóc Sơn", "quorum": "3/4"},
    )
    assert made.status_code == 200 and "Đã lập Hội đồng" in made.text
    council_id = (await client.get("/councils", headers={"Authorization": f"Bearer {CHAIR_TOKEN}"})).json()[0]["id"]
    for i, position in ((1, "chair"), (2, "secretary"), (3, "member")):
        appointed = await client.post(
            "/console/council",
            data={
                "csrf": csrf, "action": "appoint", "council_id": council_id, "officer_id": member_id(i),
                "position": position, "starts_on": SINCE.isoformat(), "ends_on": "",
            },
        )  # fmt: skip
        assert appointed.status_code == 200 and "Đã bổ nhiệm thành viên" in appointed.text, appointed.text
    bad_day = await client.post(
        "/console/council",
        data={
            "csrf": csrf, "action": "appoint", "council_id": council_id, "officer_id": member_id(3),
            "position": "member", "starts_on": "31/02/2026", "ends_on": "",
        },
    )  # fmt: skip
    assert bad_day.status_code == 422 and "ngày bắt đầu &#39;31/02/2026&#39; không đọc được" in bad_day.text
    twice = await client.post(
        "/console/council",
        data={
            "csrf": csrf, "action": "appoint", "council_id": council_id, "officer_id": member_id(1),
            "position": "chair", "starts_on": SINCE.isoformat(), "ends_on": "",
        },
    )  # fmt: skip
    assert twice.status_code == 409  # the roster's own rule (one period at a time, one chair), said on the page

    left_on = DAY - timedelta(days=10)
    leave = await client.post(
        "/console/council",
        data={
            "csrf": csrf, "action": "leave", "council_id": council_id, "officer_id": member_id(3),
            "leave_on": left_on.isoformat(),
        },
    )  # fmt: skip
    assert leave.status_code == 200 and "thôi tham gia Hội đồng" in leave.text
    today = await client.get("/console/council")
    row = "<td>Thành viên Hội đồng số {:02d} <small>"
    assert row.format(1) in today.text and "<td>Thư ký Hội đồng</td>" in today.text
    assert row.format(3) not in today.text and "<strong>2</strong>" in today.text
    before = await client.get(f"/console/council?on={(left_on - timedelta(days=1)).strftime('%d/%m/%Y')}")
    assert row.format(3) in before.text and "<strong>3</strong>" in before.text


async def test_written_votes_a_second_round_and_the_chair_deciding_on_the_console(tier_http):
    client, sessions = await tier_http(Tier.UNIT, business_date=DAY)
    council_id = await make_council(client, sessions, 10)
    nomination_id = await draft(client, "CSTD_TINH")  # ≥ 9 of the 10 members must agree
    meeting_id = await meet(client, council_id, nomination_id, "CSTD_TINH", present=list(range(1, 9)))
    page = f"/console/meetings/{meeting_id}"
    item = f"{page}/items/{nomination_id}"

    # m09 and m10 are absent: the page offers them the written vote, and only that.
    csrf = member(client, 9)
    offered = (await client.get(page)).text
    assert "Phiếu văn bản: Đồng ý" in offered and 'name="written"' in offered and "Kiểm phiếu" not in offered
    written = await client.post(f"{item}/vote", data={"csrf": csrf, "vote": "no", "written": "1"})
    assert written.status_code == 200 and 'id="receipt"' in written.text
    csrf = member(client, 10)
    assert (await client.post(f"{item}/vote", data={"csrf": csrf, "vote": "yes", "written": "1"})).status_code == 200
    # A member present votes in the meeting, not in writing: refused, in Vietnamese.
    csrf = member(client, 3)
    in_writing = await client.post(f"{item}/vote", data={"csrf": csrf, "vote": "yes", "written": "1"})
    assert in_writing.status_code == 409
    for i in range(1, 9):
        csrf = member(client, i)
        assert 'name="written"' not in (await client.get(page)).text
        cast = await client.post(f"{item}/vote", data={"csrf": csrf, "vote": "yes" if i <= 7 else "no"})
        assert cast.status_code == 200 and 'id="receipt"' in cast.text
    csrf = member(client, 3)
    assert "Kiểm phiếu" not in (await client.get(page)).text  # a plain member does not count
    assert (await client.post(f"{item}/close", data={"csrf": csrf})).status_code == 403
    csrf = member(client, 2)  # the council's secretary counts: 8 yes of 10 < 9
    assert (await client.post(f"{item}/close", data={"csrf": csrf})).status_code == 303
    counted = (await client.get(page)).text
    assert "chờ bỏ phiếu vòng hai" in counted and "Không đạt, bỏ phiếu vòng hai" in counted
    assert "Mở bỏ phiếu vòng hai" in counted and counted.count('type="checkbox"') == 10

    # Round two, with everyone in the room this time; a vote still fails (8 of 10), so the chair decides.
    opened = await client.post(f"{item}/round", data={"csrf": csrf, "present": [member_id(i) for i in range(1, 11)]})
    assert opened.status_code == 303
    for i in range(1, 11):
        csrf = member(client, i)
        assert (
            await client.post(f"{item}/vote", data={"csrf": csrf, "vote": "yes" if i <= 8 else "no"})
        ).status_code == 200
    csrf = member(client, 2)
    assert (await client.post(f"{item}/close", data={"csrf": csrf})).status_code == 303
    waiting = (await client.get(page)).text
    assert "Chờ Chủ tịch quyết định" in waiting and 'name="reason"' not in waiting  # the secretary may not decide
    refused = await client.post(f"{item}/chair-decision", data={"csrf": csrf, "passed": "yes", "reason": "Xứng đáng"})
    assert refused.status_code == 403

    csrf = member(client, 1)  # the council's chair
    assert 'name="reason"' in (await client.get(page)).text
    no_reason = await client.post(f"{item}/chair-decision", data={"csrf": csrf, "passed": "yes", "reason": " "})
    assert no_reason.status_code == 422 and "ghi lý do" in no_reason.text
    decided = await client.post(
        f"{item}/chair-decision",
        data={"csrf": csrf, "passed": "yes", "reason": "Thành tích nổi bật, được tập thể ghi nhận"},
    )
    assert decided.status_code == 303
    done = (await client.get(page)).text
    assert "Chủ tịch quyết định đề nghị" in done and "Thành tích nổi bật, được tập thể ghi nhận" in done
    result = await client.get(
        f"/meetings/{meeting_id}/items/{nomination_id}/result", headers={"Authorization": f"Bearer {CHAIR_TOKEN}"}
    )
    rounds = result.json()["rounds"]
    assert [(r["yes"], r["written"], r["present"]) for r in rounds] == [(8, 2, 8), (8, 0, 10)]
    minutes = (await client.get(f"{item}/minutes")).text
    assert "Chủ tịch Hội đồng quyết định ĐỀ NGHỊ" in minutes
