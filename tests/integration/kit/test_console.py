"""The console through HTTP (in process): the session cookie and its CSRF token, the login page's
refusals and lock-out, the inbox's filters, search without diacritics, sort and paging."""

import re
from datetime import UTC, date, datetime, timedelta

from deploy.demo_data import demo_token
from services.kit.console.session import COOKIE, csrf_of
from services.kit.nominations.models import Review
from shared.contracts.tiers import Tier
from shared.text import fold
from tests.helpers import auth

DISTRICT = "D903"
CHAIR = demo_token(DISTRICT, "chair")  # the demo login: username = the token in lower case, password = the token


async def log_in(client, username: str = CHAIR.lower(), password: str = CHAIR):  # type: ignore[no-untyped-def]
    return await client.post(
        "/console/login", data={"username": username, "password": password, "next": "/console?status="}
    )


def review(nomination_id: str, nominee: str, *, due: date | None, proposer: str = "U91-0001", **extra) -> Review:  # type: ignore[no-untyped-def]
    return Review(
        nomination_id=nomination_id,
        workflow_id=f"nomination-{nomination_id}",
        agency_code=DISTRICT,
        step=1,
        award_code="BANG_KHEN_TINH",
        nominee_name=nominee,
        nominee_search=fold(nominee),  # as open_review sets it
        proposer_agency=proposer,
        route=[{"tier": "unit", "agency_code": proposer}, {"tier": "district", "agency_code": DISTRICT}],
        opened_at=datetime(2025, 5, 1, tzinfo=UTC) + timedelta(minutes=len(nomination_id)),
        due_on=due,
        **extra,
    )


async def test_pages_need_a_session_and_the_login_sets_a_strict_http_only_cookie(tier_http):
    client, _ = await tier_http(Tier.DISTRICT, business_date=date(2025, 5, 15))
    first = await client.get("/console/nominations/n-1")
    assert first.status_code == 303 and first.headers["location"] == "/console/login?next=/console/nominations/n-1"
    filtered = await client.get("/console", params={"batch": "7/TTr-THSS", "status": ""})  # a link with filters
    assert filtered.headers["location"] == "/console/login?next=/console%3Fbatch%3D7%252FTTr-THSS%26status%3D"
    back = (await client.get(filtered.headers["location"])).text  # the form sends the address back whole
    assert 'value="/console?batch=7%2FTTr-THSS&amp;status="' in back, back
    page = await client.get("/console/login")
    assert page.status_code == 200 and "Đăng nhập" in page.text and 'lang="vi"' in page.text
    assert "Log in" in (await client.get("/console/login?lang=en")).text
    assert "Log in" in (await client.get("/console/login")).text  # the choice is kept in a cookie
    assert "Đăng nhập" in (await client.get("/console/login?lang=vi")).text

    wrong = await log_in(client, password="sai-mat-khau")
    assert wrong.status_code == 401 and "sai tên đăng nhập hoặc mật khẩu" in wrong.text
    done = await log_in(client)
    assert done.status_code == 303 and done.headers["location"] == "/console?status="
    cookie = done.headers["set-cookie"]
    assert cookie.startswith(f"{COOKIE}=") and "HttpOnly" in cookie and "SameSite=strict" in cookie
    assert "Secure" not in cookie  # development over plain HTTP; elsewhere Secure (see the next test)
    client.cookies.set(COOKIE, done.cookies[COOKIE])
    inbox = await client.get("/console")
    assert inbox.status_code == 200 and "Hồ sơ cần xử lý" in inbox.text and DISTRICT in inbox.text

    # A form without the session's CSRF token is refused; with it, logging out ends the token.
    assert (await client.post("/console/logout", data={"csrf": "forged"})).status_code == 403
    out = await client.post("/console/logout", data={"csrf": csrf_of(done.cookies[COOKIE])})
    assert out.status_code == 303
    assert (await client.get("/console")).status_code == 303  # the token is revoked, not just forgotten
    assert (await client.get("/console/login?next=https://evil.example/")).text.count("https://evil") == 0


async def test_outside_development_the_cookie_is_secure(tier_http):
    client, _ = await tier_http(Tier.DISTRICT, console_secure_cookie=True)
    done = await log_in(client)
    assert done.status_code == 303 and "Secure" in done.headers["set-cookie"]


async def test_five_wrong_passwords_lock_the_account_on_the_login_page(tier_http):
    client, _ = await tier_http(Tier.DISTRICT)
    for _ in range(4):
        assert (await log_in(client, password="sai")).status_code == 401
    assert (await log_in(client, password="sai")).status_code == 423  # the fifth locks
    locked = await log_in(client)  # even the right password now
    assert locked.status_code == 423 and "locked" in locked.text


