"""Acting on many nominations at once (a bulk decision, a tờ trình's submission): up to `IN_FLIGHT`
items are attempted together, the answer keeps the order asked, and once the workflow engine stops
answering, the items not yet begun are not attempted; and a service has at most its share of
workflow updates under way at once, whatever the requests. The per-item work is replaced here by a
recorder: what is under test is only the orchestration (the real items run in the e2e tests)."""

import asyncio
import contextlib
import sqlite3
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy.exc import OperationalError
from temporalio.service import RPCError, RPCStatusCode

from services.kit.batches import submitting
from services.kit.errors import Conflict, Unavailable
from services.kit.identity.service import Caller
from services.kit.reviews import bulk
from services.kit.workflow_client import NominationClient
from shared.contracts.nomination import DECIDE
from shared.contracts.tiers import Tier

CALLER = Caller(officer_id="D903:chair", name="Chủ tịch", agency_code="D903", role="chair")


class Recorder:
    """Each item waits a moment; it counts how many are in flight together."""

    def __init__(self, refuse: dict[str, Exception] | None = None) -> None:
        self.refuse = refuse or {}
        self.in_flight = self.most = 0
        self.begun: list[str] = []

    async def item(self, nomination_id: str) -> str:
        self.begun.append(nomination_id)
        self.in_flight += 1
        self.most = max(self.most, self.in_flight)
        try:
            await asyncio.sleep(0.01 if nomination_id.endswith("0") else 0.002)  # some finish out of order
            if nomination_id in self.refuse:
                raise self.refuse[nomination_id]
            return f"wf-{nomination_id}"
        finally:
            self.in_flight -= 1


@contextlib.asynccontextmanager
async def no_database() -> Any:
    yield None


class Engine:
    """Temporal as the workflow client sees it: each update is the recorder's item."""

    def __init__(self, recorder: Recorder) -> None:
        self.recorder = recorder

    def get_workflow_handle(self, workflow_id: str) -> Any:
        recorder = self.recorder

        class Handle:
            async def execute_update(self, name: str, request: Any, result_type: Any) -> str:
                return await recorder.item(workflow_id.removeprefix("nomination-"))

        return Handle()


async def act(
    recorder: Recorder, ids: list[str], monkeypatch: pytest.MonkeyPatch, action: str = "confer", **options: Any
) -> list:
    """A bulk `action` over `ids`: a decision goes through the real workflow client (to Engine), a
    reminder through its own transaction (`_act_on_one`, here the recorder's item)."""

    async def one(sessions, caller, wanted, nomination_id, at) -> None:  # type: ignore[no-untyped-def]
        await recorder.item(nomination_id)

    async def names(session, agency_code, nomination_ids):  # type: ignore[no-untyped-def]
        return {n: f"Người {n}" for n in nomination_ids}

    async def prepared(session, *, nomination_id, **_: Any) -> str:  # type: ignore[no-untyped-def]
        return nomination_id

    monkeypatch.setattr(bulk, "_act_on_one", one)
    monkeypatch.setattr(bulk, "nominee_names", names)
    monkeypatch.setattr(bulk, "prepare_decision", prepared)
    return await bulk.act_on_many(
        no_database, NominationClient(Engine(recorder)),  # type: ignore[arg-type]
        caller=CALLER, bulk=bulk.Bulk(action=action, nomination_ids=ids, decision_no="31/QĐ-UBND"),
        tier=Tier.DISTRICT, today=date(2025, 5, 15), now=lambda: datetime.now(UTC), **options,
    )  # fmt: skip


async def test_items_are_attempted_together_and_answered_in_the_order_asked(monkeypatch):
    recorder = Recorder(refuse={"n-7": Conflict("already decided")})
    ids = [f"n-{i}" for i in range(40)]
    results = await act(recorder, ids, monkeypatch)
    assert [r.nomination_id for r in results] == ids and results[1].nominee_name == "Người n-1"
    assert 1 < recorder.most <= bulk.IN_FLIGHT
    assert [r.nomination_id for r in results if not r.ok] == ["n-7"] and str(results[7].error) == "already decided"


async def test_once_the_engine_stops_answering_the_rest_are_not_attempted(monkeypatch):
    recorder = Recorder(refuse={"n-3": Unavailable("the workflow engine is not answering")})
    ids = [f"n-{i}" for i in range(40)]
    results = await act(recorder, ids, monkeypatch)
    assert len(recorder.begun) < len(ids)  # those begun before the answer came; no more
    assert all(r.attempted == (r.nomination_id in recorder.begun) for r in results)
    assert not results[-1].attempted and isinstance(results[3].error, Unavailable)


async def test_an_item_that_waited_too_long_for_the_database_is_refused_and_the_others_go_on(monkeypatch):
    locked = OperationalError("BEGIN IMMEDIATE", {}, sqlite3.OperationalError("database is locked"))
    recorder = Recorder(refuse={"n-3": locked})
    results = await act(recorder, [f"n-{i}" for i in range(20)], monkeypatch, action="remind")
    assert all(r.attempted for r in results) and [r.nomination_id for r in results if not r.ok] == ["n-3"]
    assert isinstance(results[3].error, Unavailable) and "nothing was written" in str(results[3].error)
    broken = OperationalError("SELECT", {}, sqlite3.OperationalError("no such table: review"))
    with pytest.raises(OperationalError):  # any other database error is a defect, not a refusal
        await act(Recorder(refuse={"n-3": broken}), [f"n-{i}" for i in range(5)], monkeypatch, action="remind")


