"""Public consultation through HTTP (posting window in working days, comments without an account,
complaints holding the nomination through the workflow port) and `readiness.forward_problems`, on the
unit tier's real routers and database (SQLite and PostgreSQL)."""

from datetime import date
from typing import Any

from sqlmodel import col, select

from services.kit.dossier.models import LevelDocument
from services.kit.reviews.readiness import council_outcome, forward_problems
from services.kit.workflow_client import DecisionRejected
from shared.contracts.nomination import HoldInput, Update
from shared.contracts.tiers import Tier
from tests.helpers import stored_text
from tests.integration.kit.test_councils import (
    AGENCY,
    CHAIR,
    CLERK,
    OTHER_CHAIR,
    as_member,
    close,
    draft,
    make_council,
    meet,
    vote_all,
)

POSTED = date(2026, 3, 9)  # a Monday: ten working days run to the end of 2026-03-23
CLOSES = date(2026, 3, 23)
HERO = "ANH_HUNG_LAO_DONG"  # posted by the proposer for 10 working days; ballot ≥90%


class FakeWorkflows:
    """The NominationClient port: records hold and release, or refuses them like the workflow would."""

    def __init__(self, refuse: str | None = None) -> None:
        self.calls: list[tuple[str, str, HoldInput]] = []
        self.refuse = refuse

    async def update(self, nomination_id: str, update: Update, request: HoldInput) -> dict[str, Any]:
        if self.refuse:
            raise DecisionRejected(self.refuse, "NotPending")
        self.calls.append((update.name, nomination_id, request))
        return {"nomination_id": nomination_id, "held": update.name == "hold"}


def travel(client, day: date) -> None:  # type: ignore[no-untyped-def]
    """Move the service's business date (the harness's app is in process)."""
    kit = client._transport.app.state.kit
    kit.settings = kit.settings.model_copy(update={"business_date": day})


async def post(client, nomination_id: str, expect: int = 201, **body: Any) -> dict:  # type: ignore[no-untyped-def]
    answer = await client.post(
        f"/nominations/{nomination_id}/consultation",
        headers=body.pop("headers", CLERK),
        json={"posted_on": POSTED.isoformat(), "channel": "https://socson.edu.vn/cong-khai", **body},
    )
    assert answer.status_code == expect, answer.text
    return answer.json()


async def comment(client, consultation_id: str, expect: int = 201, **body: Any) -> dict:  # type: ignore[no-untyped-def]
    answer = await client.post(
        f"/public/consultations/{consultation_id}/comments",
        json={"author_name": "Trần Văn Bình", "text": "Đồng ý với đề nghị khen thưởng.", "kind": "comment", **body},
    )
    assert answer.status_code == expect, answer.text
    return answer.json()


async def test_posting_opens_a_window_of_working_days(tier_http):
    client, _ = await tier_http(Tier.UNIT, business_date=POSTED)
    hero = await draft(client, HERO)

    await post(client, hero, working_days=5, expect=422)  # below the catalog's 10
    await post(client, hero, headers=OTHER_CHAIR, expect=404)
    posted = await post(client, hero)
    assert (posted["closes_on"], posted["working_days"], posted["award_code"]) == (CLOSES.isoformat(), 10, HERO)
    assert "already recorded" in (await post(client, hero, expect=409))["detail"]
    assert "no public posting" in (await post(client, await draft(client, "GIAY_KHEN"), expect=409))["detail"]
    assert "Central Board" in (await post(client, await draft(client, "CSTD_TOAN_QUOC"), expect=409))["detail"]


async def test_the_public_comments_without_an_account_until_the_window_closes(tier_http):
    client, sessions = await tier_http(Tier.UNIT, business_date=POSTED)
    await make_council(client, sessions, 3)
    hero = await draft(client, HERO)
    consultation_id = (await post(client, hero))["id"]

    notice = (await client.get(f"/public/consultations/{consultation_id}")).json()
    assert (notice["open"], notice["award_name"]) == (True, "Anh hùng Lao động")
    await comment(client, consultation_id, text="", expect=422)
    await comment(client, consultation_id, text="x" * 5001, expect=422)
    await comment(client, consultation_id)
    travel(client, CLOSES)  # the last day of the window still takes comments
    await comment(
        client, consultation_id, kind="complaint", text="Đề nghị xác minh thành tích năm 2023.", contact="0912 345 678"
    )
    travel(client, date(2026, 3, 24))
    late = await comment(client, consultation_id, expect=409)
    assert late["detail"].startswith("the consultation closed on 2026-03-23")

    for reader in (CLERK, as_member(1)):  # the proposing agency's officers, council members among them
        seen = await client.get(f"/nominations/{hero}/consultation", headers=reader)
        assert seen.status_code == 200
        assert [(c["kind"], c["author_name"]) for c in seen.json()["comments"]] == [
            ("comment", "Trần Văn Bình"),
            ("complaint", "Trần Văn Bình"),
        ]
    assert (await client.get(f"/nominations/{hero}/consultation", headers=OTHER_CHAIR)).status_code == 404


