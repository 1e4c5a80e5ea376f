"""The decide, resubmit and withdraw updates of NominationWorkflow on the real Temporal dev server.

Each test runs the workflow with the real tier activities (one migrated, seeded SQLite database for
all tiers, shared by the module) on the test's own namespace, and checks both what an update answers
and what it left behind: the Review rows, the AuditRecord rows and the `status` query. A rejected
update must leave all three as they were. Every test starts a nomination of its own.
"""

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass

import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from temporalio.client import Client, WorkflowHandle, WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError
from temporalio.worker import Worker

from deploy.seed import seed
from services.kit.app import tier_activities
from services.kit.deadlines.activities import real_clock
from services.kit.migrate import migrate_async
from services.kit.nominations.models import Review
from shared.contracts.nomination import (
    DecisionInput,
    DecisionResult,
    DocumentRef,
    HoldInput,
    NominationInput,
    NominationStatus,
    ResubmitInput,
    RouteStep,
    WithdrawInput,
    workflow_id_for,
)
from shared.contracts.tiers import NOMINATION_TASK_QUEUE, Tier
from shared.platform.audit import AuditRecord
from shared.platform.db import make_engine, session_factory
from workflows.batch.workflows import BatchWorkflow
from workflows.nomination.workflows import NominationWorkflow

UNIT, DISTRICT, PROVINCE = "U91-0001", "D903", "P91"
ROUTE = [("unit", UNIT), ("district", DISTRICT), ("province", PROVINCE)]
# What BANG_KHEN_TINH requires at every level's intake (shared/rules/dossier.py required_documents).
DOSSIER = [
    DocumentRef(kind, UNIT, f"doc-{kind}", f"{kind}.pdf", "0" * 64, 10)
    for kind in ("to_trinh", "bao_cao_thanh_tich", "bien_ban_hoi_dong")
]
# How long (real seconds) to wait for something the workflow should do at once.
WAIT = 10.0


@dataclass
class World:
    client: Client
    sessions: async_sessionmaker[AsyncSession]


@dataclass
class Records:
    """What the tiers wrote about one nomination: reviews and audit records, comparable as a whole."""

    reviews: list[tuple[str, int, int, str, str | None]]  # agency, step, visit, status, decided_by
    audit: list[tuple[str, str, str, str]]  # agency, action, outcome, actor

    def actions(self, action: str) -> list[tuple[str, str, str, str]]:
        return [r for r in self.audit if r[1] == action]


@pytest.fixture(scope="module")
async def sessions(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('updates') / 'tiers.db'}"
    await migrate_async(Tier.CENTRAL, url)
    for tier in Tier:
        await seed(tier, url, officers=True)
    engine = make_engine(url)
    try:
        yield session_factory(engine)
    finally:
        await engine.dispose()


@pytest.fixture
async def world(
    sessions: async_sessionmaker[AsyncSession], temporal_address: str, temporal_namespace: str
) -> AsyncIterator[World]:
    """The workflow worker (both nomination workflows) and every tier's activities, on this test's
    namespace, stopped after it."""
    client = await Client.connect(temporal_address, namespace=temporal_namespace)
    workers = [Worker(client, task_queue=NOMINATION_TASK_QUEUE, workflows=[NominationWorkflow, BatchWorkflow])]
    for tier in Tier:
        activities = tier_activities(sessions, lambda: None, tier.value, real_clock())
        workers.append(Worker(client, task_queue=tier.task_queue, activities=activities))
    async with AsyncExitStack() as stack:
        for worker in workers:
            await stack.enter_async_context(worker)
        yield World(client, sessions)


def decision(action: str, agency: str, tier: str, role: str = "chair", **extra: object) -> DecisionInput:
    return DecisionInput(action, agency, tier, f"{agency}:{role}", role, **extra)  # type: ignore[arg-type]


FORWARD_AT_UNIT = decision("forward", UNIT, "unit")
RETURN_AT_DISTRICT = decision("return", DISTRICT, "district", reason="Bổ sung báo cáo thành tích")


