"""The Central Board's reorganization page (in process, real Temporal dev server): a dry run started
from the console waits for a worker and says so, then its bar follows the tiers the workflow has
previewed, and the per-item report (a nomination pending at an abolished district) is a table and a
CSV. Anyone outside the board is refused.

The dry-run ReorganizationWorkflow runs in a worker of this test, with each tier's activities: the
district's on a district database holding the review, the other tiers' on the central database
(nothing is in flight there)."""

import asyncio
import contextlib
import re
from datetime import UTC, date, datetime

import pytest
from temporalio.client import Client
from temporalio.worker import Worker

from services.kit.nominations.models import Review
from services.kit.reorganization.activities import ReorganizationActivities
from shared.contracts import activities as interfaces
from shared.contracts.nomination import workflow_id_for
from shared.contracts.tiers import NOMINATION_TASK_QUEUE, TIER_ORDER, Tier
from shared.text import fold
from tests.helpers import eventually
from tests.integration.kit.test_console_admin import as_officer
from workflows.reorganization.workflows import ReorganizationWorkflow

PLAN, BOARD, DISTRICT = "VN-2025-07-01", "TW-BTDKT", "D903"
# Temporal is the subject here, and the plan is the whole country's: one database is enough.
pytestmark = pytest.mark.parametrize("tier_http", ["sqlite"], indirect=True)


async def pending_at_the_district(sessions) -> None:  # type: ignore[no-untyped-def]
    async with sessions() as session, session.begin():
        session.add(
            Review(
                nomination_id="n-reorg-1",
                workflow_id=workflow_id_for("n-reorg-1"),
                agency_code=DISTRICT,
                step=1,
                award_code="BANG_KHEN_TINH",
                nominee_name="Nguyễn Thị Lan",
                nominee_search=fold("Nguyễn Thị Lan"),
                proposer_agency="U91-0001",
                route=[{"tier": "unit", "agency_code": "U91-0001"}, {"tier": "district", "agency_code": DISTRICT}],
                opened_at=datetime(2025, 5, 1, tzinfo=UTC),
            )
        )


@contextlib.asynccontextmanager
async def workers(client: Client, central, district):  # type: ignore[no-untyped-def]
    running = [Worker(client, task_queue=NOMINATION_TASK_QUEUE, workflows=[ReorganizationWorkflow])]
    for tier in TIER_ORDER:
        plans = ReorganizationActivities(district if tier == Tier.DISTRICT else central, lambda: None, tier.value)
        running.append(
            Worker(
                client,
                task_queue=tier.task_queue,
                activities=interfaces.bound(interfaces.ReorganizationActivities, plans),
            )
        )
    tasks = [asyncio.create_task(w.run()) for w in running]
    try:
        yield
    finally:
        await asyncio.gather(*(w.shutdown() for w in running))
        await asyncio.gather(*tasks, return_exceptions=True)


async def test_the_board_dry_runs_a_plan_and_follows_its_progress_to_the_report(
    tier_http, temporal_address, temporal_namespace
):
    temporal = await Client.connect(temporal_address, namespace=temporal_namespace)
    http, central = await tier_http(Tier.CENTRAL, business_date=date(2025, 6, 20), temporal=temporal)
    _, district = await tier_http(Tier.DISTRICT, business_date=date(2025, 6, 20))
    await pending_at_the_district(district)

    await as_officer(http, "TW-CTN", "chair")  # the President's office: a chair, not the board
    assert (await http.get("/console/reorganization")).status_code == 403
    assert "/console/reorganization" not in (await http.get("/console")).text

    csrf = await as_officer(http, BOARD, "admin")
    page = await http.get("/console/reorganization")
    assert page.status_code == 200 and PLAN in page.text and 'href="/console/reorganization"' in page.text
    assert (await http.post(f"/console/reorganization/{PLAN}/dry-runs", data={"csrf": "x"})).status_code == 403
    started = await http.post(f"/console/reorganization/{PLAN}/dry-runs", data={"csrf": csrf})
    assert started.status_code == 303, started.text
    run_page = started.headers["location"]
    assert re.fullmatch(rf"/console/reorganization/{PLAN}/dry-runs/[0-9a-f]{{8}}", run_page)

    # No worker yet: the page says the run waits, and keeps asking.
    waiting = await http.get(run_page)
    assert waiting.status_code == 200 and "Đang chờ bộ xử lý" in waiting.text
    assert 'hx-trigger="every 1s"' in waiting.text and 'value="0" max="4"' in waiting.text

    async with workers(temporal, central, district):

        async def finished() -> str | None:
            fragment = (await http.get(f"{run_page}/progress")).text
            return fragment if "Đã chạy thử xong" in fragment else None

        report = await eventually(finished, within=60, what="the dry run's end")
    assert 'hx-trigger="every 1s"' not in report and 'value="4" max="4"' in report  # done: no more polling
    assert "n-reorg-1" in report and DISTRICT in report and "sẽ chuyển đến cơ quan kế thừa" in report
    assert "district_abolished_to_province" in report and "{" not in report.split("<table", 1)[1]  # no raw dicts

    assert f"{run_page}/report.csv" in report
    exported = await http.get(f"{run_page}/report.csv")
    assert exported.status_code == 200 and exported.headers["content-type"].startswith("text/csv")
    [row] = [line for line in exported.text.splitlines() if line.startswith("nomination,")]
    assert row.startswith(f"nomination,n-reorg-1,{DISTRICT},P91,district_abolished_to_province")
