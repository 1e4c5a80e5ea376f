"""A background task that raises is run again after a back-off, counted and reported; one that
stops gracefully is asked to, the others are cancelled."""

import asyncio

from services.kit.supervision import Backoff, Supervisor

QUICK = Backoff(first_s=0.01, max_s=0.04, healthy_after_s=60)


async def settle(condition, within: float = 2.0) -> None:  # type: ignore[no-untyped-def]
    for _ in range(int(within / 0.005)):
        if condition():
            return
        await asyncio.sleep(0.005)
    raise AssertionError("condition not reached")


async def test_a_failing_task_is_restarted_with_back_off_counted_and_reported() -> None:
    runs: list[int] = []
    restarted: list[str] = []
    healed = asyncio.Event()

    async def flaky() -> None:
        runs.append(len(runs))
        if len(runs) <= 3:
            raise RuntimeError(f"broken {len(runs)}")
        healed.set()
        await asyncio.Event().wait()  # then runs for good

    supervisor = Supervisor(backoff=QUICK, on_restart=restarted.append)
    job = supervisor.start("event-consumer", flaky)
    await asyncio.wait_for(healed.wait(), 2)
    assert len(runs) == 4 and restarted == ["event-consumer"] * 3
    assert supervisor.report() == {
        "event-consumer": {"state": "running", "restarts": 3, "last_error": "RuntimeError: broken 3"}
    }
    assert supervisor.all_running
    await supervisor.stop()
    assert job.state == "stopped" and job.task is not None and job.task.done()


async def test_while_it_waits_to_restart_the_task_is_reported_down() -> None:
    supervisor = Supervisor(backoff=Backoff(first_s=30))

    async def broken() -> None:
        raise ConnectionError("broker unreachable")

    supervisor.start("outbox-relay", broken)
    await settle(lambda: supervisor.tasks["outbox-relay"].state == "restarting")
    assert not supervisor.all_running
    assert supervisor.report()["outbox-relay"]["last_error"] == "ConnectionError: broker unreachable"
    await supervisor.stop()  # does not wait out the 30 s back-off
    assert supervisor.report()["outbox-relay"]["state"] == "stopped"


def test_back_off_doubles_up_to_its_cap() -> None:
    assert [Backoff(first_s=1, max_s=30).delay(n) for n in range(1, 8)] == [1, 2, 4, 8, 16, 30, 30]


async def test_a_task_that_returns_is_restarted_and_stop_is_graceful_where_asked() -> None:
    returned = 0
    stopping = asyncio.Event()
    stopped_gracefully: list[str] = []

    async def returns() -> None:
        nonlocal returned
        returned += 1

    async def worker() -> None:
        await stopping.wait()
        stopped_gracefully.append("worker")

    async def shutdown() -> None:
        stopping.set()

    supervisor = Supervisor(backoff=QUICK)
    supervisor.start("mail-sender", returns)
    supervisor.start("temporal-worker", worker, stop=shutdown)
    await settle(lambda: returned >= 2)
    assert supervisor.tasks["mail-sender"].last_error == "returned"
    await supervisor.stop()
    assert stopped_gracefully == ["worker"]
    assert {name: r["state"] for name, r in supervisor.report().items()} == {
        "mail-sender": "stopped",
        "temporal-worker": "stopped",
    }
