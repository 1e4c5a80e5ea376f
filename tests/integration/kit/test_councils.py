"""Councils and secret ballots through HTTP, on the unit tier's real routers and database (SQLite and
PostgreSQL): thresholds on the roster at the meeting date, written votes, rounds, one vote per member
and round, receipts, minutes in the dossier, and no row or answer that pairs a voter with a vote."""

import asyncio
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import text
from sqlmodel import select

from services.kit.councils.models import BallotVote, BallotVoter
from services.kit.dossier.models import LevelDocument
from services.kit.identity.models import Officer
from shared.contracts.tiers import Tier
from tests.helpers import add_officer, stored_text

AGENCY = "U91-0001"
DAY = date(2026, 3, 20)  # a Friday, no holiday
SINCE = date(2025, 9, 1)
CHAIR = {"Authorization": f"Bearer demo-{AGENCY}-chair"}
CLERK = {"Authorization": f"Bearer demo-{AGENCY}-clerk"}
OTHER_CHAIR = {"Authorization": "Bearer demo-U91-0002-chair"}


def member_id(i: int) -> str:
    return f"{AGENCY}:m{i:02d}"


def as_member(i: int) -> dict[str, str]:
    return {"Authorization": f"Bearer tok-{AGENCY}-m{i:02d}"}


async def add_officers(sessions, count: int) -> None:  # type: ignore[no-untyped-def]
    """Officers of the agency who sit on its council, each with a token of their own."""
    async with sessions() as session, session.begin():
        for i in range(1, count + 1):
            await add_officer(
                session,
                Officer(
                    id=member_id(i),
                    agency_code=AGENCY,
                    name=f"Thành viên Hội đồng số {i:02d}",
                    role="council_member",
                ),
                f"tok-{AGENCY}-m{i:02d}",
            )


async def make_council(client, sessions, size: int, **settings: Any) -> str:  # type: ignore[no-untyped-def]
    """A council of `size` members since SINCE: m01 chairs it, m02 is its secretary."""
    await add_officers(sessions, size)
    made = await client.post(
        "/councils", json={"name": "Hội đồng Thi đua - Khen thưởng Trường Sóc Sơn", **settings}, headers=CHAIR
    )
    assert made.status_code == 201, made.text
    council_id = made.json()["id"]
    for i in range(1, size + 1):
        position = {1: "chair", 2: "secretary"}.get(i, "member")
        added = await client.post(
            f"/councils/{council_id}/members",
            headers=CHAIR,
            json={"officer_id": member_id(i), "position": position, "from": SINCE.isoformat()},
        )
        assert added.status_code == 201, added.text
    return council_id


async def draft(client, award_code: str, nominee: str = "Nguyễn Thị Lan") -> str:  # type: ignore[no-untyped-def]
    made = await client.post(
        "/nominations",
        headers=CLERK,
        json={
            "nominee_name": nominee,
            "award_code": award_code,
            "reason": "Hoàn thành xuất sắc nhiệm vụ năm học 2024-2025",
        },
    )
    assert made.status_code == 201, made.text
    return made.json()["id"]


async def meet(
    client,
    council_id: str,
    nomination_id: str,
    award_code: str,
    present: list[int],  # type: ignore[no-untyped-def]
    held_on: date = DAY,
    expect: int = 201,
) -> str:
    made = await client.post(
        f"/councils/{council_id}/meetings",
        headers=CHAIR,
        json={
            "held_on": held_on.isoformat(),
            "present": [member_id(i) for i in present],
            "items": [{"nomination_id": nomination_id, "award_code": award_code, "nominee_name": "Nguyễn Thị Lan"}],
        },
    )
    assert made.status_code == expect, made.text
    return made.json().get("id", "")


async def cast(
    client,
    meeting_id: str,
    nomination_id: str,
    i: int,
    yes: bool,  # type: ignore[no-untyped-def]
    written: bool = False,
    expect: int = 201,
):
    answer = await client.post(
        f"/meetings/{meeting_id}/items/{nomination_id}/votes",
        headers=as_member(i),
        json={"vote": "yes" if yes else "no", "written": written},
    )
    assert answer.status_code == expect, answer.text
    return answer