async def test_the_inbox_filters_searches_without_diacritics_sorts_by_deadline_and_pages(tier_http):
    client, sessions = await tier_http(Tier.DISTRICT, business_date=date(2025, 5, 15))
    async with sessions() as session, session.begin():
        session.add(review("n-late", "Nguyễn Thị Lan", due=date(2025, 5, 10)))
        session.add(review("n-soon", "Trần Văn Bình", due=date(2025, 5, 20)))
        session.add(review("n-none", "Lê Thị Cúc", due=None))
        session.add(review("n-done", "Phạm Văn Dũng", due=date(2025, 5, 1), status="forwarded"))
        for i in range(25):
            session.add(review(f"n-bulk-{i:02d}", f"Đặng Văn Số {i:02d}", due=date(2025, 6, 30)))
    client.cookies.set(COOKIE, (await log_in(client)).cookies[COOKIE])

    found = await client.get("/console", params={"q": "nguyen thi lan"})
    assert "Nguyễn Thị Lan" in found.text and "Trần Văn Bình" not in found.text and "1 hồ sơ" in found.text
    assert "Nguyễn Thị Lan" in (await client.get("/console", params={"q": "NGUYỄN"})).text

    first = (await client.get("/console")).text  # pending only, by deadline: overdue first, none last
    assert first.index("Nguyễn Thị Lan") < first.index("Trần Văn Bình") < first.index("Đặng Văn Số 00")
    assert "Phạm Văn Dũng" not in first and "Lê Thị Cúc" not in first  # page 1 of 2, 20 a page
    assert "28 hồ sơ" in first and "Trang 1 / 2" in first and "page=2" in first
    second = (await client.get("/console", params={"page": "2"})).text
    assert "Lê Thị Cúc" in second and "Trang 2 / 2" in second

    overdue = (await client.get("/console", params={"due": "overdue"})).text
    assert "Nguyễn Thị Lan" in overdue and "Trần Văn Bình" not in overdue
    forwarded = (await client.get("/console", params={"status": "forwarded"})).text
    assert "Phạm Văn Dũng" in forwarded and "Nguyễn Thị Lan" not in forwarded
    # htmx asks for the rows only; nonsense in the URL falls back to the defaults.
    rows = await client.get("/console", params={"q": "lan"}, headers={"HX-Request": "true"})
    assert "<html" not in rows.text and "Nguyễn Thị Lan" in rows.text
    assert (await client.get("/console", params={"page": "-3", "status": "<script>"})).status_code == 200


async def test_another_agency_sees_nothing_of_a_nomination(tier_http):
    client, sessions = await tier_http(Tier.DISTRICT, business_date=date(2025, 5, 15))
    async with sessions() as session, session.begin():
        session.add(review("n-1", "Nguyễn Thị Lan", due=date(2025, 5, 20)))
    own = demo_token(DISTRICT, "chair")
    client.cookies.set(COOKIE, (await log_in(client, own.lower(), own)).cookies[COOKIE])
    page = await client.get("/console/nominations/n-1")
    assert page.status_code == 200 and "Nguyễn Thị Lan" in page.text and "Trả lại để bổ sung" in page.text
    other = demo_token("D902", "chair")
    client.cookies.set(COOKIE, (await log_in(client, other.lower(), other)).cookies[COOKIE])
    refused = await client.get("/console/nominations/n-1")
    assert refused.status_code == 404 and "Nguyễn Thị Lan" not in refused.text
    assert "Nguyễn Thị Lan" not in (await client.get("/console")).text


async def test_every_console_page_but_the_login_needs_a_session(tier_http):
    from services.kit.console.mount import ROUTERS

    public = {"/console/login", "/console/public/consultations/{consultation_id}", "/console/public/track"}
    public |= {"/console/oidc/start", "/console/oidc/callback"}  # 404 here: no identity provider configured
    client, _ = await tier_http(Tier.UNIT)
    for route in [route for router in ROUTERS for route in router.routes]:
        path = re.sub(r"\{[^}]+\}", "x", route.path)  # type: ignore[attr-defined]
        for method in route.methods:  # type: ignore[attr-defined]
            response = await client.request(method, path, data={})
            if route.path in public:  # type: ignore[attr-defined]
                assert response.status_code in (200, 401, 404, 422), (method, path)
            else:
                assert response.status_code == 303 and "/console/login" in response.headers["location"], (method, path)


async def test_the_auditor_verifies_the_chain_browses_records_and_exports_csv(tier_http):
    from sqlalchemy import text

    client, sessions = await tier_http(Tier.DISTRICT, business_date=date(2025, 5, 15))
    clerk = demo_token(DISTRICT, "clerk")
    client.cookies.set(COOKIE, (await log_in(client, clerk.lower(), clerk)).cookies[COOKIE])
    refused = await client.get("/console/audit")
    assert refused.status_code == 403 and "<html" in refused.text and "Không thực hiện được" in refused.text

    auditor = demo_token(DISTRICT, "auditor")
    client.cookies.set(COOKIE, (await log_in(client, auditor.lower(), auditor)).cookies[COOKIE])
    page = await client.get("/console/audit", params={"action": "identity.login"})
    assert page.status_code == 200 and "Chuỗi nhật ký toàn vẹn" in page.text
    assert page.text.count("identity.login") >= 2 and f"{DISTRICT}:auditor" in page.text
    assert "identity.login_failed" not in (await client.get("/console/audit", params={"actor": "nobody"})).text
    bad = await client.get("/console/audit", params={"since": "15/05/2025"})
    assert bad.status_code == 422 and "YYYY-MM-DD" in bad.text

    exported = await client.get("/console/audit.csv", params={"action": "identity."})
    assert exported.status_code == 200 and exported.headers["content-type"].startswith("text/csv")
    lines = exported.text.lstrip("\ufeff").splitlines()
    assert lines[0].startswith("seq,at,agency_code") and len(lines) >= 3
    assert all(f",{DISTRICT}," in line for line in lines[1:])  # the agency's own records only

    async with sessions() as session, session.begin():
        await session.execute(text("update audit_record set reason = 'sửa lén' where seq = 1"))
    assert "Chuỗi nhật ký bị sửa đổi" in (await client.get("/console/audit")).text


