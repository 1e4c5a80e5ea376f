"""BatchWorkflow (decision 0042) on the real Temporal dev server with the real tier activities: a
tờ trình's awardees travel as one workflow, each leaving the records a nomination travelling alone
leaves, each decision passing the single workflow's validator; a returned awardee goes on in its own
NominationWorkflow from where it stood.
"""

import asyncio
import dataclasses
import json
import time
import uuid

import pytest
from temporalio.client import WorkflowHandle, WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError, RPCStatusCode

from services.kit.workflow_client import NominationClient, _closed
from shared.contracts.batch import (
    BATCH_STATUS_QUERY,
    DECIDE_MANY,
    MEMBER_STATUS_QUERY,
    MEMBER_WORKFLOW_QUERY,
    SPLIT,
    BatchInput,
    BatchStatus,
    DecideItem,
    DecideManyInput,
    DecideManyResult,
    SplitInput,
    SplitResult,
    batch_workflow_id,
)
from shared.contracts.nomination import (
    HOLD,
    RESUBMIT,
    STATUS_QUERY,
    DecisionInput,
    HoldInput,
    NominationInput,
    NominationStatus,
    ResubmitInput,
    RouteStep,
    TransferInput,
    workflow_id_for,
)
from shared.contracts.tiers import NOMINATION_TASK_QUEUE
from tests.workflows import test_updates as updates
from tests.workflows.test_updates import (
    DISTRICT,
    DOSSIER,
    PROVINCE,
    ROUTE,
    UNIT,
    WAIT,
    World,
    _pending_at,
    _records,
    decision,
)
from workflows.batch.workflows import BatchWorkflow
from workflows.nomination.workflows import NominationWorkflow
from workflows.reorganization.activities import BatchActivities

sessions, world = updates.sessions, updates.world  # the same database fixture and worker as the updates' tests
STEPS = [
    RouteStep(tier, code, confers=i == len(ROUTE) - 1, role="proposes" if i == 0 else "reviews")
    for i, (tier, code) in enumerate(ROUTE)
]


def awardee(name: str, *, complete: bool = True) -> NominationInput:
    return NominationInput(
        nomination_id=str(uuid.uuid4()),
        award_code="BANG_KHEN_TINH",
        nominee_name=name,
        proposer_agency=UNIT,
        submitted_by=f"{UNIT}:clerk",
        submitted_at="2026-02-12T09:00:00+07:00",
        route=list(STEPS),
        regime="ND152",
        documents=list(DOSSIER if complete else DOSSIER[:1]),
        batch_no="12/TTr-THSS",
    )


async def _batch(w: World, awardees: list[NominationInput]) -> WorkflowHandle:
    number = f"{uuid.uuid4().hex[:6]}/TTr"
    awardees = [dataclasses.replace(a, batch_no=number) for a in awardees]
    return await w.client.start_workflow(
        BatchWorkflow.run,
        BatchInput(number, awardees),
        id=batch_workflow_id(UNIT, number, [code for _, code in ROUTE]),
        task_queue=NOMINATION_TASK_QUEUE,
    )


async def _status(handle: WorkflowHandle, what: str, check, within: float = WAIT) -> BatchStatus:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + within
    while True:
        status = await handle.query(BATCH_STATUS_QUERY, result_type=BatchStatus)
        if check(status):
            return status
        if time.monotonic() > deadline:
            raise AssertionError(f"never {what}: {status}")
        await asyncio.sleep(0.05)


def _pending(step: int, n: int):  # type: ignore[no-untyped-def]
    return lambda s: s.step == step and s.state == "pending" and sum(m.state == "pending" for m in s.members) == n


async def _decide(handle: WorkflowHandle, items: list[tuple[str, DecisionInput]]) -> DecideManyResult:
    return await handle.execute_update(
        DECIDE_MANY.name,
        DecideManyInput([DecideItem(nid, d) for nid, d in items]),
        result_type=DecideManyResult,
    )


async def _alone(w: World, steps: list[tuple[str, DecisionInput]]) -> NominationInput:
    """The same awardee travelling alone, decided as `steps` say: the records to compare with."""
    single = awardee("Một mình")
    handle = await w.client.start_workflow(
        NominationWorkflow.run, single, id=workflow_id_for(single.nomination_id), task_queue=NOMINATION_TASK_QUEUE
    )
    for agency, d in steps:
        await _pending_at(w, handle, agency)
        await handle.execute_update(NominationWorkflow.decide, d)
    await handle.result()
    return single


