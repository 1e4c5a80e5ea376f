"""The inbox's kind filter, "assigned to me", and its bulk actions through HTTP (in process): one
result line per nomination, each attempted on its own (forward and return against the real
workflow are in tests/e2e/test_nomination_http.py)."""

import re
from datetime import UTC, date, datetime, timedelta

from sqlmodel import col, select

from deploy.demo_data import demo_token
from services.kit.console.session import COOKIE, csrf_of
from services.kit.nominations.models import Review
from services.kit.notifications.handlers import notifier
from services.kit.notifications.models import Notification
from shared.contracts.events import Envelope, parse_event
from shared.contracts.tiers import Tier
from shared.platform.audit import AuditRecord
from shared.platform.outbox import OutboxEvent
from shared.text import fold
from tests.helpers import auth

DISTRICT, SCHOOL = "D903", "U91-0001"


def review(nomination_id: str, nominee: str, kind: str | None, status: str = "pending") -> Review:
    return Review(
        nomination_id=nomination_id,
        workflow_id=f"nomination-{nomination_id}",
        agency_code=DISTRICT,
        step=1,
        status=status,
        award_code="BANG_KHEN_TINH",
        nominee_name=nominee,
        nominee_search=fold(nominee),
        nominee_kind=kind,
        proposer_agency=SCHOOL,
        route=[{"tier": "unit", "agency_code": SCHOOL}, {"tier": "district", "agency_code": DISTRICT}],
        opened_at=datetime(2025, 5, 1, tzinfo=UTC) + timedelta(minutes=len(nomination_id)),
        due_on=date(2025, 5, 30),
    )


async def logged_in(client, role: str, agency: str = DISTRICT) -> str:  # type: ignore[no-untyped-def]
    token = demo_token(agency, role)
    done = await client.post("/console/login", data={"username": token.lower(), "password": token})
    client.cookies.set(COOKIE, done.cookies[COOKIE])
    return csrf_of(done.cookies[COOKIE])