async def test_the_admin_manages_the_agencys_officers_in_the_console(tier_http):
    client, _ = await tier_http(Tier.PROVINCE)
    clerk = demo_token("P91", "clerk")
    client.cookies.set(COOKIE, (await log_in(client, clerk.lower(), clerk)).cookies[COOKIE])
    assert (await client.get("/console/officers")).status_code == 403

    admin = demo_token("P91", "admin")
    session_cookie = (await log_in(client, admin.lower(), admin)).cookies[COOKIE]
    client.cookies.set(COOKIE, session_cookie)
    csrf = csrf_of(session_cookie)
    password = "Mật-khẩu-đủ-dài-2026"
    form = {"csrf": csrf, "action": "create", "username": "lan.nguyen", "name": "Nguyễn Thị Lan", "role": "clerk"}
    created = await client.post("/console/officers", data={**form, "password": password})
    assert created.status_code == 200 and "lan.nguyen" in created.text and "Nguyễn Thị Lan" in created.text
    weak = await client.post("/console/officers", data={**form, "username": "binh.tran", "password": "ngan"})
    assert weak.status_code == 422 and 'role="alert"' in weak.text
    forged = await client.post("/console/officers", data={**form, "csrf": "x", "username": "ke.gia"})
    assert forged.status_code == 403 and "ke.gia" not in (await client.get("/console/officers")).text

    lan_session = (await log_in(client, "lan.nguyen", password)).cookies[COOKIE]
    client.cookies.set(COOKIE, session_cookie)
    reset = await client.post(
        "/console/officers", data={"csrf": csrf, "action": "reset", "officer_id": "P91:lan.nguyen"}
    )
    assert reset.status_code == 200 and 'id="secret"' in reset.text  # the temporary password, once
    assert (await log_in(client, "lan.nguyen", password)).status_code == 401  # the old one is gone
    role = await client.post(
        "/console/officers", data={"csrf": csrf, "action": "role", "officer_id": "P91:lan.nguyen", "role": "chair"}
    )
    assert role.status_code == 200
    off = await client.post(
        "/console/officers", data={"csrf": csrf, "action": "deactivate", "officer_id": "P91:lan.nguyen"}
    )
    assert off.status_code == 200 and "đã vô hiệu hóa" in off.text
    client.cookies.set(COOKIE, lan_session)
    assert (await client.get("/console")).status_code == 303  # her session ended with her account


async def test_anyone_reads_a_public_notice_comments_on_it_and_follows_a_code(tier_http):
    client, _ = await tier_http(Tier.UNIT, business_date=date(2025, 5, 15))
    draft = {"nominee_name": "Nguyễn Thị Lan", "award_code": "HCLD_HANG_BA", "reason": "Xuất sắc"}
    nomination = (await client.post("/nominations", headers=auth("U91-0001", "clerk"), json=draft)).json()
    posting = await client.post(
        f"/nominations/{nomination['id']}/consultation",
        headers=auth("U91-0001", "clerk"),
        json={"posted_on": "2025-05-12", "channel": "Bảng tin nhà trường"},
    )
    assert posting.status_code == 201, posting.text
    url = f"/console/public/consultations/{posting.json()['id']}"
    page = await client.get(url)  # no login
    assert page.status_code == 200 and "Nguyễn Thị Lan" in page.text and "Gửi ý kiến" in page.text
    empty = await client.post(url, data={"author_name": "", "text": "Ý kiến"})
    assert empty.status_code == 422 and "họ tên" in empty.text and "Ý kiến" in empty.text  # kept, to correct
    sent = await client.post(url, data={"author_name": "Trần Văn Dân", "text": "Cô Lan tận tụy", "kind": "comment"})
    assert sent.status_code == 201 and "Đã nhận ý kiến" in sent.text
    seen = await client.get(f"/nominations/{nomination['id']}/consultation", headers=auth("U91-0001", "chair"))
    assert [c["text"] for c in seen.json()["comments"]] == ["Cô Lan tận tụy"]

    assert (await client.get("/console/public/track")).status_code == 200
    unknown = await client.get("/console/public/track", params={"code": "TDKT-7K3F-Q9XM-R2PA"})
    assert unknown.status_code == 404 and "không tìm thấy mã hồ sơ" in unknown.text