async def _start(w: World) -> tuple[str, WorkflowHandle]:
    nomination_id = str(uuid.uuid4())
    steps = [
        RouteStep(tier, code, confers=i == len(ROUTE) - 1, role="proposes" if i == 0 else "reviews")
        for i, (tier, code) in enumerate(ROUTE)
    ]
    nomination = NominationInput(
        nomination_id=nomination_id,
        award_code="BANG_KHEN_TINH",
        nominee_name="Nguyễn Văn An",
        proposer_agency=UNIT,
        submitted_by=f"{UNIT}:clerk",
        submitted_at="2026-02-12T09:00:00+07:00",
        route=steps,
        regime="ND152",
        documents=list(DOSSIER),
    )
    handle = await w.client.start_workflow(
        NominationWorkflow.run, nomination, id=workflow_id_for(nomination_id), task_queue=NOMINATION_TASK_QUEUE
    )
    await _pending_at(w, handle, UNIT)
    return nomination_id, handle


async def _until(
    handle: WorkflowHandle, what: str, check: Callable[[NominationStatus], Awaitable[bool]], within: float = WAIT
) -> NominationStatus:
    """Poll the status query (in real time: this is the dev server) until `check` holds."""
    deadline = time.monotonic() + within
    while True:
        status = await handle.query(NominationWorkflow.status)
        if await check(status):
            return status
        if time.monotonic() > deadline:
            raise AssertionError(f"never {what}: {status}")
        await asyncio.sleep(0.02)


async def _returned(handle: WorkflowHandle) -> NominationStatus:
    """With the proposer, the main loop having counted the return (the update's handler sets the state first)."""

    async def returned(status: NominationStatus) -> bool:
        return status.state == "returned" and status.returns == 1

    return await _until(handle, "returned", returned)


async def _pending_at(w: World, handle: WorkflowHandle, agency: str) -> NominationStatus:
    """Pending at `agency` with its clock started, so that every activity of the step has committed.

    The status alone is not enough: it says "pending" (with the previous level's due date) while the
    new level's start_clock is still running.
    """

    async def clock_started(status: NominationStatus) -> bool:
        if status.state != "pending" or status.pending_agency != agency:
            return False
        async with w.sessions() as session:
            review = (
                await session.exec(
                    select(Review)
                    .where(Review.nomination_id == status.nomination_id, Review.step == status.step)
                    .order_by(col(Review.visit).desc())
                )
            ).first()
        return (
            review is not None
            and review.status == "pending"
            and review.due_on is not None
            and status.due_on == review.due_on.isoformat()
        )

    return await _until(handle, f"pending at {agency} with its clock started", clock_started)


async def _at_district(w: World) -> tuple[str, WorkflowHandle]:
    nomination_id, handle = await _start(w)
    await handle.execute_update(NominationWorkflow.decide, FORWARD_AT_UNIT)
    await _pending_at(w, handle, DISTRICT)
    return nomination_id, handle


async def _at_province(w: World) -> tuple[str, WorkflowHandle]:
    nomination_id, handle = await _at_district(w)
    await handle.execute_update(NominationWorkflow.decide, decision("forward", DISTRICT, "district"))
    await _pending_at(w, handle, PROVINCE)
    return nomination_id, handle


async def _returned_by_district(w: World) -> tuple[str, WorkflowHandle]:
    nomination_id, handle = await _at_district(w)
    await handle.execute_update(NominationWorkflow.decide, RETURN_AT_DISTRICT)
    await _returned(handle)
    return nomination_id, handle


async def _records(w: World, nomination_id: str) -> Records:
    async with w.sessions() as session:
        reviews = (
            await session.exec(
                select(Review)
                .where(Review.nomination_id == nomination_id)
                .order_by(col(Review.step), col(Review.visit))
            )
        ).all()
        audit = (
            await session.exec(
                select(AuditRecord).where(AuditRecord.nomination_id == nomination_id).order_by(col(AuditRecord.seq))
            )
        ).all()
    return Records(
        [(r.agency_code, r.step, r.visit, r.status, r.decided_by) for r in reviews],
        [(a.agency_code, a.action, a.outcome, a.actor) for a in audit],
    )


async def _rejected(
    w: World, nomination_id: str, handle: WorkflowHandle, update: Awaitable[object]
) -> ApplicationError:
    """The update is rejected by its validator, and neither the tiers nor the workflow recorded anything."""
    before, status_before = await _records(w, nomination_id), await handle.query(NominationWorkflow.status)
    with pytest.raises(WorkflowUpdateFailedError) as failed:
        await asyncio.wait_for(update, WAIT)  # a broken validator lets the update run, or hang the workflow
    assert isinstance(failed.value.cause, ApplicationError), failed.value.cause
    assert await _records(w, nomination_id) == before
    assert await handle.query(NominationWorkflow.status) == status_before
    return failed.value.cause


