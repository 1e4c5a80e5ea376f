"""Deadlines on the time-skipping test server: reminders, expiry under each policy, holds, Tết.

The workflow's timers run on the test server's clock, which jumps; the tiers map workflow time to
a business date that starts on 12/02/2026 09:00 (just before Tết Bính Ngọ), so every date below is
asserted exactly. All tiers' activities share one migrated, seeded SQLite database here.
"""

import os
import sys
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import select
from temporalio.client import Client, WorkflowHandle
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from deploy.seed import seed
from services.kit.app import tier_activities
from services.kit.migrate import migrate_async
from services.kit.nominations.models import Review
from shared.contracts.nomination import (
    DecisionInput,
    DocumentRef,
    HoldInput,
    NominationInput,
    RouteStep,
    workflow_id_for,
)
from shared.contracts.tiers import NOMINATION_TASK_QUEUE, Tier
from shared.platform.audit import AuditRecord
from shared.platform.db import make_engine, session_factory
from shared.rules.calendar import VIETNAM
from shared.rules.deadlines import load_deadlines
from workflows.batch.workflows import BatchWorkflow
from workflows.nomination.workflows import NominationWorkflow

START = datetime(2026, 2, 12, 9, 0, tzinfo=VIETNAM)
UNIT, DISTRICT, PROVINCE = "U91-0001", "D903", "P91"
DOSSIER = [
    DocumentRef(kind, UNIT, f"doc-{kind}", f"{kind}.pdf", "0" * 64, 10)
    for kind in ("to_trinh", "bao_cao_thanh_tich", "bien_ban_hoi_dong")
]


@dataclass
class Env:
    client: Client
    env: WorkflowEnvironment
    sessions: object
    shift: timedelta

    def business(self, at: datetime) -> datetime:
        return (at + self.shift).astimezone(VIETNAM)


async def _environment(tmp_path: Path, deadlines_file: Path | None = None) -> AsyncIterator[Env]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'tiers.db'}"
    await migrate_async(Tier.CENTRAL, url)
    for tier in Tier:
        await seed(tier, url, officers=True)
    engine = make_engine(url)
    sessions = session_factory(engine)
    server = Path(sys.executable).parent / "temporal-test-server"
    env = await WorkflowEnvironment.start_time_skipping(test_server_existing_path=str(server))
    shift = START - await env.get_current_time()
    deadlines = load_deadlines(deadlines_file) if deadlines_file else None

    def business_now(now: datetime) -> datetime:
        return (now + shift).astimezone(VIETNAM)

    workers = [Worker(env.client, task_queue=NOMINATION_TASK_QUEUE, workflows=[NominationWorkflow, BatchWorkflow])]
    for tier in Tier:
        activities = tier_activities(sessions, lambda: None, tier.value, business_now, deadlines=deadlines)
        workers.append(Worker(env.client, task_queue=tier.task_queue, activities=activities))
    try:
        async with workers[0], workers[1], workers[2], workers[3], workers[4]:
            yield Env(env.client, env, sessions, shift)
    finally:
        await env.shutdown()
        await engine.dispose()


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[Env]:
    async for env in _environment(tmp_path):
        yield env


def _nomination(route: list[tuple[str, str]], award: str = "BANG_KHEN_TINH") -> NominationInput:
    steps = [
        RouteStep(tier, code, confers=i == len(route) - 1, role="proposes" if i == 0 else "reviews")
        for i, (tier, code) in enumerate(route)
    ]
    return NominationInput(
        nomination_id=str(uuid.uuid4()),
        award_code=award,
        nominee_name="Nguyễn Văn An",
        proposer_agency=UNIT,
        submitted_by=f"{UNIT}:clerk",
        submitted_at=START.isoformat(),
        route=steps,
        regime="ND152",
        documents=list(DOSSIER),
    )


async def _start_at_province(w: Env, route: list[tuple[str, str]]) -> tuple[NominationInput, WorkflowHandle]:
    nomination = _nomination(route)
    handle = await w.client.start_workflow(
        NominationWorkflow.run,
        nomination,
        id=workflow_id_for(nomination.nomination_id),
        task_queue=NOMINATION_TASK_QUEUE,
    )
    await _at(w, handle, UNIT)
    await handle.execute_update(
        NominationWorkflow.decide, DecisionInput("forward", UNIT, "unit", f"{UNIT}:chair", "chair")
    )
    return nomination, handle


async def _audit(w: Env, nomination_id: str) -> list[AuditRecord]:
    async with w.sessions() as session:  # type: ignore[operator]
        rows = await session.exec(
            select(AuditRecord).where(AuditRecord.nomination_id == nomination_id).order_by(AuditRecord.seq)
        )
        return list(rows.all())


