"""The audit chain verifies, and any edit of a stored record is detected."""

import asyncio
import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import text
from sqlmodel import col, select

from services.kit.registry.models import Agency
from shared.contracts.tiers import Tier
from shared.platform.audit import (
    GENESIS,
    LOG_CLOSED,
    AgencyLogClosed,
    AuditRecord,
    append_audit,
    prime_recorded,
    recorded,
    verify_chain,
    write_audit,
)
from shared.platform.db import make_engine, session_factory, transaction
from shared.platform.personal import commitment, erase_personal, openings
from tests.helpers import statements, those


async def test_chain_verifies_and_detects_tampering(sessions):
    async with transaction(sessions) as session:
        for i in range(3):
            await append_audit(
                session,
                idempotency_key=f"k{i}",
                at=datetime.now(UTC),
                agency_code="P91",
                actor="P91:chair",
                action="decision.forward",
                outcome="forwarded",
                nomination_id="n1",
                reason="Đủ điều kiện",
                details={"step": i},
            )
    async with transaction(sessions) as session:
        stored = (await session.execute(text("select seq, prev_hash, hash from audit_record order by seq"))).all()
        # Each record links to the one before it, from the genesis hash; the head is the last hash.
        assert [row.prev_hash for row in stored] == [GENESIS, stored[0].hash, stored[1].hash]
        assert await verify_chain(session) == {
            "valid": True,
            "records": 3,
            "broken_at_seq": None,
            "head": stored[-1].hash,
        }
        await session.execute(text("update audit_record set reason = 'Không đủ' where seq = 2"))
    async with transaction(sessions) as session:
        report = await verify_chain(session)
    assert report["valid"] is False and report["broken_at_seq"] == 2


async def test_concurrent_writers_never_clash_on_a_sequence_number(sessions):
    """Twenty transactions that read something, then append, all at once: every one commits first time."""

    async def one(i: int) -> None:
        async with transaction(sessions) as session:
            (await session.exec(select(Agency).limit(1))).first()  # a read before the append, as activities do
            await asyncio.sleep(0)
            await append_audit(
                session,
                idempotency_key=f"c{i}",
                at=datetime.now(UTC),
                agency_code="TW-BTDKT",
                actor="TW-BTDKT:chair",
                action="decision.forward",
                outcome="forwarded",
                nomination_id=f"n{i}",
                details={},
            )
            await asyncio.sleep(0.01)

    results = await asyncio.gather(*(one(i) for i in range(20)), return_exceptions=True)
    assert [r for r in results if isinstance(r, BaseException)] == []
    async with transaction(sessions) as session:
        report = await verify_chain(session)
    assert report["valid"] is True and report["records"] == 20


async def test_personal_data_enters_as_commitments_and_erasing_it_keeps_the_chain(sessions):
    async with transaction(sessions) as session:
        await append_audit(
            session,
            idempotency_key="profile-1",
            at=datetime.now(UTC),
            agency_code="TW-BTDKT",
            actor="TW-BTDKT:clerk",
            action="nominee.profile_changed",
            outcome="changed",
            details={"nominee_id": "nm-1", "fields": ["ethnicity", "position"]},
            personal={"ethnicity": "Khmer", "position": "Giáo viên"},
            subject="nm-1",
        )
    async with transaction(sessions) as session:
        stored = (await session.exec(select(AuditRecord).where(AuditRecord.idempotency_key == "profile-1"))).one()
        opened = await openings(session, record_key="profile-1")
        assert "Khmer" not in json.dumps(stored.details, ensure_ascii=False)
        assert stored.details["personal"]["ethnicity"] == commitment("Khmer", opened["ethnicity"]["salt"])
        assert opened["position"]["value"] == "Giáo viên"
        assert await erase_personal(session, subject="nm-1") == 2
    async with transaction(sessions) as session:
        assert await openings(session, record_key="profile-1") == {}
        report = await verify_chain(session)
        raw = (await session.execute(text("select details from audit_record"))).all()
    assert report["valid"] is True
    assert "Khmer" not in str(raw)


def _append(session, key: str, agency: str = "P91", action: str = "decision.forward", nomination_id=None):  # type: ignore[no-untyped-def]
    return append_audit(
        session,
        idempotency_key=key,
        at=datetime.now(UTC),
        agency_code=agency,
        actor=f"{agency}:chair",
        action=action,
        outcome="recorded",
        nomination_id=nomination_id,
    )


async def test_many_appends_in_one_transaction_read_the_log_once_and_still_chain(sessions):
    """A tờ trình's step appends a record per awardee in one transaction: they are chained and
    written together when it commits, the head and the agencies' closed logs read once."""
    with statements(sessions) as sent:
        async with transaction(sessions) as session:
            for i in range(50):
                await _append(session, f"many-{i}", agency=("P91", "P92")[i % 2])
            assert those(sent, "INSERT", "audit_record") == []  # queued until the commit
    assert len(reads := those(sent, "SELECT", "audit_record")) == 2, reads  # the head; whether a log is closed
    assert len(those(sent, "INSERT", "audit_record")) == 1
    async with transaction(sessions) as session:
        assert (await verify_chain(session))["valid"] is True


