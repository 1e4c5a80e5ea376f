"""Rows queued with `insert_later` are written together, once each, at the latest when the transaction commits."""

from datetime import UTC, datetime

import pytest
from sqlmodel import col, select

from shared.platform.consumer import ProcessedEvent
from shared.platform.db import insert_later, transaction, write_queued
from tests.helpers import statements, those


def row(event_id: str) -> dict:
    return {"event_id": event_id, "event_type": "test.queued", "processed_at": datetime.now(UTC)}


async def test_a_transactions_queued_rows_are_written_in_one_statement_and_a_present_one_is_skipped(sessions):
    async with transaction(sessions) as session:
        session.add(ProcessedEvent(**row("q-0")))
    with statements(sessions) as sent:
        async with transaction(sessions) as session:
            for i in range(20):
                insert_later(session, ProcessedEvent, row(f"q-{i}"), "event_id")  # q-0 is there already
            await write_queued(session)
    assert len(inserts := those(sent, "INSERT", "")) == 1, inserts
    async with transaction(sessions) as session:
        stored = (await session.exec(select(ProcessedEvent).where(col(ProcessedEvent.event_id).like("q-%")))).all()
    assert sorted(p.event_id for p in stored) == sorted(f"q-{i}" for i in range(20))


async def test_rows_still_queued_are_written_when_the_transaction_commits_and_a_savepoint_may_not_queue(sessions):
    async with transaction(sessions) as session:
        insert_later(session, ProcessedEvent, row("at-commit"), "event_id")
    async with transaction(sessions) as session:
        assert (await session.get(ProcessedEvent, "at-commit")) is not None
        async with session.begin_nested():
            with pytest.raises(RuntimeError, match="savepoint"):
                insert_later(session, ProcessedEvent, row("nested"), "event_id")