async def close(client, meeting_id: str, nomination_id: str, headers=CHAIR, expect: int = 200) -> dict:  # type: ignore[no-untyped-def]
    answer = await client.post(f"/meetings/{meeting_id}/items/{nomination_id}/close-round", headers=headers)
    assert answer.status_code == expect, answer.text
    return answer.json()


async def vote_all(client, meeting_id: str, nomination_id: str, yes: int, members: list[int]) -> None:  # type: ignore[no-untyped-def]
    """The first `yes` of `members` vote yes, the others no."""
    for index, i in enumerate(members):
        await cast(client, meeting_id, nomination_id, i, index < yes)


@pytest.mark.parametrize(("yes", "passed"), [(9, True), (8, False)], ids=["9-of-10-passes", "8-of-10-fails"])
async def test_ninety_percent_of_total_members(tier_http, yes, passed):
    client, sessions = await tier_http(Tier.UNIT, business_date=DAY)
    council_id = await make_council(client, sessions, 10)
    nomination_id = await draft(client, "CSTD_TINH")  # ≥90% of total members (catalog)
    meeting_id = await meet(client, council_id, nomination_id, "CSTD_TINH", present=list(range(1, 11)))
    await vote_all(client, meeting_id, nomination_id, yes, list(range(1, 11)))

    counts = await close(client, meeting_id, nomination_id)

    assert {k: counts[k] for k in ("yes", "no", "not_voted", "members_total", "threshold", "passed")} == {
        "yes": yes,
        "no": 10 - yes,
        "not_voted": 0,
        "members_total": 10,
        "threshold": "9/10",
        "passed": passed,
    }
    assert counts["state"] == ("concluded" if passed else "second_round_due")
    async with sessions() as session:
        query = select(LevelDocument).where(LevelDocument.nomination_id == nomination_id)
        documents = (await session.exec(query)).all()
    assert sorted(d.kind for d in documents) == (["bien_ban_hoi_dong", "ket_qua_bo_phieu"] if passed else [])
    for document in documents:
        content = await stored_text(document)
        assert document.agency_code == AGENCY
        assert "Thành viên Hội đồng số" not in content and ":m0" not in content  # no voter named
    if passed:
        minutes = await stored_text(next(d for d in documents if d.kind == "bien_ban_hoi_dong"))
        assert "BIÊN BẢN HỌP HỘI ĐỒNG THI ĐUA - KHEN THƯỞNG" in minutes
        assert "Tổng số thành viên Hội đồng tại ngày họp: 10." in minutes
        assert "Số phiếu đồng ý: 9 (90% tổng số thành viên Hội đồng)." in minutes
        assert "KẾT LUẬN: Hội đồng thống nhất đề nghị Chiến sĩ thi đua bộ, ban, ngành, tỉnh" in minutes


async def test_a_member_who_left_before_the_meeting_is_not_counted_and_cannot_vote(tier_http):
    client, sessions = await tier_http(Tier.UNIT, business_date=DAY)
    council_id = await make_council(client, sessions, 11)
    left = await client.post(
        f"/councils/{council_id}/members/{member_id(11)}/leave",
        headers=CHAIR,
        json={"on": (DAY - timedelta(days=10)).isoformat()},
    )
    assert left.status_code == 200, left.text
    roster = (await client.get(f"/councils/{council_id}", params={"on": DAY.isoformat()}, headers=CHAIR)).json()
    assert roster["members_total"] == 10 and member_id(11) not in [m["officer_id"] for m in roster["members"]]
    nomination_id = await draft(client, "CSTD_TINH")
    meeting_id = await meet(client, council_id, nomination_id, "CSTD_TINH", present=list(range(1, 11)))

    refused = await cast(client, meeting_id, nomination_id, 11, True, expect=403)
    assert "not on council" in refused.json()["detail"]
    stranger = await client.post(
        f"/meetings/{meeting_id}/items/{nomination_id}/votes", headers=CLERK, json={"vote": "yes"}
    )
    assert stranger.status_code == 403
    await vote_all(client, meeting_id, nomination_id, 9, list(range(1, 11)))
    counts = await close(client, meeting_id, nomination_id)
    assert (counts["members_total"], counts["yes"], counts["passed"]) == (10, 9, True)
    # The roster of a day the council met is that day's denominator: it cannot be rewritten afterwards.
    rewrite = await client.post(
        f"/councils/{council_id}/members/{member_id(3)}/leave", headers=CHAIR, json={"on": DAY.isoformat()}
    )
    assert rewrite.status_code == 409 and "is fixed" in rewrite.json()["detail"]