async def test_a_tờ_trình_travels_as_one_and_each_awardee_keeps_its_own_records_and_outcome(world: World) -> None:
    a, b, c, d = (awardee(n) for n in ("Lê Văn Ba", "Phạm Thị Tư", "Trần Văn Năm", "Võ Thị Sáu"))
    incomplete = awardee("Đỗ Văn Bảy", complete=False)
    handle = await _batch(world, [a, b, c, d, incomplete])
    await _status(handle, "pending at the unit", _pending(0, 5))

    forward = decision("forward", UNIT, "unit")
    result = await _decide(handle, [(x.nomination_id, forward) for x in (a, b, c, d, incomplete)])
    assert [o.result.state for o in result.outcomes if o.result] == ["forwarded"] * 5
    # At the district, the incomplete dossier is returned at intake by the system and goes on alone.
    status = await _status(handle, "pending at the district", _pending(1, 4))
    alone = world.client.get_workflow_handle(status.split_off[incomplete.nomination_id])
    assert alone.id == workflow_id_for(incomplete.nomination_id)
    returned = await alone.query(STATUS_QUERY, result_type=NominationStatus)
    assert (returned.state, returned.step, returned.history[-1].officer_id) == ("returned", 1, "system")

    # Per item: a wrong agency, a name not in the tờ trình and a repeated name are refused alone.
    at_district = decision("forward", DISTRICT, "district")
    stranger = str(uuid.uuid4())
    result = await _decide(
        handle,
        [
            (a.nomination_id, at_district),
            (b.nomination_id, decision("forward", PROVINCE, "province")),
            (stranger, at_district),
            (a.nomination_id, at_district),
            (b.nomination_id, decision("return", DISTRICT, "district", reason="Bổ sung báo cáo")),
            (c.nomination_id, at_district),
            (d.nomination_id, at_district),
        ],
    )
    assert [(o.nomination_id, o.kind) for o in result.outcomes if o.error] == [
        (b.nomination_id, "WrongAgency"),
        (stranger, "NotInBatch"),
        (a.nomination_id, "Duplicate"),
    ]
    # An update in which nothing can be decided is refused whole, with the first reason.
    with pytest.raises(WorkflowUpdateFailedError) as refused:
        await _decide(handle, [(b.nomination_id, at_district)])
    assert isinstance(refused.value.cause, ApplicationError) and refused.value.cause.type == "SplitOff"

    await _status(handle, "pending at the province", _pending(2, 3))
    confer = decision("confer", PROVINCE, "province", decision_no="45/QĐ-UBND", signer="Chủ tịch")
    refuse = decision("refuse", PROVINCE, "province", reason="Chưa đủ tiêu chuẩn")
    result = await _decide(handle, [(a.nomination_id, confer), (c.nomination_id, confer), (d.nomination_id, refuse)])
    assert [o.result.state for o in result.outcomes if o.result] == ["conferred", "conferred", "refused"]
    final = await handle.result()
    assert {m.nomination_id: m.state for m in final.members} == {
        a.nomination_id: "conferred",
        b.nomination_id: "split",
        c.nomination_id: "conferred",
        d.nomination_id: "refused",
        incomplete.nomination_id: "split",
    }

    # The same decisions again once the batch has ended (a repeated request, or one that came while
    # it closed): each awardee is answered "already decided", never an error of the engine's.
    async def in_the_batch(ids: list[str]) -> dict[str, str]:
        return {nid: handle.id for nid in ids}

    late = NominationClient(world.client, locate=in_the_batch, together=True)
    again = await late.decide_all([(a.nomination_id, confer), (d.nomination_id, refuse)])
    assert [(type(r).__name__, getattr(r, "kind", None)) for r in again] == [("DecisionRejected", "AlreadyDecided")] * 2
    assert _closed(RPCError("workflow update was aborted by closing workflow", RPCStatusCode.NOT_FOUND, b""))

    # Each awardee's records are what a nomination travelling alone the same way leaves.
    conferred_alone = await _alone(world, [(UNIT, forward), (DISTRICT, at_district), (PROVINCE, confer)])
    assert await _records(world, a.nomination_id) == await _records(world, conferred_alone.nomination_id)
    mine = await handle.query(MEMBER_STATUS_QUERY, a.nomination_id, result_type=NominationStatus)
    assert [(h.step, h.action) for h in mine.history] == [(0, "forward"), (1, "forward"), (2, "confer")]

    # The one returned by the district goes on alone: resubmitted, it is reviewed there again.
    split = world.client.get_workflow_handle(workflow_id_for(b.nomination_id), result_type=NominationStatus)
    await split.execute_update(RESUBMIT.name, ResubmitInput(UNIT, f"{UNIT}:clerk"), result_type=NominationStatus)
    await _pending_at(world, split, DISTRICT)
    await split.execute_update(NominationWorkflow.decide, at_district)
    await _pending_at(world, split, PROVINCE)
    await split.execute_update(NominationWorkflow.decide, confer)
    ended = await split.result()
    assert (ended.state, ended.returns) == ("conferred", 1)
    assert [(h.step, h.action) for h in ended.history] == [(0, "forward"), (1, "return"), (1, "forward"), (2, "confer")]
    reviews = (await _records(world, b.nomination_id)).reviews
    assert [(agency, step, visit, state) for agency, step, visit, state, _ in reviews] == [
        (UNIT, 0, 1, "forwarded"),
        (DISTRICT, 1, 1, "returned"),
        (DISTRICT, 1, 2, "forwarded"),
        (PROVINCE, 2, 1, "conferred"),
    ]