async def _at(w: Env, handle: WorkflowHandle, agency: str) -> None:
    """Wait (in workflow time, which the server skips) until the nomination is pending at `agency`."""
    for _ in range(200):
        status = await handle.query(NominationWorkflow.status)
        if status.pending_agency == agency and status.due_on:
            return
        await w.env.sleep(timedelta(seconds=1))
    raise AssertionError(f"never pending at {agency}: {status}")


async def _record(handle: WorkflowHandle, name: str) -> None:
    """On request (TDKT_RECORD_HISTORIES=1), keep this run's history for tests/unit/workflows/test_replay.py."""
    if os.environ.get("TDKT_RECORD_HISTORIES"):
        history = await handle.fetch_history()
        (Path(__file__).parents[1] / "replay" / f"{name}.json").write_text(history.to_json(), encoding="utf-8")


def _day_and_time(w: Env, record: AuditRecord) -> tuple[date, str]:
    """The business date and time at which a record was written (SQLite gives naive UTC)."""
    local = w.business(record.at if record.at.tzinfo else record.at.replace(tzinfo=UTC))
    return local.date(), local.strftime("%H:%M")


async def test_tet_deadline_reminders_and_notify_head(world: Env):
    """20 wd from 12/02/2026 skip Tết and weekends: due 19/03/2026; reminders at 50 % and 80 %."""
    nomination, handle = await _start_at_province(world, [("unit", UNIT), ("province", PROVINCE)])
    await _at(world, handle, PROVINCE)
    status = await handle.query(NominationWorkflow.status)
    assert status.due_on == "2026-03-19"

    await world.env.sleep(timedelta(days=45))
    records = await _audit(world, nomination.nomination_id)
    province = [r for r in records if r.agency_code == PROVINCE]
    clock = next(r for r in province if r.action == "deadline.set")
    assert clock.details["due_on"] == "2026-03-19" and clock.details["reminders"] == ["2026-03-05", "2026-03-13"]
    reminders = [r for r in province if r.action == "deadline.reminded"]
    # A reminder fires when its share of the working time is used up: at the end of its day.
    assert [(_day_and_time(world, r)) for r in reminders] == [(date(2026, 3, 6), "00:00"), (date(2026, 3, 14), "00:00")]
    assert [r.details["share_used"] for r in reminders] == [0.5, 0.8]
    expired = [r for r in province if r.action == "deadline.expired"]
    assert len(expired) == 1 and expired[0].outcome == "notify_head"
    assert _day_and_time(world, expired[0]) == (date(2026, 3, 20), "00:00")
    status = await handle.query(NominationWorkflow.status)
    assert status.pending_agency == PROVINCE and status.escalations == 1  # still there, its head told


async def test_escalate_next_level_moves_the_item_up(world: Env):
    nomination, handle = await _start_at_province(
        world, [("unit", UNIT), ("district", DISTRICT), ("province", PROVINCE)]
    )
    await _at(world, handle, DISTRICT)
    await world.env.sleep(timedelta(days=40))
    await _at(world, handle, PROVINCE)
    status = await handle.query(NominationWorkflow.status)
    assert status.step == 2 and status.escalations == 1
    assert [h.action for h in status.history][-1] == "escalate"
    records = await _audit(world, nomination.nomination_id)
    expired = next(r for r in records if r.action == "deadline.expired")
    assert expired.agency_code == DISTRICT and expired.outcome == "escalate_next_level"
    assert expired.details["next_agency"] == PROVINCE
    received = [r for r in records if r.action == "nomination.received" and r.agency_code == PROVINCE]
    assert received and received[-1].details["escalated_from"] == DISTRICT
    async with world.sessions() as session:  # type: ignore[operator]
        review = (
            await session.exec(
                select(Review).where(Review.nomination_id == nomination.nomination_id, Review.agency_code == DISTRICT)
            )
        ).one()
    assert review.status == "escalated"
    # The province's own clock starts when the escalated item arrives.
    assert status.due_on is not None


async def test_reassign_to_a_substitute(tmp_path: Path):
    data = Path(__file__).parents[2] / "shared" / "rules" / "data" / "deadlines.yaml"
    custom = tmp_path / "deadlines.yaml"
    text = data.read_text(encoding="utf-8")
    head, province = text.split("  - level: province\n    step: appraisal\n", 1)
    province = province.replace("on_expiry: notify_head", "on_expiry: reassign_substitute", 1)
    custom.write_text(head + "  - level: province\n    step: appraisal\n" + province, encoding="utf-8")
    async for world in _environment(tmp_path, custom):
        nomination, handle = await _start_at_province(world, [("unit", UNIT), ("province", PROVINCE)])
        await _at(world, handle, PROVINCE)
        await world.env.sleep(timedelta(days=45))
        records = await _audit(world, nomination.nomination_id)
        expired = next(r for r in records if r.action == "deadline.expired")
        assert expired.outcome == "reassign_substitute" and expired.details["to_officer"]
        async with world.sessions() as session:  # type: ignore[operator]
            review = (
                await session.exec(
                    select(Review).where(
                        Review.nomination_id == nomination.nomination_id, Review.agency_code == PROVINCE
                    )
                )
            ).one()
        assert review.assigned_to == expired.details["to_officer"]


