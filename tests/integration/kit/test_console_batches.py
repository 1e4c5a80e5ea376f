"""The proposer's tờ trình on the console (in process, SQLite and PostgreSQL): number it, import a file
of candidates (a bad row shows the report and creates nothing), attach the tờ trình to every draft,
submit them together (each starts its own workflow)."""

from typing import Any

from services.kit.console.session import COOKIE, csrf_of
from shared.contracts.nomination import NominationInput
from shared.contracts.tiers import Tier
from tests.integration.kit.test_movements import TODAY

TOKEN = "demo-U91-0001-clerk"


class StartedWorkflows:
    """Records the workflows a submission starts (the engine itself is tested end to end elsewhere)."""

    together = False  # one workflow per awardee

    def __init__(self) -> None:
        self.started: list[NominationInput] = []

    @property
    def many(self) -> Any:  # work on many goes through the same port
        return self

    async def start(self, nomination: NominationInput) -> str:
        self.started.append(nomination)
        return f"nomination-{nomination.nomination_id}"


def csv_file(rows: list[str]) -> tuple[str, bytes, str]:
    text = "Họ tên / tên tập thể,Danh hiệu đề nghị,Thành tích,Năm\n" + "\n".join(rows) + "\n"
    return ("ung_vien.csv", text.encode(), "text/csv")


async def test_number_import_attach_and_submit_a_proposal_on_the_console(tier_http):
    workflows = StartedWorkflows()
    client, _ = await tier_http(Tier.UNIT, business_date=TODAY, nominations=workflows)
    client.cookies.set(COOKIE, TOKEN)
    csrf = csrf_of(TOKEN)
    made = await client.post(
        "/console/batches", data={"csrf": csrf, "number": "5/TTr-THSS", "title": "Công nhận LĐTT 2024"}
    )
    assert made.status_code == 303
    page = made.headers["location"]
    rows = ["Trần Thị Bé,Lao động tiên tiến,Hoàn thành tốt nhiệm vụ,2024", "Lê Văn Cường,Huân chương,Tốt,2024"]
    refused = await client.post(page, data={"csrf": csrf, "action": "import"}, files={"file": csv_file(rows)})
    assert refused.status_code == 422 and 'id="report"' in refused.text and "không phải danh hiệu cơ sở" in refused.text
    assert "Trần Thị Bé" not in refused.text.split('id="awardees"')[1]  # nothing was created
    rows[1] = "Lê Văn Cường,Chiến sĩ thi đua cơ sở,Sáng kiến cấp cơ sở,2024"
    imported = await client.post(page, data={"csrf": csrf, "action": "import"}, files={"file": csv_file(rows)})
    assert imported.status_code == 200 and imported.text.count("/console/nominations/") == 2
    for kind in ("to_trinh", "bao_cao_thanh_tich"):
        attached = await client.post(
            page, data={"csrf": csrf, "action": "attach", "kind": kind},
            files={"file": (f"{kind}.txt", f"{kind}: tờ trình 5/TTr-THSS".encode(), "text/plain")},
        )  # fmt: skip
        assert attached.status_code == 200 and "mọi hồ sơ" in attached.text
    paper = await client.get(f"{page}/to_trinh.docx")
    assert paper.status_code == 200 and paper.content[:2] == b"PK"  # a DOCX (zip), with the session cookie
    assert f"{page}/to_trinh.pdf" in (await client.get(page)).text  # the page links the PDF too
    paper = await client.get(f"{page}/to_trinh.pdf")
    assert paper.status_code == 200 and paper.content[:5] == b"%PDF-"
    submitted = await client.post(page, data={"csrf": csrf, "action": "submit"})
    assert submitted.status_code == 200 and "2 hồ sơ đã trình" in submitted.text, submitted.text[-2000:]
    assert [n.batch_no for n in workflows.started] == ["5/TTr-THSS", "5/TTr-THSS"]
    assert sorted(n.nominee_name for n in workflows.started) == ["Lê Văn Cường", "Trần Thị Bé"]