async def test_written_votes_from_absent_members_count(tier_http):
    client, sessions = await tier_http(Tier.UNIT, business_date=DAY)
    council_id = await make_council(client, sessions, 10)
    nomination_id = await draft(client, "CSTD_TINH")
    meeting_id = await meet(client, council_id, nomination_id, "CSTD_TINH", present=list(range(1, 9)))

    assert "in writing" in (await cast(client, meeting_id, nomination_id, 9, True, expect=409)).json()["detail"]
    assert (
        "present" in (await cast(client, meeting_id, nomination_id, 1, True, written=True, expect=409)).json()["detail"]
    )
    await cast(client, meeting_id, nomination_id, 9, True, written=True)
    await cast(client, meeting_id, nomination_id, 10, True, written=True)
    await vote_all(client, meeting_id, nomination_id, 7, list(range(1, 9)))

    counts = await close(client, meeting_id, nomination_id)
    assert {k: counts[k] for k in ("present", "written", "yes", "no", "members_total", "passed")} == {
        "present": 8,
        "written": 2,
        "yes": 9,
        "no": 1,
        "members_total": 10,
        "passed": True,
    }


async def test_quorum_is_checked_when_the_meeting_is_recorded(tier_http):
    client, sessions = await tier_http(Tier.UNIT, business_date=DAY)
    council_id = await make_council(client, sessions, 10)
    nomination_id = await draft(client, "CSTD_TINH")
    await meet(client, council_id, nomination_id, "CSTD_TINH", present=list(range(1, 7)), expect=409)  # 6 < 2/3 of 10
    stranger = await client.post(
        f"/councils/{council_id}/meetings",
        headers=CHAIR,
        json={
            "held_on": DAY.isoformat(),
            "present": [member_id(1), f"{AGENCY}:clerk"],
            "items": [{"nomination_id": nomination_id, "award_code": "CSTD_TINH", "nominee_name": "Nguyễn Thị Lan"}],
        },
    )
    assert stranger.status_code == 422 and "not on council" in stranger.json()["detail"]


async def test_one_second_round_then_the_chair_decides(tier_http):
    client, sessions = await tier_http(Tier.UNIT, business_date=DAY)
    council_id = await make_council(client, sessions, 10)
    nomination_id = await draft(client, "CSTD_TINH")
    meeting_id = await meet(client, council_id, nomination_id, "CSTD_TINH", present=list(range(1, 11)))
    item = f"/meetings/{meeting_id}/items/{nomination_id}"
    await vote_all(client, meeting_id, nomination_id, 8, list(range(1, 11)))
    assert (await close(client, meeting_id, nomination_id))["outcome"] == "second_round"

    assert "round 2" in (await cast(client, meeting_id, nomination_id, 1, True, expect=409)).json()["detail"]
    opened = await client.post(f"{item}/rounds", headers=as_member(2), json={})  # the council's secretary
    assert opened.status_code == 201 and opened.json()["round"] == 2
    await vote_all(client, meeting_id, nomination_id, 8, list(range(1, 11)))  # each member votes again, once
    second = await close(client, meeting_id, nomination_id, headers=as_member(2))
    assert (second["round"], second["outcome"], second["state"]) == (2, "needs_chair_decision", "chair_decision_due")

    third = await client.post(f"{item}/rounds", headers=CHAIR, json={})
    assert third.status_code == 409 and "third round is refused" in third.json()["detail"]
    by_member = await client.post(
        f"{item}/chair-decision", headers=as_member(3), json={"passed": True, "reason": "Thành tích nổi bật"}
    )
    assert by_member.status_code == 403
    decided = await client.post(
        f"{item}/chair-decision",
        headers=as_member(1),
        json={"passed": True, "reason": "Thành tích nổi bật, được tập thể ghi nhận"},
    )
    assert decided.status_code == 200, decided.text
    assert (decided.json()["outcome"], decided.json()["passed"]) == ("chair_passed", True)
    assert [r["yes"] for r in decided.json()["rounds"]] == [8, 8]
    async with sessions() as session:
        minutes = (
            await session.exec(
                select(LevelDocument).where(
                    LevelDocument.nomination_id == nomination_id, LevelDocument.kind == "bien_ban_hoi_dong"
                )
            )
        ).one()
    assert "Chủ tịch Hội đồng quyết định ĐỀ NGHỊ" in await stored_text(minutes)


