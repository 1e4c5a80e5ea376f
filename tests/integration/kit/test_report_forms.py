"""The reporting forms of TT 02/2023 and the report's filters, from known data (in process, SQLite and
PostgreSQL): every cell of 0602 and the lines of 0601, 0603, 0604 and 0605 computed by hand here;
filters (years, agency with or without subordinates, award, mode, kind) changing the figures as
they should; multi-year totals; the share of small collectives; CSV and XLSX read back holding the
JSON's numbers; the console page with its filters through HTTP."""

import csv
import io
import zipfile
from datetime import UTC, date, datetime

from openpyxl import load_workbook

from services.kit.console.session import COOKIE
from services.kit.councils.models import Council
from services.kit.identity.models import Officer
from services.kit.movements.models import LaunchedMovement
from services.kit.nominees.models import Nominee
from shared.contracts.tiers import Tier
from tests.helpers import auth
from tests.integration.kit.test_statistics import apply, conferred

TODAY = date(2026, 1, 20)
TEAM, TEAM_2 = "N-TO-TOAN", "N-TO-VAN"  # teams registered as collective nominees: small collectives


def award(code: str, year: int, **fields):  # type: ignore[no-untyped-def]
    """An `award.conferred` with the profile and the nominee given (`mode` cong_trang unless said)."""
    profile = {k: fields.pop(k) for k in ("nominee_id", "nominee_sex", "nominee_ethnicity") if k in fields}
    mode = fields.pop("mode", "cong_trang")
    return conferred(code, year, **fields).model_copy(update={**profile, "mode": mode})


AWARDS_2025 = [
    # State level (form 0602).
    award("BANG_KHEN_TTG", 2025, position="giao_vien", nominee_sex="nu", nominee_ethnicity="05"),  # 1
    award(
        "BANG_KHEN_TTG",
        2025,
        position="lanh_dao_so",
        nominee_sex="nam",
        nominee_ethnicity="01",
        mode="dot_xuat",
        proposer="P91",
    ),  # 2  # fmt: skip
    award("HCLD_HANG_BA", 2025, kind="collective", nominee_id="U91-0003"),  # 3: an enterprise
    award("CO_THI_DUA_CP", 2025, kind="collective", nominee_id=TEAM),  # 4: a small collective
    award("CSTD_TOAN_QUOC", 2025),  # 5: no position recorded
    award("BA_ME_VN_ANH_HUNG", 2025, mode="khang_chien"),  # 6
    award("HUY_CHUONG", 2025, mode="nien_han"),  # 7
    # Provincial level (form 0603).
    award("BANG_KHEN_TINH", 2025, kind="household", mode="chuyen_de"),  # 8
    award("CO_THI_DUA_TINH", 2025, kind="collective", nominee_id="U91-0001", proposer="P91"),  # 9: a school
    award("CSTD_TINH", 2025, position="cong_nhan"),  # 10
    award("BANG_KHEN_TINH", 2025, kind="collective", mode="dot_xuat"),  # 11: named only, nature unknown
    award("BANG_KHEN_TINH", 2025, kind="collective", nominee_id=TEAM_2, proposer="U91-0002"),  # 12: small
    award("GIAY_KHEN", 2025, position="nong_dan"),  # 13: base level
]
EARLIER = [
    award("BANG_KHEN_TINH", 2024, kind="collective", nominee_id=TEAM),  # small
    award("BANG_KHEN_TINH", 2024, position="cong_nhan"),
    award("LAO_DONG_TIEN_TIEN", 2024),
    award("BANG_KHEN_TINH", 2023),
    award("BANG_KHEN_TTG", 2025, proposer="U-BGDDT-0001"),  # under a ministry: never counted for P91
]


def movement(code: str, launcher: str, scope: str, starts: date, ends: date | None) -> LaunchedMovement:
    return LaunchedMovement(
        code=code, launcher_agency=launcher, name=code, theme="Thử", kind="thuong_xuyen", scope=scope,
        starts_on=starts, ends_on=ends, launch_document="1/KH", launched_on=starts, status="dang_phat_dong",
        updated_at=datetime(2025, 1, 1, tzinfo=UTC),
    )  # fmt: skip


def at(*day: int) -> datetime:
    return datetime(*day, tzinfo=UTC)


def council(code: str, agency: str, created: datetime) -> Council:
    return Council(id=code, agency_code=agency, name=code, created_by="t", created_at=created)