async def test_an_awardee_split_off_goes_on_alone_from_where_it_stands(world: World) -> None:
    a, b, c = (awardee(n) for n in ("Lê Văn Ba", "Phạm Thị Tư", "Trần Văn Năm"))
    handle = await _batch(world, [a, b, c])
    await _status(handle, "pending at the unit", _pending(0, 3))
    await _decide(handle, [(x.nomination_id, decision("forward", UNIT, "unit")) for x in (a, b, c)])
    await _status(handle, "pending at the district", _pending(1, 3))
    before = await _records(world, a.nomination_id)

    # Pending: it goes on waiting at the district in its own workflow, its review and clock the same.
    split = await handle.execute_update(SPLIT.name, SplitInput(a.nomination_id), result_type=SplitResult)
    again = await handle.execute_update(SPLIT.name, SplitInput(a.nomination_id), result_type=SplitResult)
    assert split.workflow_id == again.workflow_id == workflow_id_for(a.nomination_id)
    alone = world.client.get_workflow_handle(split.workflow_id, result_type=NominationStatus)
    mine = await _pending_at(world, alone, DISTRICT)
    assert mine.step == 1 and mine.due_on is not None
    assert await _records(world, a.nomination_id) == before  # no second review, no second clock
    await alone.execute_update(HOLD.name, HoldInput(DISTRICT, f"{DISTRICT}:chair", "Có đơn khiếu nại"))
    assert (await alone.query(STATUS_QUERY, result_type=NominationStatus)).held

    # Forwarded while the rest of the step waits, it moves on in a batch of its own; split off from
    # that one, it waits at the province in its own workflow.
    await _decide(handle, [(b.nomination_id, decision("forward", DISTRICT, "district"))])
    onward = world.client.get_workflow_handle(
        await handle.query(MEMBER_WORKFLOW_QUERY, b.nomination_id, result_type=str)
    )
    await _status(onward, "pending at the province", _pending(2, 1))
    split = await onward.execute_update(SPLIT.name, SplitInput(b.nomination_id), result_type=SplitResult)
    await _pending_at(world, world.client.get_workflow_handle(split.workflow_id), PROVINCE)

    with pytest.raises(WorkflowUpdateFailedError) as refused:
        await _decide(handle, [(a.nomination_id, decision("forward", DISTRICT, "district"))])
    assert isinstance(refused.value.cause, ApplicationError) and refused.value.cause.type == "SplitOff"
    await _decide(handle, [(c.nomination_id, decision("return", DISTRICT, "district", reason="Bổ sung"))])
    final = await handle.result()
    own = {x.nomination_id: workflow_id_for(x.nomination_id) for x in (a, c)}
    assert final.split_off == own | {b.nomination_id: onward.id}


async def test_a_reorganization_finds_the_awardees_of_a_batch_and_transfers_each_alone(world: World) -> None:
    a, b = awardee("Lê Văn Ba"), awardee("Phạm Thị Tư")
    handle = await _batch(world, [a, b])
    await _status(handle, "pending at the unit", _pending(0, 2))
    await _decide(handle, [(x.nomination_id, decision("forward", UNIT, "unit")) for x in (a, b)])
    await _status(handle, "pending at the district", _pending(1, 2))
    before = await _records(world, a.nomination_id)

    # The worker's transfer finds no workflow of the nomination's own: the batches let theirs go on alone.
    transfers = BatchActivities(world.client)
    request = TransferInput("VN-TEST-PLAN", "2025-06-01", "Nghị quyết thử")  # nothing retired then
    rows = [await transfers._transfer(x.nomination_id, request) for x in (a, b)]
    assert [row.outcome for row in rows] == ["unchanged", "unchanged"], rows
    final = await handle.result()
    assert set(final.split_off) == {a.nomination_id, b.nomination_id}
    alone = world.client.get_workflow_handle(workflow_id_for(a.nomination_id))
    assert (await _pending_at(world, alone, DISTRICT)).step == 1
    assert await _records(world, a.nomination_id) == before  # the same review, the same clock