async def _result(handle: WorkflowHandle) -> NominationStatus:
    """The workflow's end, which must come promptly after a final decision or a withdrawal."""
    return await asyncio.wait_for(handle.result(), WAIT)


def _history(status: NominationStatus) -> list[tuple[int, str, str, str]]:
    return [(h.step, h.agency_code, h.action, h.officer_id) for h in status.history]


# decide: the four actions


async def test_forward_opens_the_next_agencys_review(world: World):
    nomination_id, handle = await _start(world)
    result = await handle.execute_update(NominationWorkflow.decide, FORWARD_AT_UNIT)
    assert result == DecisionResult(nomination_id, "forward", UNIT, 0, "forwarded", DISTRICT)

    status = await _pending_at(world, handle, DISTRICT)
    assert status.step == 1 and status.state == "pending"
    assert _history(status) == [(0, UNIT, "forward", f"{UNIT}:chair")]
    records = await _records(world, nomination_id)
    assert records.reviews == [(UNIT, 0, 1, "forwarded", f"{UNIT}:chair"), (DISTRICT, 1, 1, "pending", None)]
    assert records.actions("decision.forward") == [(UNIT, "decision.forward", "forwarded", f"{UNIT}:chair")]
    assert records.actions("nomination.received") == [
        (UNIT, "nomination.received", "pending", "system"),
        (DISTRICT, "nomination.received", "pending", "system"),
    ]
    async with world.sessions() as session:
        forwarded = (
            await session.exec(
                select(AuditRecord).where(
                    AuditRecord.nomination_id == nomination_id, AuditRecord.action == "decision.forward"
                )
            )
        ).one()
    assert forwarded.details["next_agency"] == DISTRICT and forwarded.details["step"] == 0


async def test_return_leaves_it_with_the_proposer(world: World):
    nomination_id, handle = await _at_district(world)
    result = await handle.execute_update(NominationWorkflow.decide, RETURN_AT_DISTRICT)
    assert result == DecisionResult(nomination_id, "return", DISTRICT, 1, "returned", None)

    status = await _returned(handle)
    assert status.step == 1 and status.pending_agency is None
    assert _history(status)[-1] == (1, DISTRICT, "return", f"{DISTRICT}:chair")
    records = await _records(world, nomination_id)
    assert records.reviews[-1] == (DISTRICT, 1, 1, "returned", f"{DISTRICT}:chair")
    assert records.actions("decision.return") == [(DISTRICT, "decision.return", "returned", f"{DISTRICT}:chair")]
    assert records.audit[-1][1] == "decision.return"  # nothing opened anywhere after the return


async def test_refuse_ends_it_refused(world: World):
    nomination_id, handle = await _at_district(world)
    refusal = decision("refuse", DISTRICT, "district", reason="Không đủ tiêu chuẩn")
    result = await handle.execute_update(NominationWorkflow.decide, refusal)
    assert result == DecisionResult(nomination_id, "refuse", DISTRICT, 1, "refused", None)

    final = await _result(handle)
    assert final.state == "refused" and final.step == 1 and final.pending_agency is None
    assert _history(final)[-1] == (1, DISTRICT, "refuse", f"{DISTRICT}:chair")
    records = await _records(world, nomination_id)
    assert records.reviews[-1] == (DISTRICT, 1, 1, "refused", f"{DISTRICT}:chair")
    assert records.audit[-1] == (DISTRICT, "decision.refuse", "refused", f"{DISTRICT}:chair")
    assert [r[0] for r in records.reviews] == [UNIT, DISTRICT]  # the province never saw it