async def a_year(tier_http):  # type: ignore[no-untyped-def]
    client, sessions = await tier_http(Tier.PROVINCE, business_date=TODAY)
    async with sessions() as session, session.begin():
        for team in (TEAM, TEAM_2):
            session.add(Nominee(id=team, kind="collective", name=team, search_name=team.lower(),
                managing_agency="U91-0001", registered_by="t", registered_at=at(2024, 1, 1)))  # fmt: skip
        session.add_all([
            movement("M1", "P91", "bo_tinh", date(2025, 1, 1), date(2025, 12, 31)),  # one year
            movement("M2", "U91-0001", "co_quan", date(2025, 3, 1), date(2025, 6, 30)),  # under a year
            movement("M3", "P91", "cum_khoi", date(2025, 2, 1), None),  # no end
            movement("M4", "P91", "bo_tinh", date(2024, 1, 1), date(2024, 12, 31)),  # another year
            movement("M5", "B-BNV", "toan_quoc", date(2025, 1, 1), date(2026, 12, 31)),  # another agency
            council("c-p91", "P91", at(2025, 2, 1)),
            council("c-u1", "U91-0001", at(2025, 9, 1)),
            council("c-late", "U91-0002", at(2026, 1, 5)),
            Officer(id="o-new", agency_code="P91", name="Chuyên viên mới", role="clerk"),
            Officer(id="o-gone", agency_code="P91", name="Đã nghỉ", role="clerk", active=False),
        ])  # fmt: skip
    for event in [*AWARDS_2025, *EARLIER]:
        await apply(sessions, event)
    return client, sessions


async def form(client, code: str, **params):  # type: ignore[no-untyped-def]
    answer = await client.get(
        f"/statistics/forms/{code}", params={"year": 2025, **params}, headers=auth("P91", "clerk")
    )
    assert answer.status_code == 200, answer.text
    return answer.json()


def cells(found: dict) -> dict[str, list]:
    return {row["code"]: row["cells"] for row in found["rows"]}


async def test_each_form_counts_what_its_definition_says(tier_http):
    client, sessions = await a_year(tier_http)
    # 0602, every cell. Columns: total, collectives (of which enterprises, small ones), households,
    # individuals: leaders of ministry/province, of department, entrepreneurs, other leaders, direct
    # workers, position not recorded; of which women, ethnic minorities.
    zero = [0] * 14
    state = cells(await form(client, "0602"))
    assert state == {
        "tong": [7, 2, 1, 1, 0, 5, 0, 1, 0, 0, 1, 3, 1, 1],
        "huan_chuong": [1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],  # 3
        "huy_chuong": [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0],  # 7
        "giai_thuong": zero,
        "vinh_du": [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0],  # 6
        "co_thi_dua_cp": [1, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],  # 4
        "cstd_toan_quoc": [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0],  # 5
        "bang_khen_ttg": [2, 0, 0, 0, 0, 2, 0, 1, 0, 0, 1, 0, 1, 1],  # 1, 2
        "khac": zero,
        "thuong_xuyen": [4, 2, 1, 1, 0, 2, 0, 0, 0, 0, 1, 1, 1, 1],  # 1, 3, 4, 5
        "chuyen_de": zero,
        "dot_xuat": [1, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0],  # 2
        "doi_ngoai": zero,
        "cong_hien": zero,
        "nien_han": [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0],  # 7
        "khang_chien": [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0],  # 6
    }
    # 0603: awards 8 to 12 (13 is base level).
    province = cells(await form(client, "0603"))
    assert province["tong"] == [5, 3, 0, 1, 1, 1, 0, 0, 0, 0, 1, 0, 0, 0]
    assert province["bang_khen"] == [3, 2, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0]  # 8, 11, 12
    assert province["co_thi_dua"][:2] == [1, 1] and province["cstd_tinh"][10] == 1
    assert province["thuong_xuyen"][0] == 3 and province["chuyen_de"][0] == 1 and province["dot_xuat"][0] == 1
    # Two years: 2024's two provincial awards join, one to a small collective.
    assert cells(await form(client, "0603", from_year=2024))["tong"][:4] == [7, 4, 0, 2]
    # 0601: M1, M2, M3. Columns: total, 4 scopes, 4 durations.
    movements = cells(await form(client, "0601"))
    assert movements["tong"] == [3, 0, 1, 1, 1, 1, 1, 0, 1]
    assert movements["bo_tinh"] == [2, 0, 1, 1, 0, 0, 1, 0, 1]  # launched by the province
    assert movements["co_quan"] == [1, 0, 0, 0, 1, 1, 0, 0, 0]  # by the school under it
    assert movements["trung_uong"] == [0] * 9
    # 0604: the province's and the school's councils (the department's was set up in 2026).
    councils = cells(await form(client, "0604"))
    assert councils["tong"] == [2] and councils["tinh"] == [1] and councils["co_so"] == [1]
    # 0605: the province's own clerks, active: the seeded one and the new one; women not recorded.
    officers = await form(client, "0605", subordinates="0")
    assert cells(officers)["tong"] == [2, None] and officers["columns"][1]["recorded"] is False
    listed = (await client.get("/statistics/forms", headers=auth("P91", "clerk"))).json()
    assert [f["code"] for f in listed] == ["0601", "0602", "0603", "0604", "0605"]
    assert all(f["confirmed"] is False for f in listed)  # the successor of TT 02/2023 is not confirmed
    missing = await client.get("/statistics/forms/0699", headers=auth("P91", "clerk"))
    assert missing.status_code == 404 and "0601" in missing.json()["detail"]
    other = await client.get("/statistics/forms/0602", params={"agency": "P91"}, headers=auth("B-BNV", "chair"))
    assert other.status_code == 404


