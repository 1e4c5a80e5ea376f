"""A tờ trình's BatchWorkflow and the step's clock (decision 0042), on Temporal's time-skipping test
server with the real tier activities: the awardees that are still undecided at the step's first
reminder go on alone, each in its own NominationWorkflow with the clock it had, and are reminded
and expire exactly as a nomination travelling alone (tests/workflows/test_deadlines.py)."""

import dataclasses
import uuid
from collections.abc import AsyncIterator
from datetime import date, timedelta
from pathlib import Path

import pytest

from shared.contracts.batch import (
    BATCH_STATUS_QUERY,
    DECIDE_MANY,
    BatchInput,
    BatchStatus,
    DecideItem,
    DecideManyInput,
    DecideManyResult,
    batch_workflow_id,
)
from shared.contracts.nomination import STATUS_QUERY, DecisionInput, NominationStatus, workflow_id_for
from shared.contracts.tiers import NOMINATION_TASK_QUEUE
from tests.workflows.test_deadlines import PROVINCE, UNIT, Env, _audit, _day_and_time, _environment, _nomination
from workflows.batch.workflows import BatchWorkflow

ROUTE = [("unit", UNIT), ("province", PROVINCE)]


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[Env]:
    async for env in _environment(tmp_path):
        yield env


async def _status(w: Env, handle, check) -> BatchStatus:  # type: ignore[no-untyped-def]
    for _ in range(200):
        status = await handle.query(BATCH_STATUS_QUERY, result_type=BatchStatus)
        if check(status):
            return status
        await w.env.sleep(timedelta(seconds=1))
    raise AssertionError(f"never: {status}")


async def test_undecided_awardees_go_on_alone_at_the_first_reminder_with_their_clocks(world: Env) -> None:
    number = f"{uuid.uuid4().hex[:6]}/TTr"
    awardees = [dataclasses.replace(_nomination(ROUTE), nominee_name=n, batch_no=number) for n in ("Ba", "Tư", "Năm")]
    handle = await world.client.start_workflow(
        BatchWorkflow.run,
        BatchInput(number, awardees),
        id=batch_workflow_id(UNIT, number, [code for _, code in ROUTE]),
        task_queue=NOMINATION_TASK_QUEUE,
    )
    await _status(world, handle, lambda s: s.state == "pending" and s.step == 0)
    forward = DecisionInput("forward", UNIT, "unit", f"{UNIT}:chair", "chair")
    await handle.execute_update(
        DECIDE_MANY.name,
        DecideManyInput([DecideItem(a.nomination_id, forward) for a in awardees]),
        result_type=DecideManyResult,
    )
    status = await _status(world, handle, lambda s: s.state == "pending" and s.step == 1)
    assert {m.due_on for m in status.members} == {"2026-03-19"}  # 20 working days over Tết, as alone
    # The province confers on one before the first reminder; the other two wait past it.
    confer = DecisionInput("confer", PROVINCE, "province", f"{PROVINCE}:chair", "chair", decision_no="7/QĐ-UBND")
    await handle.execute_update(
        DECIDE_MANY.name, DecideManyInput([DecideItem(awardees[0].nomination_id, confer)]), result_type=DecideManyResult
    )

    await world.env.sleep(timedelta(days=45))
    ended = await world.client.get_workflow_handle(handle.id, result_type=BatchStatus).result()
    assert set(ended.split_off) == {awardees[1].nomination_id, awardees[2].nomination_id}
    assert {m.nomination_id: m.state for m in ended.members}[awardees[0].nomination_id] == "conferred"
    for awardee in awardees[1:]:
        alone = world.client.get_workflow_handle(workflow_id_for(awardee.nomination_id))
        mine = await alone.query(STATUS_QUERY, result_type=NominationStatus)
        assert (mine.state, mine.pending_agency, mine.due_on, mine.escalations) == (
            "pending",
            PROVINCE,
            "2026-03-19",
            1,
        )
        records = [r for r in await _audit(world, awardee.nomination_id) if r.agency_code == PROVINCE]
        assert [r.action for r in records if r.action == "nomination.received"] == ["nomination.received"]  # one review
        assert [r.action for r in records if r.action == "deadline.set"] == ["deadline.set"]  # one clock
        reminders = [r for r in records if r.action == "deadline.reminded"]
        assert [_day_and_time(world, r) for r in reminders] == [
            (date(2026, 3, 6), "00:00"),
            (date(2026, 3, 14), "00:00"),
        ]
        expired = [r for r in records if r.action == "deadline.expired"]
        assert len(expired) == 1 and _day_and_time(world, expired[0]) == (date(2026, 3, 20), "00:00")
    conferred = await _audit(world, awardees[0].nomination_id)
    assert not [r for r in conferred if r.action in ("deadline.reminded", "deadline.expired")]