async def test_a_complaint_holds_the_nomination_through_the_workflow_port(tier_http):
    workflows = FakeWorkflows()
    client, _ = await tier_http(Tier.UNIT, business_date=POSTED, nominations=workflows)
    hero = await draft(client, HERO)
    consultation_id = (await post(client, hero))["id"]
    plain = (await comment(client, consultation_id))["id"]
    complaint = (await comment(client, consultation_id, kind="complaint", text="Thành tích chưa đúng sự thật."))["id"]
    base = f"/nominations/{hero}/consultation/complaints"
    reason = {"reason": "Xác minh nội dung khiếu nại"}

    assert (await client.post(f"{base}/{complaint}/hold", headers=CLERK, json=reason)).status_code == 403
    assert (await client.post(f"{base}/{plain}/hold", headers=CHAIR, json=reason)).status_code == 404
    held = await client.post(f"{base}/{complaint}/hold", headers=CHAIR, json=reason)
    assert held.status_code == 200, held.text
    assert held.json()["complaint"]["state"] == "held"
    assert workflows.calls == [
        (
            "hold",
            hero,
            HoldInput(
                agency_code=AGENCY,
                officer_id=f"{AGENCY}:chair",
                reason="Xác minh nội dung khiếu nại",
                source="complaint",
            ),
        )
    ]
    assert (await client.post(f"{base}/{complaint}/hold", headers=CHAIR, json=reason)).status_code == 409

    client._transport.app.state.kit.nominations = FakeWorkflows(refuse="the nomination is not on hold")
    refused = await client.post(f"{base}/{complaint}/release", headers=CHAIR, json={"reason": "Đã trả lời"})
    assert refused.status_code == 409 and refused.json()["detail"] == "the nomination is not on hold"
    states = (await client.get(f"/nominations/{hero}/consultation", headers=CHAIR)).json()["comments"]
    assert [c["state"] for c in states if c["id"] == complaint] == ["held"]  # the refused release rolled back

    client._transport.app.state.kit.nominations = workflows
    released = await client.post(f"{base}/{complaint}/release", headers=CHAIR, json={"reason": "Đã trả lời"})
    assert released.status_code == 200 and released.json()["complaint"]["state"] == "released"
    assert [call[0] for call in workflows.calls] == ["hold", "release"]


async def test_forward_problems_name_what_stops_the_proposer(tier_http):
    client, sessions = await tier_http(Tier.UNIT, business_date=POSTED, nominations=FakeWorkflows())
    hero = await draft(client, HERO)

    async def problems(today: date, is_proposer: bool = True) -> list[str]:
        async with sessions() as session:
            return await forward_problems(
                session,
                nomination_id=hero,
                agency_code=AGENCY,
                award_code=HERO,
                is_proposer=is_proposer,
                tier=Tier.UNIT,
                today=today,
            )

    no_council = f"The council (Hội đồng TĐKT) of {AGENCY} has not concluded on this nomination."
    assert await problems(POSTED) == [
        "No public posting (công khai) is recorded: Anh hùng Lao động must be posted by the proposer for 10 working "
        "days before its council meets.",
        no_council,
    ]
    consultation_id = (await post(client, hero))["id"]
    travel(client, date(2026, 3, 10))
    complaint = (await comment(client, consultation_id, kind="complaint", text="Cần xác minh."))["id"]
    base = f"/nominations/{hero}/consultation/complaints/{complaint}"
    assert (await client.post(f"{base}/hold", headers=CHAIR, json={"reason": "Đang xác minh"})).status_code == 200
    window = "The public consultation is open until the end of 2026-03-23; the nomination can go on once it has closed."
    held = (
        f"A complaint filed on 2026-03-10 during the public consultation (comment {complaint}) holds the "
        "nomination and is unanswered: Đang xác minh"
    )
    assert await problems(date(2026, 3, 10)) == [window, held, no_council]
    assert await problems(date(2026, 3, 10), is_proposer=False) == [no_council]

    council_id = await make_council(client, sessions, 10)
    travel(client, date(2026, 3, 20))
    early = await meet(client, council_id, hero, HERO, present=list(range(1, 11)), held_on=date(2026, 3, 20))
    await vote_all(client, early, hero, 9, list(range(1, 11)))
    assert (await close(client, early, hero))["passed"] is True
    too_early = (
        "The council met on 2026-03-20, 9 working days after the public posting of 2026-03-09; the posting "
        "must come at least 10 working days before the council meets."
    )
    assert await problems(date(2026, 3, 20)) == [window, held, too_early]

    assert (await client.post(f"{base}/release", headers=CHAIR, json={"reason": "Đã trả lời"})).status_code == 200
    travel(client, CLOSES)
    on_time = await meet(client, council_id, hero, HERO, present=list(range(1, 11)), held_on=CLOSES)
    await vote_all(client, on_time, hero, 10, list(range(1, 11)))
    await close(client, on_time, hero)
    assert await problems(CLOSES) == []

    async with sessions() as session:
        outcome = await council_outcome(session, hero, AGENCY)
        assert await council_outcome(session, hero, "U91-0002") is None
    assert outcome is not None
    assert (outcome["meeting_id"], outcome["passed"], outcome["rounds"][0]["yes"]) == (on_time, True, 10)
    minutes = await _minutes_of(sessions, hero)
    assert "KẾT QUẢ CÔNG KHAI, LẤY Ý KIẾN" in minutes[0] and "hồ sơ đang tạm dừng để xác minh" in minutes[0]
    assert "đã xác minh, trả lời" in minutes[1]