def results(page: str) -> dict[str, str]:
    """The result line of each nomination, by id, as text."""
    lines = re.findall(r'<li class="(?:ok|error)" data-nomination="([^"]+)">(.*?)</li>', page, re.S)
    return {nomination_id: re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", text)).strip() for nomination_id, text in lines}


async def test_the_inbox_filters_by_nominee_kind_and_keeps_it_in_the_address(tier_http):
    client, sessions = await tier_http(Tier.DISTRICT, business_date=date(2025, 5, 15))
    async with sessions() as session, session.begin():
        session.add(review("n-person", "Nguyễn Thị Lan", "individual"))
        session.add(review("n-school", "Tổ Toán - Tin", "collective"))
        session.add(review("n-old", "Lê Văn Cũ", None))  # opened before reviews kept the kind
    await logged_in(client, "chair")

    every = (await client.get("/console")).text
    assert "Nguyễn Thị Lan" in every and "Tổ Toán - Tin" in every and "Lê Văn Cũ" in every
    assert "Cá nhân" in every and "Tập thể" in every
    collective = (await client.get("/console", params={"kind": "collective"})).text
    assert "Tổ Toán - Tin" in collective and "Nguyễn Thị Lan" not in collective
    assert "Lê Văn Cũ" not in collective and "1 hồ sơ" in collective
    assert '<option value="collective" selected>' in collective
    assert "/console/bulk?" in collective and "kind=collective" in collective  # the page's address keeps it
    individual = (await client.get("/console", params={"kind": "individual"})).text
    assert "Nguyễn Thị Lan" in individual and "Tổ Toán - Tin" not in individual
    assert "Individual" in (await client.get("/console", params={"kind": "individual", "lang": "en"})).text
    assert "3 hồ sơ" in (await client.get("/console", params={"kind": "nonsense", "lang": "vi"})).text


async def test_assigning_to_a_colleague_one_result_per_item_then_assigned_to_me(tier_http):
    client, sessions = await tier_http(Tier.DISTRICT, business_date=date(2025, 5, 15))
    async with sessions() as session, session.begin():
        session.add(review("n-1", "Nguyễn Thị Lan", "individual"))
        session.add(review("n-2", "Trần Văn Bình", "individual"))
        session.add(review("n-done", "Phạm Văn Dũng", "individual", status="forwarded"))
    csrf = await logged_in(client, "chair")

    answer = await client.post(
        "/console/bulk?status=",
        data={"csrf": csrf, "action": "assign", "assignee": f"{DISTRICT}:clerk", "nomination_id": ["n-1", "n-done"]},
    )
    assert answer.status_code == 200, answer.text
    lines = results(answer.text)
    assert lines["n-1"] == "Nguyễn Thị Lan: Đã thực hiện"
    assert lines["n-done"].startswith("Phạm Văn Dũng: Không thực hiện được: Hồ sơ không còn chờ xử lý")
    assert "it was already forwarded here" in lines["n-done"]  # the service's own sentence follows
    assert "1 hồ sơ đã thực hiện, số không thực hiện được: 1" in answer.text
    async with sessions() as session:
        assigned = {r.nomination_id: r.assigned_to for r in (await session.exec(select(Review))).all()}
        audit = (await session.exec(select(AuditRecord).where(AuditRecord.action == "review.assigned"))).all()
    assert assigned == {"n-1": f"{DISTRICT}:clerk", "n-2": None, "n-done": None}  # the refusal undid nothing
    assert [(a.nomination_id, a.actor, a.details["to_officer"]) for a in audit] == [
        ("n-1", f"{DISTRICT}:chair", f"{DISTRICT}:clerk")
    ]
    assert '<td class="assignee">Ngô Thị Lan</td>' in answer.text  # the inbox shows the assignee

    # Only a colleague of the same agency, and only by a role that decides; each item says why not.
    other = await client.post(
        "/console/bulk",
        data={"csrf": csrf, "action": "assign", "assignee": "D902:clerk", "nomination_id": "n-2"},
    )
    assert "cùng cơ quan" in results(other.text)["n-2"]

    clerk_csrf = await logged_in(client, "clerk")
    mine = (await client.get("/console", params={"mine": "1"})).text
    assert "Nguyễn Thị Lan" in mine and "Trần Văn Bình" not in mine and "1 hồ sơ" in mine
    refused = await client.post(
        "/console/bulk",
        data={"csrf": clerk_csrf, "action": "assign", "assignee": f"{DISTRICT}:clerk", "nomination_id": "n-2"},
    )
    assert "Vai trò của bạn không được thực hiện việc này" in results(refused.text)["n-2"]
    await logged_in(client, "chair")
    assert "0 hồ sơ" in (await client.get("/console", params={"mine": "1"})).text


async def test_reminding_notifies_whoever_the_nomination_waits_on_and_is_audited(tier_http):
    client, sessions = await tier_http(Tier.DISTRICT, business_date=date(2025, 5, 15))
    async with sessions() as session, session.begin():
        session.add(review("n-here", "Nguyễn Thị Lan", "individual"))
        session.add(review("n-back", "Trần Văn Bình", "individual", status="returned"))
        session.add(review("n-done", "Phạm Văn Dũng", "individual", status="refused"))
    csrf = await logged_in(client, "clerk")

    answer = await client.post(
        "/console/bulk?status=",
        data={"csrf": csrf, "action": "remind", "reason": "Đề nghị xử lý trước 20/5", "nomination_id": [
            "n-here", "n-back", "n-done"]},
    )  # fmt: skip
    lines = results(answer.text)
    assert lines["n-here"].endswith("Đã thực hiện") and lines["n-back"].endswith("Đã thực hiện")
    assert "không có ai cần đôn đốc" in lines["n-done"]
    async with sessions() as session:
        sent = (await session.exec(select(OutboxEvent).order_by(col(OutboxEvent.id)))).all()
        audit = (await session.exec(select(AuditRecord).where(AuditRecord.action == "review.urged"))).all()
    urged = [row.envelope for row in sent if row.envelope["type"] == "nomination.urged"]
    # Pending here: this agency's officers; returned: the proposer, who owes the supplement. (The
    # items are attempted together, so their events come in either order.)
    assert sorted((e["nomination_id"], e["payload"]["to_agency"]) for e in urged) == [
        ("n-back", SCHOOL),
        ("n-here", DISTRICT),
    ]
    assert sorted(a.nomination_id for a in audit) == ["n-back", "n-here"]
    auditor = await logged_in(client, "auditor")  # reads everything, changes nothing
    watched = await client.post("/console/bulk", data={"csrf": auditor, "action": "remind", "nomination_id": "n-here"})
    assert "Vai trò của bạn không được thực hiện việc này" in results(watched.text)["n-here"]

    # The event becomes a notification at the service hosting the agency reminded.
    async with sessions() as session, session.begin():
        envelope = Envelope.model_validate(urged[0])
        await notifier()(session, envelope, parse_event(envelope))
    async with sessions() as session:
        told = (await session.exec(select(Notification).where(Notification.kind == "nomination.urged"))).one()
    assert told.agency_code == DISTRICT and "Đôn đốc" in told.text and "Đề nghị xử lý trước 20/5" in told.text


async def test_a_bulk_return_without_a_reason_attempts_nothing(tier_http):
    client, sessions = await tier_http(Tier.DISTRICT, business_date=date(2025, 5, 15))
    async with sessions() as session, session.begin():
        session.add(review("n-1", "Nguyễn Thị Lan", "individual"))
    csrf = await logged_in(client, "chair")
    refused = await client.post("/console/bulk", data={"csrf": csrf, "action": "return", "nomination_id": "n-1"})
    assert refused.status_code == 422 and "Trả lại hồ sơ phải ghi lý do" in refused.text
    assert "bulk-results" not in refused.text  # no item was attempted
    forged = await client.post("/console/bulk", data={"csrf": "x", "action": "remind", "nomination_id": "n-1"})
    assert forged.status_code == 403


async def test_the_inbox_api_answers_a_page_and_says_how_many_in_all(tier_http):
    """`GET /inbox` pages (an agency holds thousands of items in an annual round), oldest first, and
    filters by tờ trình; `X-Total-Count` counts every match, not the page."""
    client, sessions = await tier_http(Tier.DISTRICT, business_date=date(2025, 5, 15))
    async with sessions() as session, session.begin():
        for i in range(7):
            row = review(f"n-page-{i}", f"Người {i}", "individual")
            row.opened_at = datetime(2025, 5, 1, tzinfo=UTC) + timedelta(hours=i)
            row.batch_no = "12/TTr-UBND" if i % 2 == 0 else None
            session.add(row)
        session.add(review("n-page-done", "Đã xong", "individual", status="forwarded"))
    chair = auth(DISTRICT, "chair")
    first = await client.get("/inbox", params={"limit": 3}, headers=chair)
    assert first.status_code == 200, first.text
    assert [r["nomination_id"] for r in first.json()] == ["n-page-0", "n-page-1", "n-page-2"]
    assert first.headers["X-Total-Count"] == "7"
    last = await client.get("/inbox", params={"limit": 3, "offset": 6}, headers=chair)
    assert [r["nomination_id"] for r in last.json()] == ["n-page-6"] and last.headers["X-Total-Count"] == "7"
    batch = await client.get("/inbox", params={"batch_no": "12/TTr-UBND"}, headers=chair)
    assert [r["nomination_id"] for r in batch.json()] == ["n-page-0", "n-page-2", "n-page-4", "n-page-6"]
    assert batch.headers["X-Total-Count"] == "4"
    every = await client.get("/inbox", params={"state": ""}, headers=chair)
    assert every.headers["X-Total-Count"] == "8"
    for bad in ({"limit": 0}, {"limit": 1001}, {"offset": -1}):
        refused = await client.get("/inbox", params=bad, headers=chair)
        assert refused.status_code == 422 and str(next(iter(bad))) in refused.json()["detail"], refused.text
