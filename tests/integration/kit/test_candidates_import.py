"""Candidates for the base titles imported into a tờ trình from a file (in process, SQLite and
PostgreSQL): 5,000 rows with bad ones among them name each bad row and why and create nothing; a dry
run creates nothing; the good file creates every draft in the tờ trình; one document reaches them all."""

import base64
import csv
import io

from sqlmodel import func, select

from services.kit.dossier.models import Document
from services.kit.nominations.models import Nomination
from shared.contracts.tiers import Tier
from tests.helpers import auth, document
from tests.integration.kit.test_movements import TODAY

CLERK = auth("U91-0001", "clerk")
HEADER = ["Họ tên / tên tập thể", "Cá nhân hay tập thể", "Danh hiệu đề nghị", "Thành tích", "Năm"]


def upload(rows: list[list[str]], *, dry_run: bool = False) -> dict:
    text = io.StringIO()
    csv.writer(text).writerows([HEADER, *rows])
    return {
        "filename": "ung_vien.csv",
        "content_base64": base64.b64encode(text.getvalue().encode()).decode(),
        "dry_run": dry_run,
    }


def good(count: int) -> list[list[str]]:
    titles = ["Lao động tiên tiến", "Chiến sĩ thi đua cơ sở"]
    people = [
        [f"Nguyễn Văn {n:04d}", "Cá nhân", titles[n % 2], "Hoàn thành tốt nhiệm vụ", "2024"] for n in range(count - 1)
    ]
    return [*people, ["Tổ Toán", "Tập thể", "Tập thể lao động tiên tiến", "Hoàn thành tốt nhiệm vụ", "2024"]]


async def drafts(sessions) -> int:  # type: ignore[no-untyped-def]
    async with sessions() as session:
        return (await session.exec(select(func.count()).select_from(Nomination))).one()


async def test_five_thousand_candidates_all_or_nothing(tier_http):
    client, sessions = await tier_http(Tier.UNIT, business_date=TODAY)
    batch = (
        await client.post("/batches", headers=CLERK, json={"number": "3/TTr-THSS", "title": "Danh hiệu cơ sở 2024"})
    ).json()
    url = f"/batches/{batch['id']}"
    rows = good(5000)
    rows[10][2] = "Huân chương Lao động hạng Ba"  # not a base title
    rows[20][1] = "Tập thể"  # LĐTT is for a person
    rows[30][4] = "2031"  # a year to come
    rows[40] = rows[41][:]  # the same candidate twice
    rows[50][3] = ""  # no achievement
    refused = await client.post(f"{url}/import", headers=CLERK, json=upload(rows))
    assert refused.status_code == 422, refused.text
    report = refused.json()["detail"]
    assert report["rows"] == 5000 and "nothing was imported" in report["message"]
    assert [(p["row"], p["field"]) for p in report["problems"]] == [
        (12, "award_code"),
        (22, "kind"),
        (32, "period_year"),
        (43, "nominee_name"),
        (52, "reason"),
    ]  # fmt: skip (a spreadsheet's row numbers: the header is row 1)
    assert "không phải danh hiệu cơ sở" in report["problems"][0]["vi"]
    assert await drafts(sessions) == 0

    checked = await client.post(f"{url}/import", headers=CLERK, json=upload(good(5000), dry_run=True))
    assert checked.status_code == 200 and (checked.json()["valid"], checked.json()["created"]) == (5000, 0)
    assert await drafts(sessions) == 0
    done = await client.post(f"{url}/import", headers=CLERK, json=upload(good(5000)))
    assert done.status_code == 200 and done.json()["created"] == 5000
    assert await drafts(sessions) == 5000

    attached = await client.post(f"{url}/documents", headers=CLERK, json=document("to_trinh", "Tờ trình số 3/TTr-THSS"))
    assert attached.status_code == 201 and attached.json() == {"attached_to": 5000}
    async with sessions() as session:
        assert (await session.exec(select(func.count()).select_from(Document))).one() == 5000
    view = (await client.get(url, headers=CLERK)).json()
    assert {a["award_code"] for a in view["awardees"]} == {"LAO_DONG_TIEN_TIEN", "CSTD_CO_SO", "TT_LAO_DONG_TIEN_TIEN"}