async def test_a_read_of_the_log_sees_the_transactions_own_records(sessions):
    """Queued records are written before a read of the log, unless the read is about one
    nomination none of them is about."""
    with statements(sessions) as sent:
        async with transaction(sessions) as session:
            await _append(session, "seen-1", nomination_id="n1")
            about_another = select(AuditRecord).where(AuditRecord.nomination_id == "n2")
            assert (await session.exec(about_another.execution_options(audit_about="n2"))).all() == []
            assert those(sent, "INSERT", "audit_record") == []
            about_it = select(AuditRecord).where(AuditRecord.nomination_id == "n1")
            assert [r.idempotency_key for r in await session.exec(about_it.execution_options(audit_about="n1"))] == [
                "seen-1"
            ]
            await _append(session, "seen-2")
            assert len((await session.exec(select(AuditRecord))).all()) == 2
    assert len(those(sent, "INSERT", "audit_record")) == 2


async def test_a_closed_log_refuses_the_transaction_that_writes_after_it(sessions):
    async with transaction(sessions) as session:
        await _append(session, "before-close")
        await _append(session, "close", action=LOG_CLOSED)
        await _append(session, "another-agency", agency="P92")
    with pytest.raises(AgencyLogClosed):  # closed in an earlier transaction
        async with transaction(sessions) as session:
            await _append(session, "open-elsewhere", agency="P92")
            await _append(session, "after-close")
    with pytest.raises(AgencyLogClosed):  # closed by a record of the same transaction
        async with transaction(sessions) as session:
            await _append(session, "close-p92", agency="P92", action=LOG_CLOSED)
            await _append(session, "after-close-p92", agency="P92")
    async with transaction(sessions) as session:
        assert (await verify_chain(session))["valid"] is True
        keys = (await session.exec(select(AuditRecord.idempotency_key).order_by(col(AuditRecord.seq)))).all()
    assert keys == ["before-close", "close", "another-agency"]  # nothing of the refused transactions


async def test_a_savepoint_follows_the_records_written_before_it_and_its_undone_ones_are_not_the_head(sessions):
    async with transaction(sessions) as session:
        await _append(session, "queued")
        with pytest.raises(RuntimeError, match="write them first"):
            async with session.begin_nested():
                await _append(session, "in-savepoint")
        await write_audit(session)
        savepoint = await session.begin_nested()
        await _append(session, "undone", agency="P92")
        await savepoint.rollback()
        await _append(session, "after-undone", agency="P92")
    async with transaction(sessions) as session:
        assert (await verify_chain(session))["valid"] is True
        keys = (await session.exec(select(AuditRecord.idempotency_key).order_by(col(AuditRecord.seq)))).all()
    assert keys == ["queued", "after-undone"]


async def test_appends_wait_for_each_other_only_from_the_write(tmp_path, seeded_databases):
    """On PostgreSQL (SQLite serialises writing transactions from their start) the append lock is
    taken when the records are written: a transaction that appended and goes on working does not
    hold up another's commit."""
    engine = make_engine(await seeded_databases.url("postgres", Tier.CENTRAL, tmp_path, "central"))
    sessions = session_factory(engine)
    async with transaction(sessions) as first:
        await _append(first, "first")
        async with transaction(sessions) as second:
            await _append(second, "second")
        # The second committed while the first is still open (the old lock would have held it).
    async with transaction(sessions) as session:
        assert (await verify_chain(session))["valid"] is True
        keys = (await session.exec(select(AuditRecord.idempotency_key).order_by(col(AuditRecord.seq)))).all()
    await engine.dispose()
    assert keys == ["second", "first"]


async def test_a_batch_step_asks_once_which_of_its_awardees_acts_are_recorded(sessions):
    """`prime_recorded` reads the keys of every record about a step's nominations at once; `recorded`
    then answers for them without a statement, sees the transaction's own appends, and still asks
    the database about a nomination it was not primed with."""
    async with transaction(sessions) as session:
        await _append(session, "n1:received", nomination_id="n1")
        await _append(session, "n2:received", nomination_id="n2")
    async with transaction(sessions) as session:
        await prime_recorded(session, ["n1", "n2", "n3"])
        with statements(sessions) as sent:
            assert await recorded(session, "n1:received", "n1") is True
            assert await recorded(session, "n2:received", "n2") is True
            assert await recorded(session, "n3:received", "n3") is False
            assert those(sent, "SELECT", "audit_record") == []
            await _append(session, "n3:received", nomination_id="n3")
            before = len(those(sent, "SELECT", "audit_record"))  # the append's own (the head, the log)
            assert await recorded(session, "n3:received", "n3") is True
            assert len(those(sent, "SELECT", "audit_record")) == before
            assert await recorded(session, "n1:received") is True  # no nomination named: asked
            assert await recorded(session, "n4:received", "n4") is False  # not primed: asked
            assert len(those(sent, "SELECT", "audit_record")) == before + 2