async def test_confer_at_the_conferring_level_ends_it_conferred(world: World):
    nomination_id, handle = await _at_province(world)
    conferral = decision("confer", PROVINCE, "province", decision_no="12/QĐ-UBND")
    result = await handle.execute_update(NominationWorkflow.decide, conferral)
    assert result == DecisionResult(nomination_id, "confer", PROVINCE, 2, "conferred", None)

    final = await _result(handle)
    assert final.state == "conferred" and final.step == 2
    assert [(h.agency_code, h.action) for h in final.history] == [
        (UNIT, "forward"),
        (DISTRICT, "forward"),
        (PROVINCE, "confer"),
    ]
    records = await _records(world, nomination_id)
    assert [(r[0], r[3]) for r in records.reviews] == [
        (UNIT, "forwarded"),
        (DISTRICT, "forwarded"),
        (PROVINCE, "conferred"),
    ]
    async with world.sessions() as session:
        conferred = (
            await session.exec(
                select(AuditRecord).where(
                    AuditRecord.nomination_id == nomination_id, AuditRecord.action == "decision.confer"
                )
            )
        ).one()
    assert (conferred.agency_code, conferred.outcome, conferred.actor) == (PROVINCE, "conferred", f"{PROVINCE}:chair")
    assert conferred.details["decision_no"] == "12/QĐ-UBND"
    assert conferred.details["conferred_award_code"] == "BANG_KHEN_TINH"


# decide: what the validator rejects


@pytest.mark.parametrize(
    ("attempt", "error_type", "phrase"),
    [
        (decision("forward", PROVINCE, "province"), "WrongAgency", f"pending at {DISTRICT}"),
        (decision("forward", DISTRICT, "district", role="clerk"), "WrongRole", "role 'clerk' cannot decide"),
        (decision("confer", DISTRICT, "district"), "NotConferringLevel", f"the conferring authority is {PROVINCE}"),
    ],
    ids=["other-agency", "clerk", "confer-below-conferring-level"],
)
async def test_decide_rejects_at_the_district(world: World, attempt: DecisionInput, error_type: str, phrase: str):
    nomination_id, handle = await _at_district(world)
    error = await _rejected(world, nomination_id, handle, handle.execute_update(NominationWorkflow.decide, attempt))
    assert error.type == error_type and phrase in error.message
    # The rejection claimed nothing: the district's chair can still decide.
    result = await handle.execute_update(NominationWorkflow.decide, decision("forward", DISTRICT, "district"))
    assert result.state == "forwarded" and result.next_agency == PROVINCE


async def test_decide_rejects_forward_at_the_conferring_level(world: World):
    nomination_id, handle = await _at_province(world)
    error = await _rejected(
        world,
        nomination_id,
        handle,
        handle.execute_update(NominationWorkflow.decide, decision("forward", PROVINCE, "province")),
    )
    assert error.type == "NothingToForwardTo" and "conferring authority" in error.message


async def test_decide_rejects_while_on_hold(world: World):
    nomination_id, handle = await _at_district(world)
    held = await handle.execute_update(
        NominationWorkflow.hold, HoldInput(UNIT, f"{UNIT}:chair", "Đơn khiếu nại", "complaint")
    )
    assert held.held and held.state == "pending"
    error = await _rejected(
        world,
        nomination_id,
        handle,
        handle.execute_update(NominationWorkflow.decide, decision("forward", DISTRICT, "district")),
    )
    assert error.type == "OnHold" and "on hold (Đơn khiếu nại)" in error.message
    assert (await _records(world, nomination_id)).reviews[-1] == (DISTRICT, 1, 1, "pending", None)


async def test_decide_rejects_when_not_pending(world: World):
    nomination_id, handle = await _returned_by_district(world)
    error = await _rejected(
        world,
        nomination_id,
        handle,
        handle.execute_update(NominationWorkflow.decide, decision("forward", DISTRICT, "district")),
    )
    assert error.type == "NotPending" and "it is returned" in error.message


# resubmit


async def test_resubmit_resumes_review_at_the_level_that_returned_it(world: World):
    nomination_id, handle = await _returned_by_district(world)
    answer = await handle.execute_update(
        NominationWorkflow.resubmit, ResubmitInput(UNIT, f"{UNIT}:chair", reason="Đã bổ sung")
    )
    assert answer.state == "resubmitting" and answer.step == 1 and answer.returns == 1

    status = await _pending_at(world, handle, DISTRICT)
    assert status.step == 1 and status.returns == 1
    records = await _records(world, nomination_id)
    assert records.reviews == [
        (UNIT, 0, 1, "forwarded", f"{UNIT}:chair"),
        (DISTRICT, 1, 1, "returned", f"{DISTRICT}:chair"),
        (DISTRICT, 1, 2, "pending", None),
    ]
    # Not the actor: record_submission writes the nomination's submitted_by, not the officer who resubmitted.
    assert [r[:3] for r in records.actions("nomination.resubmitted")] == [(UNIT, "nomination.resubmitted", "in_review")]
    assert [r[0] for r in records.actions("nomination.received")] == [UNIT, DISTRICT, DISTRICT]
    # The new visit is decided like the first one, and the nomination moves on.
    result = await handle.execute_update(NominationWorkflow.decide, decision("forward", DISTRICT, "district"))
    assert result.step == 1 and result.next_agency == PROVINCE
    assert (await _records(world, nomination_id)).reviews[2] == (DISTRICT, 1, 2, "forwarded", f"{DISTRICT}:chair")


