"""One address: a login written `username@AGENCY` at any service's console is sent to the console
of the service that hosts the agency, with the login prefilled and the page asked for kept. The
decision reads the public registry only: no password is checked at the wrong service, a username
that exists nowhere is sent on just the same, and only configured addresses are ever named."""

from datetime import date
from urllib.parse import parse_qs, urlsplit

from deploy.demo_data import demo_token
from services.kit.console.session import COOKIE
from services.kit.identity.where import Login
from shared.contracts.tiers import Tier
from tests.integration.kit.test_oidc_login import logins

ADDRESSES = {"unit_console_url": "https://coso.example.gov.vn", "district_console_url": "https://huyen.example.gov.vn"}
CHAIR = demo_token("D903", "chair")  # a district officer: username = the token in lower case


async def post_login(client, username: str, password: str = "whatever", next_path: str = "/console?status="):  # type: ignore[no-untyped-def]
    return await client.post("/console/login", data={"username": username, "password": password, "next": next_path})


async def test_a_login_for_another_services_agency_is_sent_there_unchecked(tier_http):
    unit, unit_sessions = await tier_http(Tier.UNIT, business_date=date(2025, 5, 15), **ADDRESSES)
    sent = await post_login(unit, f"{CHAIR.lower()}@d903", password="a wrong password")
    assert sent.status_code == 303
    target = urlsplit(sent.headers["location"])
    assert f"{target.scheme}://{target.netloc}{target.path}" == "https://huyen.example.gov.vn/console/login"
    assert parse_qs(target.query) == {"username": [f"{CHAIR.lower()}@d903"], "next": ["/console?status="]}
    nobody = await post_login(unit, "nobody.at.all@D903")  # exists nowhere: sent on all the same
    assert nobody.status_code == 303 and nobody.headers["location"].startswith("https://huyen.example.gov.vn/")
    assert await logins(unit_sessions) == []  # no password was checked here, nothing was counted
    # Without the agency, the unit service cannot know where the district's chair logs in: the
    # refusal is a wrong login's (nothing says whether the name exists), and it says how to write it.
    plain = await post_login(unit, CHAIR.lower(), CHAIR)
    assert plain.status_code == 401 and "sai tên đăng nhập hoặc mật khẩu" in plain.text
    assert "kèm mã cơ quan của bạn" in plain.text

    district, _ = await tier_http(Tier.DISTRICT, business_date=date(2025, 5, 15), **ADDRESSES)
    page = await district.get(f"/console/login?{target.query}")
    assert f'value="{CHAIR.lower()}@d903"' in page.text and 'value="/console?status="' in page.text
    done = await post_login(district, f"{CHAIR.lower()}@d903", CHAIR)
    assert done.status_code == 303 and done.headers["location"] == "/console?status=" and COOKIE in done.cookies
    # At the hosting service the agency must be the officer's: another agency's code is no way in.
    wrong = await post_login(district, f"{demo_token('D902', 'chair').lower()}@D903", demo_token("D902", "chair"))
    assert wrong.status_code == 401 and "sai tên đăng nhập hoặc mật khẩu" in wrong.text
    api = {"username": f"{CHAIR.lower()}@D903", "password": CHAIR}
    assert (await district.post("/auth/login", json=api)).status_code == 200  # the API reads logins alike
    assert (await district.post("/auth/login", json={**api, "username": f"{CHAIR.lower()}@D902"})).status_code == 401
    back = await post_login(district, "demo-u91-0001-clerk@U91-0001")
    assert back.headers["location"].startswith("https://coso.example.gov.vn/console/login?")


async def test_only_configured_addresses_and_known_agencies(tier_http):
    unit, _ = await tier_http(Tier.UNIT, **ADDRESSES)
    elsewhere = await post_login(unit, f"{CHAIR.lower()}@D903", next_path="https://evil.example/steal")
    assert parse_qs(urlsplit(elsewhere.headers["location"]).query)["next"] == ["/console"]
    unknown = await post_login(unit, "hoa@KHONG-CO")
    assert unknown.status_code == 422 and "không có cơ quan nào mang mã &#39;KHONG-CO&#39;" in unknown.text
    unset = await post_login(unit, "hoa@P91")  # Kiên Giang: the province service, whose address is not given
    assert unset.status_code == 503 and "PROVINCE_CONSOLE_URL" in unset.text and "cấp tỉnh" in unset.text
    assert "hoa@U91-0001" in (await unit.get("/console/login")).text  # the page says how to write a login


def test_a_login_names_its_agency_after_the_last_at_sign():
    assert Login.parse(" Hoa.Nguyen@u91-0001 ") == Login("hoa.nguyen", "U91-0001")
    assert Login.parse("hoa.nguyen") == Login("hoa.nguyen", None)
    assert Login.parse("hoa@") == Login("hoa", None)