async def test_a_decision_may_hold_more_than_a_form_but_not_more_than_its_limit(monkeypatch):
    ids = [f"n-{i}" for i in range(bulk.MAX_ITEMS + 1)]
    with pytest.raises(bulk.Invalid, match=f"at most {bulk.MAX_ITEMS} nominations"):
        await act(Recorder(), ids, monkeypatch)
    assert all(r.ok for r in await act(Recorder(), ids, monkeypatch, limit=bulk.DECISION_ITEMS))


async def test_a_submission_starts_its_workflows_together_and_stops_when_the_engine_is_away(monkeypatch):
    class Engine:
        together = False  # one workflow per awardee

        def __init__(self, recorder: Recorder) -> None:
            self.recorder = recorder
            self.many = self

        async def start(self, prepared: Any) -> str:
            return await self.recorder.item(prepared.nomination_id)

    class Prepared:
        def __init__(self, nomination_id: str) -> None:
            self.nomination_id = nomination_id

    class Batch:
        number = "7/TTr-THSS"

    def prepared(ids: list[str]) -> Any:
        async def prepare(session, *, caller, batch_id, today):  # type: ignore[no-untyped-def]
            return Batch(), [Prepared(n) for n in ids]

        return prepare

    @contextlib.asynccontextmanager
    async def transaction() -> Any:
        class Session:
            def begin(self) -> Any:
                return contextlib.nullcontext()

        yield Session()

    def sessions() -> Any:
        return transaction()

    async def submit(recorder: Recorder) -> dict[str, Any]:
        engine: Any = Engine(recorder)
        return await submitting.submit_batch(sessions, engine, caller=CALLER, batch_id="b", today=date(2025, 5, 15))

    ids = [f"n-{i}" for i in range(30)]
    monkeypatch.setattr(submitting, "prepare_batch", prepared(ids))
    recorder = Recorder()
    answer = await submit(recorder)
    assert [s["nomination_id"] for s in answer["started"]] == ids and answer["number"] == "7/TTr-THSS"
    assert all(s["workflow_id"] == f"wf-{s['nomination_id']}" for s in answer["started"])
    assert 1 < recorder.most <= bulk.IN_FLIGHT

    recorder = Recorder(refuse={"n-2": Unavailable("the workflow engine is not answering")})
    answer = await submit(recorder)
    refused = [s for s in answer["started"] if "error" in s]
    assert len(recorder.begun) < len(ids) and answer["started"][-1]["error"].startswith("not started: ")
    assert len(refused) == len(ids) - len(recorder.begun) + 1


async def test_work_on_many_sends_at_most_its_share_of_updates_at_once_and_a_single_act_does_not_wait():
    recorder = Recorder()

    class Handle:
        def __init__(self, nomination_id: str) -> None:
            self.nomination_id = nomination_id

        async def execute_update(self, name: str, request: Any, result_type: Any) -> str:
            return await recorder.item(self.nomination_id)

    class Temporal:
        def get_workflow_handle(self, workflow_id: str) -> Handle:
            return Handle(workflow_id)

    engine: Any = Temporal()
    port = NominationClient(engine, bound=0.05, in_flight=2)  # 20 updates of ~10 ms: 0.1 s in all
    many = [port.many.update(f"n-{i}0", DECIDE, None) for i in range(20)]  # type: ignore[arg-type]
    done = await asyncio.gather(*many)
    assert done == [f"wf-nomination-n-{i}0" for i in range(20)] and recorder.most == 2  # the waiting is not timed

    recorder.most = 0
    bulk_work = asyncio.gather(*(port.many.update(f"n-{i}0", DECIDE, None) for i in range(20)))  # type: ignore[arg-type]
    await asyncio.sleep(0.001)  # the bulk work holds both turns and 18 wait
    single = await asyncio.wait_for(port.update("n-single0", DECIDE, None), timeout=0.05)  # type: ignore[arg-type]
    assert single == "wf-nomination-n-single0" and recorder.most == 3  # sent at once, beside the two
    await bulk_work


@pytest.mark.parametrize(
    "status", [RPCStatusCode.UNAVAILABLE, RPCStatusCode.DEADLINE_EXCEEDED, RPCStatusCode.RESOURCE_EXHAUSTED]
)
async def test_temporal_refusing_for_now_is_away_and_a_real_error_is_not(status: RPCStatusCode) -> None:
    """Not there, too slow, or over a limit for now (RESOURCE_EXHAUSTED: a workflow's updates in
    flight): 503, the caller tries again; any other refusal stays what it is."""

    async def refused(code: RPCStatusCode) -> None:
        raise RPCError("update concurrent in-flight limit has been reached (10)", code, b"")

    client = NominationClient(None)  # type: ignore[arg-type]
    with pytest.raises(Unavailable, match="not answering") as away:
        await client._bounded(refused(status))
    assert away.value.status == 503
    with pytest.raises(RPCError):
        await client._bounded(refused(RPCStatusCode.INVALID_ARGUMENT))