async def test_resubmit_by_another_agency_is_wrong_agency(world: World):
    nomination_id, handle = await _returned_by_district(world)
    error = await _rejected(
        world,
        nomination_id,
        handle,
        handle.execute_update(NominationWorkflow.resubmit, ResubmitInput(DISTRICT, f"{DISTRICT}:chair")),
    )
    assert error.type == "WrongAgency" and f"only the proposer {UNIT}" in error.message


async def test_resubmit_of_a_nomination_not_returned_is_not_returned(world: World):
    nomination_id, handle = await _at_district(world)
    error = await _rejected(
        world,
        nomination_id,
        handle,
        handle.execute_update(NominationWorkflow.resubmit, ResubmitInput(UNIT, f"{UNIT}:clerk")),
    )
    assert error.type == "NotReturned" and "it is pending" in error.message


# withdraw


async def test_withdraw_while_pending_at_a_level_closes_its_review(world: World):
    nomination_id, handle = await _at_district(world)
    answer = await handle.execute_update(
        NominationWorkflow.withdraw, WithdrawInput(UNIT, f"{UNIT}:chair", reason="Rút hồ sơ")
    )
    assert answer.state == "withdrawn" and answer.step == 1
    assert _history(answer)[-1] == (1, UNIT, "withdraw", f"{UNIT}:chair")

    final = await _result(handle)
    assert final.state == "withdrawn" and final.pending_agency is None
    records = await _records(world, nomination_id)
    assert records.reviews == [
        (UNIT, 0, 1, "forwarded", f"{UNIT}:chair"),
        (DISTRICT, 1, 1, "withdrawn", f"{UNIT}:chair"),
    ]
    # One record where it was pending, one at the proposer (which announces it).
    assert records.actions("nomination.withdrawn") == [
        (DISTRICT, "nomination.withdrawn", "withdrawn", f"{UNIT}:chair"),
        (UNIT, "nomination.withdrawn", "withdrawn", f"{UNIT}:chair"),
    ]


async def test_withdraw_while_returned_to_the_proposer(world: World):
    nomination_id, handle = await _returned_by_district(world)
    answer = await handle.execute_update(NominationWorkflow.withdraw, WithdrawInput(UNIT, f"{UNIT}:chair"))
    assert answer.state == "withdrawn"

    final = await _result(handle)
    assert final.state == "withdrawn" and final.returns == 1
    assert [h.action for h in final.history] == ["forward", "return", "withdraw"]
    records = await _records(world, nomination_id)
    assert records.reviews[-1] == (DISTRICT, 1, 1, "returned", f"{DISTRICT}:chair")  # decided before: untouched
    assert records.actions("nomination.withdrawn") == [(UNIT, "nomination.withdrawn", "withdrawn", f"{UNIT}:chair")]


async def test_withdraw_by_another_agency_is_wrong_agency(world: World):
    nomination_id, handle = await _at_district(world)
    error = await _rejected(
        world,
        nomination_id,
        handle,
        handle.execute_update(NominationWorkflow.withdraw, WithdrawInput(DISTRICT, f"{DISTRICT}:chair")),
    )
    assert error.type == "WrongAgency" and f"only the proposer {UNIT}" in error.message


async def test_withdraw_after_a_final_decision_is_rejected(world: World):
    nomination_id, handle = await _at_district(world)
    await handle.execute_update(NominationWorkflow.decide, decision("refuse", DISTRICT, "district"))
    assert (await _result(handle)).state == "refused"
    before = await _records(world, nomination_id)
    # The workflow has ended with the decision, so the server (not the validator) turns the update away.
    with pytest.raises(RPCError, match="already completed"):
        await handle.execute_update(NominationWorkflow.withdraw, WithdrawInput(UNIT, f"{UNIT}:chair"))
    assert await _records(world, nomination_id) == before
    assert (await _result(handle)).state == "refused"