async def test_awardees_forwarded_before_the_rest_of_their_step_go_on_in_a_batch_of_their_own(world: World) -> None:
    a, b, c = (awardee(n) for n in ("Lê Văn Ba", "Phạm Thị Tư", "Trần Văn Năm"))
    handle = await _batch(world, [a, b, c])
    await _status(handle, "pending at the unit", _pending(0, 3))
    await _decide(handle, [(x.nomination_id, decision("forward", UNIT, "unit")) for x in (a, b, c)])
    await _status(handle, "pending at the district", _pending(1, 3))
    await _decide(handle, [(x.nomination_id, decision("forward", DISTRICT, "district")) for x in (a, b)])

    moved = await handle.query(MEMBER_WORKFLOW_QUERY, a.nomination_id, result_type=str)
    assert moved.startswith(handle.id) and moved != handle.id
    assert await handle.query(MEMBER_WORKFLOW_QUERY, b.nomination_id, result_type=str) == moved
    assert await handle.query(MEMBER_WORKFLOW_QUERY, c.nomination_id, result_type=str) == handle.id
    onward = world.client.get_workflow_handle(moved)
    await _status(onward, "the two pending at the province", _pending(2, 2))  # c still waits at the district
    assert (await handle.query(MEMBER_STATUS_QUERY, c.nomination_id, result_type=NominationStatus)).state == "pending"
    confer = decision("confer", PROVINCE, "province", decision_no="46/QĐ-UBND", signer="Chủ tịch")
    await _decide(onward, [(x.nomination_id, confer) for x in (a, b)])
    ended = await world.client.get_workflow_handle(moved, result_type=BatchStatus).result()
    assert {m.state for m in ended.members} == {"conferred"}
    history = (await onward.query(MEMBER_STATUS_QUERY, a.nomination_id, result_type=NominationStatus)).history
    assert [(h.step, h.action) for h in history] == [(0, "forward"), (1, "forward"), (2, "confer")]
    assert [(r[0], r[1], r[2]) for r in (await _records(world, a.nomination_id)).reviews] == [
        (UNIT, 0, 1),
        (DISTRICT, 1, 1),
        (PROVINCE, 2, 1),
    ]
    await _decide(handle, [(c.nomination_id, decision("refuse", DISTRICT, "district", reason="Chưa đủ"))])
    assert (await handle.result()).split_off == {a.nomination_id: moved, b.nomination_id: moved}


async def test_only_the_opening_of_a_review_carries_the_whole_eligibility_verdict(world: World) -> None:
    """The verdict is stored on each level's review; the other steps' inputs carry its outcome only,
    so a batch's activity inputs do not carry kilobytes per awardee that no one reads (decision 0048)."""
    verdict = {"outcome": "eligible", "criteria": [{"code": "lddt.rating", "description": "Hoàn thành tốt nhiệm vụ"}]}
    a, b = (dataclasses.replace(awardee(n), eligibility=verdict) for n in ("Lê Văn Ba", "Phạm Thị Tư"))
    handle = await _batch(world, [a, b])
    await _status(handle, "pending at the unit", _pending(0, 2))
    await _decide(handle, [(x.nomination_id, decision("forward", UNIT, "unit")) for x in (a, b)])
    await _status(handle, "pending at the district", _pending(1, 2))

    carried: dict[str, list[object]] = {}  # activity → the eligibility each awardee's input carried
    async for event in handle.fetch_history_events():
        if event.HasField("activity_task_scheduled_event_attributes"):
            attributes = event.activity_task_scheduled_event_attributes
            arg = json.loads(attributes.input.payloads[0].data)
            inputs = [item["review"] if "review" in item else item for item in arg["items"]]
            carried.setdefault(attributes.activity_type.name, []).extend(i["nomination"]["eligibility"] for i in inputs)
    assert carried == {
        "record_submissions": [{"outcome": "eligible"}] * 2,
        "open_step": [verdict] * 4,  # the unit's step and the district's
        "record_decisions": [{"outcome": "eligible"}] * 2,
    }