async def test_nobody_votes_twice_in_a_round(tier_http):
    client, sessions = await tier_http(Tier.UNIT, business_date=DAY)
    council_id = await make_council(client, sessions, 10)
    nomination_id = await draft(client, "CSTD_TINH")
    meeting_id = await meet(client, council_id, nomination_id, "CSTD_TINH", present=list(range(1, 11)))
    await cast(client, meeting_id, nomination_id, 4, True)
    again = await cast(client, meeting_id, nomination_id, 4, False, expect=409)
    assert "already voted" in again.json()["detail"]
    counts = await close(client, meeting_id, nomination_id)
    assert (counts["yes"], counts["no"], counts["not_voted"]) == (1, 0, 9)


async def test_no_answer_or_row_pairs_a_voter_with_a_vote(tier_http):
    client, sessions = await tier_http(Tier.UNIT, business_date=DAY)
    council_id = await make_council(client, sessions, 10)
    nomination_id = await draft(client, "CSTD_TINH")
    meeting_id = await meet(client, council_id, nomination_id, "CSTD_TINH", present=list(range(1, 11)))
    receipts = [(await cast(client, meeting_id, nomination_id, i, i % 3 != 0)).json()["receipt"] for i in range(1, 11)]
    await close(client, meeting_id, nomination_id)

    result = await client.get(f"/meetings/{meeting_id}/items/{nomination_id}/result", headers=CHAIR)
    assert result.status_code == 200
    assert ":m" not in result.text and "receipt" not in result.text
    assert result.json()["rounds"][0]["yes"] == 7
    async with sessions() as session:
        votes = (await session.exec(select(BallotVote))).all()
        voters = (await session.exec(select(BallotVoter))).all()
        natural = (await session.exec(text("SELECT receipt_sha256 FROM ballot_vote"))).all()  # type: ignore[call-overload]
    assert set(BallotVote.model_fields) == {"receipt_sha256", "item_id", "round", "yes"}
    assert set(BallotVoter.model_fields) == {"item_id", "round", "officer_id"}
    assert not {member_id(i) for i in range(1, 11)} & {str(v) for row in votes for v in row.model_dump().values()}
    assert sorted(v.officer_id for v in voters) == [member_id(i) for i in range(1, 11)]
    assert [r[0] for r in natural] == sorted(r[0] for r in natural)  # stored in receipt order, not casting order
    assert set(receipts).isdisjoint({v.receipt_sha256 for v in votes})  # only hashes are kept


async def test_votes_cast_at_the_same_time_are_all_counted(tier_http):
    """Each vote rewrites its round's rows; the lock on the agenda item keeps concurrent votes from losing any."""
    client, sessions = await tier_http(Tier.UNIT, business_date=DAY)
    council_id = await make_council(client, sessions, 10)
    nomination_id = await draft(client, "CSTD_TINH")
    meeting_id = await meet(client, council_id, nomination_id, "CSTD_TINH", present=list(range(1, 11)))
    await asyncio.gather(*(cast(client, meeting_id, nomination_id, i, i != 10) for i in range(1, 11)))
    counts = await close(client, meeting_id, nomination_id)
    assert (counts["yes"], counts["no"], counts["not_voted"]) == (9, 1, 0)