async def test_a_ballot_that_did_not_pass_stops_forwarding(tier_http):
    client, sessions = await tier_http(Tier.UNIT, business_date=date(2026, 3, 20))
    council_id = await make_council(client, sessions, 10)
    nomination_id = await draft(client, "CSTD_TINH")
    meeting_id = await meet(client, council_id, nomination_id, "CSTD_TINH", present=list(range(1, 11)))
    item = f"/meetings/{meeting_id}/items/{nomination_id}"

    async def problems(award_code: str = "CSTD_TINH", nomination: str = nomination_id) -> list[str]:
        async with sessions() as session:
            return await forward_problems(
                session,
                nomination_id=nomination,
                agency_code=AGENCY,
                award_code=award_code,
                is_proposer=True,
                tier=Tier.UNIT,
                today=date(2026, 3, 20),
            )

    await vote_all(client, meeting_id, nomination_id, 8, list(range(1, 11)))
    await close(client, meeting_id, nomination_id)
    assert await problems() == [f"The council (Hội đồng TĐKT) of {AGENCY} has not concluded on this nomination."]
    await client.post(f"{item}/rounds", headers=CHAIR, json={})
    await vote_all(client, meeting_id, nomination_id, 8, list(range(1, 11)))
    await close(client, meeting_id, nomination_id)
    refused = await client.post(f"{item}/chair-decision", headers=CHAIR, json={"passed": False, "reason": "Chưa đủ"})
    assert refused.status_code == 200
    assert await problems() == [
        "After the failed ballot rounds of 2026-03-20, the council's chair decided against the nomination: Chưa đủ"
    ]

    # Without a mandatory ballot, the council's conclusion is advice: a failed vote does not stop the head.
    advice = await draft(client, "GIAY_KHEN", nominee="Tổ Toán")
    advised = await meet(client, council_id, advice, "GIAY_KHEN", present=list(range(1, 11)))
    await vote_all(client, advised, advice, 5, list(range(1, 11)))
    assert (await close(client, advised, advice))["outcome"] == "second_round"
    await client.post(f"/meetings/{advised}/items/{advice}/rounds", headers=CHAIR, json={})
    await vote_all(client, advised, advice, 5, list(range(1, 11)))
    await close(client, advised, advice)
    await client.post(
        f"/meetings/{advised}/items/{advice}/chair-decision",
        headers=CHAIR,
        json={"passed": False, "reason": "Chưa tiêu biểu"},
    )
    assert await problems("GIAY_KHEN", advice) == []


async def _minutes_of(sessions, nomination_id: str) -> list[str]:  # type: ignore[no-untyped-def]
    async with sessions() as session:
        rows = await session.exec(
            select(LevelDocument)
            .where(LevelDocument.nomination_id == nomination_id, LevelDocument.kind == "bien_ban_hoi_dong")
            .order_by(col(LevelDocument.filename))
        )
        return [await stored_text(d) for d in rows.all()]