async def report(client, **params):  # type: ignore[no-untyped-def]
    answer = await client.get("/statistics/report", params={"year": 2025, **params}, headers=auth("P91", "clerk"))
    assert answer.status_code == 200, answer.text
    return answer.json()


async def test_filters_years_and_small_collectives_change_the_figures(tier_http):
    client, sessions = await a_year(tier_http)
    everything = await report(client)
    assert (everything["this_year"]["total"], everything["previous_year"]["total"]) == (13, 3)
    # Collectives of 2025 whose nature is known: 3 (enterprise), 4 and 12 (small), 9 (a school); 11
    # was named only. 2024: the one team. Share 2/4 against 1/1: 50 points down.
    assert everything["this_year"]["small_counts"] == [2, 4] and everything["this_year"]["small_share"] == 0.5
    assert everything["previous_year"]["small_counts"] == [1, 1]
    assert everything["change"]["small_share_points"] == -50.0
    assert (await report(client, award="BANG_KHEN_TINH"))["this_year"]["total"] == 3  # 8, 11, 12
    assert (await report(client, mode="cong_trang"))["this_year"]["total"] == 8  # 1, 3, 4, 5, 9, 10, 12, 13
    assert (await report(client, kind="collective"))["this_year"]["total"] == 5  # 3, 4, 9, 11, 12
    assert (await report(client, kind="collective", mode="dot_xuat"))["this_year"]["total"] == 1  # 11
    own = await report(client, subordinates="0")  # proposed by the province itself: 2 and 9
    assert own["this_year"]["total"] == 2 and own["this_year"]["by_award"] == {"BANG_KHEN_TTG": 1, "CO_THI_DUA_TINH": 1}
    school = await report(client, agency="U91-0001")  # a body under the province: what it proposed
    assert school["this_year"]["total"] == 10 and school["previous_year"]["total"] == 3
    years = await report(client, from_year=2023, to_year=2025)
    assert [(y["year"], y["total"]) for y in years["by_year"]] == [(2023, 1), (2024, 3), (2025, 13)]
    assert years["period"]["total"] == 17 and years["period"]["by_award"]["BANG_KHEN_TINH"] == 6
    assert years["period"]["small_counts"] == [3, 5]
    for wrong, words in (
        ({"from_year": 2025, "to_year": 2024}, "from_year 2025 is after to_year 2024"),
        ({"award": "NOPE"}, "award 'NOPE' is not in the catalog"),
        ({"mode": "thuong"}, "mode 'thuong' is none of"),
        ({"kind": "team"}, "kind 'team' is none of"),
        ({"from_year": 1900}, "from_year"),
    ):
        refused = await client.get("/statistics/report", params={"year": 2025, **wrong}, headers=auth("P91", "clerk"))
        assert refused.status_code == 422 and words in refused.text, refused.text


def csv_rows(content: bytes) -> list[list[str]]:
    assert content.startswith(b"\xef\xbb\xbf")  # the BOM: Excel opens it as UTF-8
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