async def test_a_receipt_verifies_without_showing_the_vote(tier_http):
    client, sessions = await tier_http(Tier.UNIT, business_date=DAY)
    council_id = await make_council(client, sessions, 10)
    nomination_id = await draft(client, "CSTD_TINH")
    meeting_id = await meet(client, council_id, nomination_id, "CSTD_TINH", present=list(range(1, 11)))
    receipt = (await cast(client, meeting_id, nomination_id, 5, False)).json()["receipt"]
    verify = f"/meetings/{meeting_id}/receipts/verify"

    checked = (await client.post(verify, headers=as_member(5), json={"receipt": receipt})).json()
    assert (checked["counted"], checked["round"], checked["round_closed"]) == (True, 1, False)
    assert "yes" not in checked and "vote" not in checked
    assert (await client.post(verify, headers=as_member(5), json={"receipt": "0" * 16})).json()["counted"] is False
    assert (await client.post(verify, headers=OTHER_CHAIR, json={"receipt": receipt})).status_code == 404
    await close(client, meeting_id, nomination_id)
    assert (await client.post(verify, headers=as_member(5), json={"receipt": receipt})).json()["round_closed"] is True


async def test_awards_without_a_mandatory_ballot_need_more_than_half(tier_http):
    client, sessions = await tier_http(Tier.UNIT, business_date=DAY)
    council_id = await make_council(client, sessions, 10)
    for yes, passed in ((5, False), (6, True)):
        nomination_id = await draft(client, "GIAY_KHEN", nominee=f"Tổ chuyên môn {yes}")
        meeting_id = await meet(client, council_id, nomination_id, "GIAY_KHEN", present=list(range(1, 11)))
        await vote_all(client, meeting_id, nomination_id, yes, list(range(1, 11)))
        counts = await close(client, meeting_id, nomination_id)
        assert (counts["threshold"], counts["required_yes"], counts["passed"]) == ("3/5", 6, passed)


async def test_only_the_agency_manages_its_council(tier_http):
    client, sessions = await tier_http(Tier.UNIT, business_date=DAY)
    council_id = await make_council(client, sessions, 3)
    assert (await client.post("/councils", headers=CLERK, json={"name": "Hội đồng"})).status_code == 403
    assert (await client.get(f"/councils/{council_id}", headers=OTHER_CHAIR)).status_code == 404
    foreign = await client.post(
        f"/councils/{council_id}/members",
        headers=CHAIR,
        json={"officer_id": "U91-0002:clerk", "position": "member", "from": SINCE.isoformat()},
    )
    assert foreign.status_code == 422
    second_chair = await client.post(
        f"/councils/{council_id}/members",
        headers=CHAIR,
        json={"officer_id": f"{AGENCY}:chair", "position": "chair", "from": SINCE.isoformat()},
    )
    assert second_chair.status_code == 409 and "two chairs" in second_chair.json()["detail"]
    listed = (await client.get("/councils", headers=CLERK)).json()
    assert [c["id"] for c in listed] == [council_id]


@pytest.mark.parametrize(("quorum", "present", "expect"), [("1/2", 6, 409), ("4/5", 7, 409), ("4/5", 8, 201)])
async def test_a_council_may_ask_more_attendance_than_the_rules_never_less(tier_http, quorum, present, expect):
    client, sessions = await tier_http(Tier.UNIT, business_date=DAY)
    council_id = await make_council(client, sessions, 10, quorum=quorum)
    nomination_id = await draft(client, "CSTD_TINH")  # the rules' quorum: 2/3 of the 10 members
    await meet(client, council_id, nomination_id, "CSTD_TINH", present=list(range(1, present + 1)), expect=expect)


async def test_members_present_vote_on_the_meeting_day_only(tier_http):
    client, sessions = await tier_http(Tier.UNIT, business_date=DAY)
    council_id = await make_council(client, sessions, 10)
    nomination_id = await draft(client, "CSTD_TINH")
    meeting_id = await meet(
        client, council_id, nomination_id, "CSTD_TINH", present=list(range(1, 9)), held_on=DAY - timedelta(days=3)
    )
    far = await meet(
        client, council_id, nomination_id, "CSTD_TINH", present=list(range(1, 9)), held_on=date(2030, 1, 7), expect=422
    )
    assert far == ""  # recorded at most 30 days ahead: a meeting in 2030 is refused, nothing recorded
    late = await cast(client, meeting_id, nomination_id, 4, True, expect=409)
    assert "on that day" in late.json()["detail"]
    assert (
        "after the meeting" in (await cast(client, meeting_id, nomination_id, 9, True, written=True, expect=409)).text
    )