async def test_a_hold_stops_the_clock_and_the_release_restarts_it(world: Env):
    nomination, handle = await _start_at_province(world, [("unit", UNIT), ("province", PROVINCE)])
    await _at(world, handle, PROVINCE)
    await world.env.sleep(timedelta(days=3))
    await handle.execute_update(NominationWorkflow.hold, HoldInput(UNIT, f"{UNIT}:chair", "Đơn khiếu nại", "complaint"))
    assert (await handle.query(NominationWorkflow.status)).held
    await world.env.sleep(timedelta(days=60))  # far past the original 19/03/2026
    records = await _audit(world, nomination.nomination_id)
    assert not [r for r in records if r.action in ("deadline.expired", "deadline.reminded")]
    refused = None
    try:
        await handle.execute_update(
            NominationWorkflow.decide,
            DecisionInput("confer", PROVINCE, "province", f"{PROVINCE}:chair", "chair", decision_no="1/QĐ"),
        )
    except Exception as err:  # noqa: BLE001 - the validator's rejection
        refused = str(err.__cause__ or err)
    assert refused and "on hold" in refused

    await handle.execute_update(
        NominationWorkflow.release, HoldInput(UNIT, f"{UNIT}:chair", "Đã giải quyết", "complaint")
    )
    released_on = world.business(await world.env.get_current_time()).date()
    for _ in range(50):  # the main loop restarts the clock just after the release is recorded
        status = await handle.query(NominationWorkflow.status)
        if status.due_on and status.due_on != "2026-03-19":
            break
        await world.env.sleep(timedelta(seconds=1))
    clocks = [
        r
        for r in await _audit(world, nomination.nomination_id)
        if r.action == "deadline.set" and r.agency_code == PROVINCE
    ]
    assert len(clocks) == 2 and clocks[1].details["restart"] == 1
    from shared.rules.calendar import default_calendar

    assert status.due_on == default_calendar().add_working_days(released_on, 20).isoformat()
    await world.env.sleep(timedelta(days=45))
    records = await _audit(world, nomination.nomination_id)
    assert [r.outcome for r in records if r.action == "deadline.expired"] == ["notify_head"]
    await _record(handle, "nomination_lifecycle_v1_hold_release_reminders_expiry")


async def test_a_long_lived_nomination_continues_as_new_with_its_state(world: Env):
    """History stays small: between steps the workflow rolls over and carries what it must remember."""
    nomination = _nomination([("unit", UNIT), ("province", PROVINCE)])
    nomination.history_limit = 1  # roll over at every step boundary
    handle = await world.client.start_workflow(
        NominationWorkflow.run,
        nomination,
        id=workflow_id_for(nomination.nomination_id),
        task_queue=NOMINATION_TASK_QUEUE,
    )
    first_run = handle.result_run_id
    await _at(world, handle, UNIT)
    # The clerk decides under the chair's delegation: the audit record says on whose behalf.
    await handle.execute_update(
        NominationWorkflow.decide,
        DecisionInput(
            "forward", UNIT, "unit", f"{UNIT}:clerk", "chair", reason="Đủ điều kiện", on_behalf_of=f"{UNIT}:chair"
        ),
    )
    latest = world.client.get_workflow_handle_for(NominationWorkflow.run, handle.id)
    await _at(world, latest, PROVINCE)
    await latest.execute_update(
        NominationWorkflow.decide,
        DecisionInput("confer", PROVINCE, "province", f"{PROVINCE}:chair", "chair", decision_no="12/QĐ-UBND"),
    )
    result = await latest.result()
    await _record(latest, "nomination_lifecycle_v1_continued_as_new_confer")
    assert result.state == "conferred" and result.runs == 2
    assert [(h.agency_code, h.action) for h in result.history] == [(UNIT, "forward"), (PROVINCE, "confer")]
    described = await world.client.get_workflow_handle(handle.id, run_id=first_run).describe()
    assert described.status is not None and described.status.name == "CONTINUED_AS_NEW"
    records = await _audit(world, nomination.nomination_id)
    assert [r.action for r in records].count("nomination.submitted") == 1
    forwarded = next(r for r in records if r.action == "decision.forward")
    assert forwarded.actor == f"{UNIT}:clerk" and forwarded.details["on_behalf_of"] == f"{UNIT}:chair"
    assert [(r.agency_code, r.action) for r in records if r.action == "nomination.received"] == [
        (UNIT, "nomination.received"),
        (PROVINCE, "nomination.received"),
    ]