async def test_csv_and_xlsx_hold_the_numbers_of_the_json(tier_http):
    client, sessions = await a_year(tier_http)
    params, headers = {"from_year": 2024, "to_year": 2025, "kind": "collective"}, auth("P91", "clerk")
    found = await report(client, **params)
    lines = csv_rows((await client.get("/statistics/report.csv", params=params, headers=headers)).content)
    assert "Năm 2024–2025; P91 và các đơn vị trực thuộc; đối tượng: tập thể" in lines[0][0]
    summary = {row[0]: row[1:] for row in lines if row}
    assert summary["Tổng số khen thưởng"] == ["1", "5", "4"]  # collectives: 2024 the team; 2025 five
    assert summary["Tỷ lệ tập thể nhỏ trong các tập thể được khen thưởng (%)"] == ["100.0", "50.0", "-50.0"]
    assert summary["Cộng"][0] == str(found["period"]["total"]) == "6"
    assert summary["BANG_KHEN_TINH"][1:] == ["1", "2", "3"]  # by form: 2024, 2025, the two years

    state = await form(client, "0602", **params)
    written = csv_rows(
        (await client.get("/statistics/forms/0602.csv", params={"year": 2025, **params}, headers=headers)).content
    )
    assert written[1][1:] == [c["vi"] for c in state["columns"]]
    assert [[int(cell) for cell in row[1:]] for row in written[2:]] == [row["cells"] for row in state["rows"]]

    book = load_workbook(
        io.BytesIO((await client.get("/statistics/forms/0602.xlsx", params=params, headers=headers)).content)
    )
    sheet = [list(row) for row in book["Biểu 0602"].iter_rows(min_row=3, values_only=True)]
    assert [row[1:] for row in sheet] == [row["cells"] for row in state["rows"]]

    whole = (await client.get("/statistics/report.xlsx", params=params, headers=headers)).content
    book = load_workbook(io.BytesIO(whole))
    assert book.sheetnames == [
        "Tổng hợp",
        "Theo năm",
        "Theo hình thức",
        "Biểu đồ",
        *(f"Biểu 060{n}" for n in range(1, 6)),
    ]
    by_year = {row[0]: row[1:] for row in book["Theo năm"].iter_rows(min_row=3, values_only=True)}
    assert by_year[2024][0] == 1 and by_year[2025][0] == 5 and by_year["Cộng"][0] == 6
    assert [list(r[1:]) for r in book["Biểu 0603"].iter_rows(min_row=3, values_only=True)][0][:4] == [4, 4, 0, 2]
    assert any(name.startswith("xl/charts/chart") for name in zipfile.ZipFile(io.BytesIO(whole)).namelist())


async def test_the_statistics_page_filters_and_downloads_through_http(tier_http):
    client, sessions = await a_year(tier_http)
    client.cookies.set(COOKIE, "demo-P91-clerk")
    asked = {"from_year": "2024", "to_year": "2025", "kind": "collective", "form": "0603", "subordinates": "1"}
    page = await client.get("/console/statistics", params=asked)
    assert page.status_code == 200, page.text
    text = page.text
    assert '<option value="collective" selected>' in text and '<option value="0603" selected>' in text
    assert 'id="by-year"' in text and "<svg" in text and 'id="form-table"' in text
    table = text.split('id="form-table"')[1].split("</table>")[0]
    assert "Bằng khen của bộ, ban, ngành, tỉnh</th><td>3</td>" in table  # 11, 12, the 2024 team; 8 is a household
    assert "Tập thể nhỏ được khen thưởng trong năm" in text and "2 / 4" in text
    link = "from_year=2024&amp;to_year=2025&amp;agency=P91&amp;subordinates=1&amp;kind=collective"
    assert f"/console/statistics.csv?{link}" in text and f"/console/statistics/forms/0603.xlsx?{link}" in text
    download = await client.get("/console/statistics.csv", params=asked)
    assert download.status_code == 200 and download.headers["content-type"].startswith("text/csv")
    assert {row[0]: row[1:] for row in csv_rows(download.content) if row}["Tổng số khen thưởng"] == ["1", "5", "4"]
    sheet = await client.get("/console/statistics/forms/0603.xlsx", params=asked)
    first = next(load_workbook(io.BytesIO(sheet.content))["Biểu 0603"].iter_rows(min_row=3, values_only=True))
    assert first[1] == 4
    own = await client.get("/console/statistics", params={"year": "2025", "subordinates": "0"})
    assert '<option value="0" selected>' in own.text and "<td>Tổng số khen thưởng</td><td>0</td><td>2</td>" in own.text
    refused = await client.get("/console/statistics", params={"from_year": "2025", "to_year": "2023"})
    assert refused.status_code == 422 and "từ năm 2025 sau đến năm 2023" in refused.text
    english = await client.get("/console/statistics", params={"mode": "x", "lang": "en"})
    assert english.status_code == 422 and "mode &#39;x&#39; is none of" in english.text
